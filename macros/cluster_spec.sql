{#- Cluster spec fields a `resize` request does not restate: they carry over from the cluster's previous action. -#}
{% macro cluster_spec_carried_columns() %}
  {{- return([
      'cluster_name', 'spark_version', 'driver_node_type_id', 'node_type_id', 'auto_termination_minutes',
      'enable_elastic_disk', 'custom_tags', 'spark_conf', 'spark_env_vars', 'aws_attributes',
      'azure_attributes', 'gcp_attributes', 'cluster_log_conf', 'init_scripts', 'cluster_source',
      'acl_path_prefix', 'instance_pool_id', 'driver_instance_pool_id', 'idempotency_token',
      'runtime_engine', 'policy_id', 'data_security_mode', 'single_user_name'
  ]) -}}
{% endmacro %}

{#- A JSON object held as text (a request parameter, a field of an API object) as a string map. -#}
{% macro json_to_string_map(json_text) %}
  from_json({{ json_text }}, 'map<string,string>')
{%- endmacro %}

{#- For each column: on a `resize` row, the column's last non-null value among the cluster's actions so far
    (window `window_name`); on any other row, the row's own value. -#}
{% macro carried_over_on_resize(column_names, window_name) %}
    {%- set expressions = [] -%}
    {%- for column_name in column_names -%}
        {%- do expressions.append(
            "case when action = 'resize' then last_value(" ~ column_name ~ ", true) over " ~ window_name
            ~ " else " ~ column_name ~ " end as " ~ column_name
        ) -%}
    {%- endfor -%}
    {{- expressions | join(',\n        ') -}}
{% endmacro %}

{#- How a cluster spec is classified, the same wherever a spec is read (audit actions, API snapshots):
    single node (the singleNode profile or the SingleNode resource class), automated (a job cluster: named
    job-<job>-run-<run> or sourced from a job), its runtime engine and whether it runs Photon (as requested,
    else from a photon runtime image). -#}
{% macro is_single_node_cluster(spark_conf, custom_tags) %}
    coalesce(
        {{ spark_conf }}['spark.databricks.cluster.profile'] = 'singleNode'
        or {{ custom_tags }}['ResourceClass'] = 'SingleNode',
        false
    )
{%- endmacro %}

{% macro is_automated_cluster(cluster_name, cluster_source) %}
    coalesce({{ cluster_name }} like 'job-%-run-%' or {{ cluster_source }} = 'JOB', false)
{%- endmacro %}

{% macro cluster_runtime_engine(runtime_engine, spark_version) %}
    coalesce(
        {{ runtime_engine }},
        case when lower({{ spark_version }}) like '%photon%' then 'PHOTON' else 'STANDARD' end
    )
{%- endmacro %}

{% macro is_photon_cluster(runtime_engine, spark_version) %}
    coalesce(upper({{ runtime_engine }}) = 'PHOTON' or lower({{ spark_version }}) like '%photon%', false)
{%- endmacro %}
