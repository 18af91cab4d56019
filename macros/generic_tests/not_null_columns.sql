{#- not_null for several columns of a model in one scan: a row for each column holding nulls, with how many.
    One query per model rather than one per column: a build's data tests are mostly not-null checks, and
    each query has a fixed cost (a Spark job locally, a warehouse query on Databricks). The counts become
    rows with stack(), not a union of one select per column: Spark plans every branch of a union, which
    made this test take about twice as long. -#}
{% test not_null_columns(model, column_names) %}

with

null_rows as (

    select
        {%- for column_name in column_names %}
        count_if({{ column_name }} is null) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

null_rows_per_column as (

    select
        stack(
            {{ column_names | length }},
            {%- for column_name in column_names %}
            '{{ column_name }}', null_rows_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as (column_name, null_rows)
    from null_rows

)

select
    column_name,
    null_rows
from null_rows_per_column
where null_rows > 0
{% endtest %}
