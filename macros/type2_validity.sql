{#- Type-2 validity from consecutive versions of an entity: a version is valid from its own time (the first
    version, from `first_valid_from` when given, so it also stands for the time before it was first seen)
    until the next version's time (the last version, until `open_end`). -#}
{% macro type2_valid_from(time_column, partition_columns, first_valid_from=none) %}
    {%- if first_valid_from is none -%}
        {{ time_column }}
    {%- else -%}
        case
            when row_number() over (
                partition by {{ partition_columns | join(', ') }} order by {{ time_column }}
            ) = 1 then {{ first_valid_from }}
            else {{ time_column }}
        end
    {%- endif -%}
{%- endmacro %}

{% macro type2_valid_until(time_column, partition_columns, open_end) %}
    coalesce(
        lead({{ time_column }}) over (partition by {{ partition_columns | join(', ') }} order by {{ time_column }}),
        {{ open_end }}
    )
{%- endmacro %}
