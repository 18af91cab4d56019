{#- not_null restricted to the rows matching a condition (for columns that are required only for some rows). -#}
{% test not_null_where(model, column_name, condition) %}

select {{ column_name }} as null_value
from {{ model }}
where
    ({{ condition }})
    and {{ column_name }} is null

{% endtest %}
