{#- Engine differences live in dispatched macros like these, so models stay identical on both engines. -#}

{% macro create_default_namespace() %}
  {{- return(adapter.dispatch('create_default_namespace', 'overwatch')()) -}}
{% endmacro %}

{#- dbt-spark snapshot staging views are created without a schema: the embedded catalog needs one. -#}
{% macro default__create_default_namespace() %}
  create namespace if not exists default
{% endmacro %}

{#- Unity Catalog has its own default schema; nothing to prepare. -#}
{% macro databricks__create_default_namespace() %}
  select 1
{% endmacro %}

{% macro bronze_schema() %}
  {{- return(target.schema ~ '_bronze') -}}
{% endmacro %}
