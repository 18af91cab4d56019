{#- Rank of a version among an entity's versions for a point in time: 1 for the latest version at or before
    `as_of_time`; when there is none (the point precedes every known version), 1 for the first version after
    it. Equal times are ordered by `tie_breakers`. Keep the rows where the rank is 1. -#}
{% macro as_of_rank(partition_columns, version_time, as_of_time, tie_breakers=[]) %}
    row_number() over (
        partition by {{ partition_columns | join(', ') }}
        order by
            case when {{ version_time }} <= {{ as_of_time }} then 0 else 1 end,
            case when {{ version_time }} <= {{ as_of_time }} then -{{ version_time }} else {{ version_time }} end
            {%- for tie_breaker in tie_breakers %},
            {{ tie_breaker }}
            {%- endfor %}
    )
{%- endmacro %}
