{#- Where a model's window starts when its newest row can lag far behind the data it has read: a job that no
    one edited for weeks leaves job_silver's newest event weeks old, and a window back from it would re-read
    every audit event since. The post-hook record_processed_until keeps the run's until-time (var
    until_time_ms) as a table property; the next run's window starts at the later of its newest row and that
    time, less the look-back. A table property, so that the record needs no table of its own and goes with
    a --full-refresh (which rebuilds everything anyway). -#}

{% macro processed_until_property() -%}
    {{ return('overwatch.processed_until_ms') }}
{%- endmacro %}

{#- The post-hook: records var until_time_ms on the model's table; nothing without the var. A run killed
    before it leaves the previous record: the next run's window then starts earlier, which is safe. -#}
{% macro record_processed_until() -%}
    {%- set until_time_ms = var('until_time_ms', none) -%}
    {%- if until_time_ms is not none -%}
        alter table {{ this }} set tblproperties ('{{ processed_until_property() }}' = '{{ until_time_ms | int }}')
    {%- endif -%}
{%- endmacro %}

{#- The until-time the last run of `relation` recorded (epoch ms), or none. -#}
{% macro recorded_processed_until_ms(relation) -%}
    {%- for row in run_query('show tblproperties ' ~ relation).rows
        if row[0] == processed_until_property() -%}
        {{ return(row[1] | int) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
