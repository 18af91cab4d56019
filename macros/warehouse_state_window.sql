{#- The incremental window of warehouse_state_fact: the states warehouse_state_silver may have re-merged
    since the table's last run. warehouse_state_silver restarts each warehouse's state machine from the state
    in force at its window start and re-merges it with every state after it, so those are the states ending
    at or after that window start less 1 ms. -#}

{#- That window start (epoch ms, an expression Spark folds into a literal) from the fact's own newest state
    start date less the look-back (macro incremental_window_start): warehouse_state_silver's own, or an
    earlier one if this table lagged. None in a full build. -#}
{% macro warehouse_state_recompute_from_ms() -%}
    {%- set window_start = incremental_window_start('state_start_date') -%}
    {{ return('unix_millis(cast(' ~ window_start ~ ' as timestamp))' if window_start else none) }}
{%- endmacro %}

{#- The pre-hook of warehouse_state_fact: in an incremental run, delete the facts of the states the run
    recomputes, which it then inserts afresh. Empty in a full build. -#}
{% macro delete_warehouse_state_facts_to_recompute() -%}
    {%- set recompute_from_ms = warehouse_state_recompute_from_ms() -%}
    {%- if recompute_from_ms %}
    delete from {{ this }} where unixTimeMS_state_end >= {{ recompute_from_ms }} - 1
    {%- endif %}
{%- endmacro %}

{#- The window start of warehouse_state_hour (epoch ms, an expression Spark folds into a literal): the day of
    its newest state start less the look-back, as warehouse_state_silver's (its newest state start date less
    the look-back), or earlier: the newest running state starts no later than the newest state. The newest
    start is a bare max, answered from file statistics. None in a full build. -#}
{% macro warehouse_state_hours_recompute_from_ms() -%}
    {%- if not (execute and is_incremental() and model.resource_type == 'model') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set newest_start_ms = run_query('select max(state_start_ms) from ' ~ this).columns[0].values()[0] -%}
    {%- set first_day = epoch_ms_date(newest_start_ms or 0) - modules.datetime.timedelta(days=var('lookback_days')) -%}
    {{ return("unix_millis(timestamp'" ~ first_day.isoformat() ~ " 00:00:00')") }}
{%- endmacro %}

{#- The pre-hook of warehouse_state_hour: in an incremental run, delete the hours of the states the run cuts
    again (macro warehouse_state_hours_recompute_from_ms). Empty in a full build. -#}
{% macro delete_warehouse_state_hours_to_recompute() -%}
    {%- set recompute_from_ms = warehouse_state_hours_recompute_from_ms() -%}
    {%- if recompute_from_ms %}
    delete from {{ this }} where state_end_ms >= {{ recompute_from_ms }} - 1
    {%- endif %}
{%- endmacro %}
