{#- dbt-spark lists relations with `show table extended`, which Spark refuses for Iceberg (v2) tables
    (SPARK-33393). Its fallback sees tables only (the Iceberg catalog lists views under `show views`)
    and keeps no column types, so views escape the relation cache and the docs catalog comes out empty.
    This lists tables and views in the `show table extended` shape dbt-spark parses; for `dbt docs
    generate` it describes each relation too, so the catalog has every column and its type (other
    commands skip that cost). Databricks has its own listing (dbt-databricks), untouched by this. -#}
{% macro spark__list_relations_without_caching(relation) %}
    {%- set with_columns = invocation_args_dict.get('which') == 'generate' -%}
    {%- set described = [] -%}
    {%- for relation_type, listing_sql in [
        ('MANAGED', 'show tables in ' ~ relation.schema),
        ('VIEW', 'show views in ' ~ relation.schema),
    ] -%}
        {%- for listed in run_query(listing_sql) if not listed[2] -%}
            {%- do described.append(
                (listed[0], listed[1], relation_information(relation.schema, listed[1], relation_type, with_columns))
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- call statement('list_relations_without_caching', fetch_result=True) -%}
        {%- if described %}
        select namespace, tableName, isTemporary, information from values
        {%- for namespace, name, information in described %}
            ('{{ spark_string_literal(namespace) }}', '{{ spark_string_literal(name) }}', false,
             '{{ spark_string_literal(information) }}'){{ ',' if not loop.last }}
        {%- endfor %}
        as relations (namespace, tableName, isTemporary, information)
        {%- else %}
        select
            cast(null as string) as namespace,
            cast(null as string) as tableName,
            false as isTemporary,
            cast(null as string) as information
        where 1 = 0
        {%- endif %}
    {%- endcall -%}
    {%- do return(load_result('list_relations_without_caching').table) -%}
{% endmacro %}

{#- One relation's information as `show table extended` would give it, columns only when asked. -#}
{% macro relation_information(schema, name, relation_type, with_columns) %}
    {%- set lines = ['Type: ' ~ relation_type] -%}
    {%- if relation_type != 'VIEW' -%}
        {%- do lines.append('Provider: iceberg') -%}
    {%- endif -%}
    {%- if not with_columns -%}
        {%- do return(lines | join('\n')) -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- set in_columns = namespace(value=true) -%}
    {%- for row in run_query('describe table extended ' ~ schema ~ '.' ~ name) -%}
        {%- if not row[0] or row[0].startswith('#') -%}
            {%- set in_columns.value = false -%}
        {%- elif in_columns.value -%}
            {%- do columns.append(' |-- ' ~ row[0] ~ ': ' ~ row[1] ~ ' (nullable = true)') -%}
        {%- elif row[0] == 'Owner' -%}
            {%- do lines.append('Owner: ' ~ row[1]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return((lines + ['Schema: root'] + columns) | join('\n')) -%}
{% endmacro %}

{#- Text inside a single-quoted Spark SQL literal: backslashes, quotes and line breaks escaped. -#}
{% macro spark_string_literal(text) %}
    {%- do return(text | replace('\\', '\\\\') | replace("'", "\\'") | replace('\n', '\\n')) -%}
{% endmacro %}
