{#- End of the load window, epoch ms, as a one-row select (until_time_ms): the var until_time_ms when passed,
    else the newest event's time in `relation` + 1 ms. Open states end there. -#}
{% macro run_window_until_ms(relation, time_column) %}
    {%- set until_time_ms = var('until_time_ms', none) -%}
    select
    {%- if until_time_ms is not none %}
        cast({{ until_time_ms }} as bigint) as until_time_ms
    {%- else %}
        max({{ time_column }}) + 1 as until_time_ms
    from {{ relation }}
    {%- endif %}
{%- endmacro %}
