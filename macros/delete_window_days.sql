{#- The pre-hook of an incremental model that recomputes whole days: in an incremental run, delete the
    model's rows from the window start (macro incremental_window_start) on, so that the run's merge inserts
    those days afresh and a row the run no longer produces is gone (a merge only updates and inserts). The
    same window start as the model's own SQL: the hook runs before the merge, on the same table. A delete on
    the partition (Iceberg) or clustering (Delta) column drops whole files. Empty in a full build. -#}
{% macro delete_window_days(date_column) -%}
    {%- set window_start = incremental_window_start(date_column) -%}
    {%- if window_start %}
    delete from {{ this }} where {{ date_column }} >= {{ window_start }}
    {%- endif %}
{%- endmacro %}
