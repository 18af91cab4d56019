{#- Fails for every combination of the given columns that occurs more than once (dbt_utils' test, written here because the dbt hub is out of reach). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

combinations as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select
    {{ combination_of_columns | join(',\n    ') }},
    occurrences
from combinations
where occurrences > 1

{% endtest %}
