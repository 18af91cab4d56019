{#- The union of possibly overlapping intervals, per partition: one row per maximal interval (the
    partition columns, min of start_column, max of end_column, named as the inputs). An interval that
    starts after every earlier one of its partition ended opens a new merged interval, so overlapping or
    nested intervals count once. `intervals` is a relation or CTE name with the partition, start and end
    columns. -#}
{% macro merged_intervals(intervals, partition_columns, start_column, end_column) -%}
    {%- set partition_list = partition_columns | join(', ') -%}
    select
        {{ partition_list }},
        min({{ start_column }}) as {{ start_column }},
        max({{ end_column }}) as {{ end_column }}
    from (
        select
            {{ partition_list }},
            {{ start_column }},
            {{ end_column }},
            sum(case when previous_end is null or {{ start_column }} > previous_end then 1 else 0 end) over (
                partition by {{ partition_list }}
                order by {{ start_column }}, {{ end_column }}
                rows between unbounded preceding and current row
            ) as island_number
        from (
            select
                {{ partition_list }},
                {{ start_column }},
                {{ end_column }},
                max({{ end_column }}) over (
                    partition by {{ partition_list }}
                    order by {{ start_column }}, {{ end_column }}
                    rows between unbounded preceding and 1 preceding
                ) as previous_end
            from {{ intervals }}
        ) as intervals_with_previous_end
    ) as interval_islands
    group by {{ partition_list }}, island_number
{%- endmacro %}
