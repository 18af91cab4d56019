{#- An incremental merge that can also delete: dbt's merge strategy only updates and inserts, so a model
    whose incremental run must remove rows a full rebuild would no longer produce (a state that later
    events show never existed) sets the `merge_delete_column` config to a boolean column of its
    incremental output. Rows flagged there delete the target row with their key; the rest are upserted on
    the unique key as usual, and the flag column itself is never written. Every other model keeps the
    adapter's own merge. -#}
{% macro spark__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if config.get('merge_delete_column') -%}
        {{ return(merge_deleting_flagged_rows_sql(target, source, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {{ return(dbt.spark__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
{%- endmacro %}

{% macro databricks__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if config.get('merge_delete_column') -%}
        {{ return(merge_deleting_flagged_rows_sql(target, source, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {{ return(dbt.databricks__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
{%- endmacro %}

{% macro merge_deleting_flagged_rows_sql(target, source, unique_key, incremental_predicates) -%}
    {%- set delete_column = config.get('merge_delete_column') -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set predicates = [] if incremental_predicates is none else [] + incremental_predicates -%}
    {%- for key in keys -%}
        {%- do predicates.append('dbt_internal_source.' ~ key ~ ' = dbt_internal_dest.' ~ key) -%}
    {%- endfor -%}
    {#- The target's columns, named one by one: the source has the flag column besides them. -#}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    merge into {{ target }} as dbt_internal_dest
    using {{ source }} as dbt_internal_source
        on {{ predicates | join(' and ') }}
    when matched and dbt_internal_source.{{ delete_column }} then delete
    when matched then update set
        {%- for column in columns %}
        {{ column }} = dbt_internal_source.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    when not matched and not dbt_internal_source.{{ delete_column }} then insert ({{ columns | join(', ') }})
        values (
        {%- for column in columns -%}
            dbt_internal_source.{{ column }}{{ ', ' if not loop.last }}
        {%- endfor -%}
        )
{%- endmacro %}
