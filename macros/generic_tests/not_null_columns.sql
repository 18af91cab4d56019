{#- not_null for several columns of a model in one scan: a row for each column holding nulls, with how many.
    One query per model rather than one per column: a build's data tests are mostly not-null checks, and
    each query has a fixed cost (a Spark job locally, a warehouse query on Databricks). -#}
{% test not_null_columns(model, column_names) %}

with

null_rows as (

    select
        {%- for column_name in column_names %}
        count_if({{ column_name }} is null) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

)
{% for column_name in column_names %}
{%- if not loop.first %}
union all
{% endif %}
select
    '{{ column_name }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_rows
where null_rows_{{ loop.index }} > 0
{% endfor %}
{% endtest %}
