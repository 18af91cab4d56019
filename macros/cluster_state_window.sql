{#- The incremental window of cluster_state_silver. Cluster states stay open for days (a terminated
    cluster's last state stays open until it is permanently deleted), so its window is not a range of start
    dates: a run re-reads and re-merges the states ending at or after its checkpoint (the open ones among
    them) and those whose end a lost termination imputed, wherever they start. The table is partitioned by
    state start date and open flag, so both the model's read of its own table and the merge prune every
    closed partition whose states ended before the checkpoint. -#}

{#- The checkpoint of an incremental run (epoch ms): the previous run's until-time (its open states end
    1 ms before it, in `end_column`), capped at var until_time_ms, less the look-back (var lookback_days, for late events).
    Read from the table's file statistics (a bare max is pushed down), so it reads no rows. -#}
{% macro cluster_state_checkpoint_ms(relation, end_column='state_end_ms') -%}
    {%- set previous_end = run_query('select max(' ~ end_column ~ ') from ' ~ relation).columns[0].values()[0] -%}
    {%- set processed_until_ms = 0 if previous_end is none else previous_end + 1 -%}
    {%- set until_time_ms = var('until_time_ms', none) -%}
    {%- if until_time_ms is not none and until_time_ms < processed_until_ms -%}
        {%- set processed_until_ms = until_time_ms -%}
    {%- endif -%}
    {{ return(processed_until_ms - var('lookback_days') * 86400000) }}
{%- endmacro %}

{#- The states an incremental run of cluster_state_silver may change, as a predicate over its table
    (`alias`, or its bare columns): those ending at or after the checkpoint less 1 ms (every open state
    among them) and running states whose end a lost termination imputed. Literal bounds, so the table
    formats prune partitions and data files with them. -#}
{% macro cluster_states_to_recompute(checkpoint_ms, alias=none) -%}
    {%- set prefix = '' if alias is none else alias ~ '.' -%}
    ({{ prefix }}state_end_ms >= {{ (checkpoint_ms - 1) | int }} or {{ prefix }}is_end_imputed)
{%- endmacro %}

{#- The merge predicate of cluster_state_silver (config merge_window_predicate_macro): a recomputed state
    is one the run read from the table (macro cluster_states_to_recompute) or one starting from the
    checkpoint's day on (new events, terminations imputed 1 ms before them); every other partition stays
    out of the merge's scan. -#}
{% macro cluster_state_merge_window(source_relation) -%}
    {%- set checkpoint_ms = cluster_state_checkpoint_ms(this) -%}
    {%- set first_day = epoch_ms_date(checkpoint_ms - 1) -%}
    {{ return(
        "(dbt_internal_dest.state_start_date >= date'" ~ first_day.isoformat() ~ "' or "
        ~ cluster_states_to_recompute(checkpoint_ms, 'dbt_internal_dest') ~ ")"
    ) }}
{%- endmacro %}

{#- The states of cluster_state_fact an incremental run of a model keyed by cluster states recomputes, as a
    predicate over such a table (bare columns organization_id, cluster_id and the state's start and end,
    `start_column` and `end_column`, by default Overwatch's names unixTimeMS_state_start and
    unixTimeMS_state_end): those ending at or after `checkpoint_ms` less 1 ms (the model's checkpoint, macro
    cluster_state_checkpoint_ms) and those whose end a lost termination imputed (listed from
    `cluster_states`, the silver table, as literals so that reads and deletes prune by file statistics). -#}
{% macro cluster_state_facts_to_recompute(
    cluster_states, checkpoint_ms, start_column='unixTimeMS_state_start', end_column='unixTimeMS_state_end'
) -%}
    {%- set imputed_ends = run_query(
        'select organization_id, cluster_id, state_start_ms from ' ~ cluster_states ~ ' where is_end_imputed'
    ) -%}
    (
        {{ end_column }} >= {{ (checkpoint_ms - 1) | int }}
        {%- for state in imputed_ends.rows %}
        or (
            organization_id = '{{ state[0] }}'
            and cluster_id = '{{ state[1] }}'
            and {{ start_column }} = {{ state[2] | int }}
            -- Always true (a state ends at or after its start): a bound tables laid out by state end prune by.
            and {{ end_column }} >= {{ state[2] | int }}
        )
        {%- endfor %}
    )
{%- endmacro %}

{#- In an incremental run of a model keyed by cluster states (append, after the pre-hook
    delete_cluster_state_facts_to_recompute), the states of cluster_state_fact it inserts afresh, as a
    predicate (macro cluster_state_facts_to_recompute, from this table's checkpoint: those the pre-hook
    deleted); none in a full build and in unit tests (read every state). The model declares
    `-- depends_on: ref('cluster_state_silver')`, which dbt cannot see here. -#}
{% macro cluster_state_facts_this_run_recomputes(
    start_column='unixTimeMS_state_start', end_column='unixTimeMS_state_end'
) -%}
    {%- if is_incremental() and execute and model.resource_type == 'model' -%}
        {{ return(cluster_state_facts_to_recompute(
            ref('cluster_state_silver'), cluster_state_checkpoint_ms(this, end_column), start_column, end_column
        )) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- The pre-hook of a model keyed by cluster states (cluster_state_fact, job_run_cluster_state_share,
    cluster_state_hour; `start_column` and `end_column` name the state's start and end in its table): in an
    incremental run, delete the rows of every state cluster_state_silver may have changed since this table's
    last run (macro cluster_state_facts_to_recompute, from this table's checkpoint: the same one
    cluster_state_silver's run used, or an earlier one if this table lagged). The model then inserts these
    states afresh, so a state the silver run deleted is gone here too. A run killed between the delete and
    the insert leaves an earlier newest end, hence an earlier checkpoint: the next run recomputes what it
    lost. Empty in a full build. -#}
{% macro delete_cluster_state_facts_to_recompute(
    cluster_states, start_column='unixTimeMS_state_start', end_column='unixTimeMS_state_end'
) -%}
    {%- if execute and is_incremental() -%}
    delete from {{ this }}
    where {{ cluster_state_facts_to_recompute(
        cluster_states, cluster_state_checkpoint_ms(this, end_column), start_column, end_column
    ) }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of cluster_state_hour an incremental run of cluster_state_fact calibrates, as a predicate over
    its columns: every hour from the clock hour of the checkpoint (`checkpoint_hour_ms`) on; every hour of
    the states the run recomputes (macro cluster_state_facts_to_recompute: a state running for days reaches
    back to its start); and the hour each recomputed running state that started before the checkpoint's
    hour (`earlier_states`, macro recomputed_running_states_started_before) started in, which it shares with
    the kept states ending in it. Literal bounds, so that the read prunes by the hour table's layout. -#}
{% macro hours_to_calibrate(checkpoint_ms, checkpoint_hour_ms, earlier_states) -%}
    (
        hour_start >= timestamp_millis({{ checkpoint_hour_ms | int }})
        or {{ cluster_state_facts_to_recompute(
            ref('cluster_state_silver'), checkpoint_ms, 'state_start_ms', 'state_end_ms'
        ) }}
        {%- for state in earlier_states %}
        or (
            organization_id = '{{ state[0] }}'
            and cluster_id = '{{ state[1] }}'
            and hour_start = timestamp_millis({{ (state[2] // 3600000 * 3600000) | int }})
        )
        {%- endfor %}
    )
{%- endmacro %}
