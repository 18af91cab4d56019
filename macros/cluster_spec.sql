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

{#- Every cluster spec field an action states: the size (which every action restates) and the carried ones. -#}
{% macro cluster_spec_columns() %}
  {{- return(['num_workers', 'autoscale_min_workers', 'autoscale_max_workers'] + cluster_spec_carried_columns()) -}}
{% endmacro %}

{#- The snapImpute actions of cluster_spec_actions: the first of `cluster_snapshots` (shaped like
    stg_api__clusters) of each cluster that has no create among `cluster_actions` (audit actions, column
    action), as a spec action whose creator is the snapshot's. cluster_silver's incremental runs pass the
    window's snapshots of the clusters first listed in it. -#}
{% macro cluster_actions_imputed_from_snapshots(cluster_snapshots, cluster_actions) %}
    {%- set key_columns = ['organization_id', 'cluster_id'] -%}
    {%- set first_cluster_snapshots = first_snapshots(
        cluster_snapshots, key_columns, 'snapshot_time_ms',
        key_columns + ['snapshot_time_ms', 'creator_user_name', 'effective_spark_version'] + cluster_spec_columns()
    ) %}
    select
        organization_id,
        cluster_id,
        'snapImpute' as action,
        snapshot_time_ms as unix_time_ms,
        cast(null as string) as user_email,
        creator_user_name,
        coalesce(effective_spark_version, spark_version) as spark_version,
        {%- for column_name in cluster_spec_columns() if column_name != 'spark_version' %}
        {{ column_name }},
        {%- endfor %}
        creator_user_name as named_creator,
        cast(null as string) as named_editor
    from (
        {{ without_create_action('(' ~ first_cluster_snapshots ~ ')', cluster_actions, key_columns, 'action') }}
    ) as clusters_without_create_action
{%- endmacro %}

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

{#- A struct of each column's last non-null value among the cluster's actions so far (window `window_name`):
    the spec a later resize carries over, kept on each row so that an incremental run carries it forward
    from the row instead of replaying the cluster's actions. -#}
{% macro last_stated_values(column_names, window_name) %}
    {%- set fields = [] -%}
    {%- for column_name in column_names -%}
        {%- do fields.append("'" ~ column_name ~ "', last_value(" ~ column_name ~ ", true) over " ~ window_name) -%}
    {%- endfor -%}
    named_struct(
            {{ fields | join(',\n            ') }}
        )
{%- endmacro %}

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
