{#- Unity Catalog checks USE SCHEMA before SELECT, and dbt's `grants` config grants on relations only:
    whoever a model's grants let read a view must also be able to enter its schema. Run at the end of a
    run (on-run-end), for the schemas of the relations this run built with grants, so a schema that was
    not built is never named. Catalogs without grants (the local Iceberg/Hive catalog) do nothing. -#}
{% macro grant_schema_usage_to_view_readers() %}
    {{- return(adapter.dispatch('grant_schema_usage_to_view_readers', 'overwatch')()) -}}
{% endmacro %}

{% macro default__grant_schema_usage_to_view_readers() %}
    {{- return('') -}}
{% endmacro %}

{% macro databricks__grant_schema_usage_to_view_readers() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for result in results if result.status == 'success' and result.node.config.get('grants') -%}
        {%- set schema_name = adapter.quote(result.node.database) ~ '.' ~ adapter.quote(result.node.schema) -%}
        {%- for grantees in result.node.config.grants.values() -%}
            {%- for grantee in ([grantees] if grantees is string else grantees) -%}
                {%- set statement = 'grant use schema on schema ' ~ schema_name ~ ' to ' ~ adapter.quote(grantee) -%}
                {%- if statement not in statements -%}
                    {%- do statements.append(statement) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{- return('') -}}
{% endmacro %}
