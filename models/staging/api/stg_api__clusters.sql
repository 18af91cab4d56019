{#- Snapshots of the clusters API (clusters/list), one row per cluster and snapshot time, with the fields the
    models read parsed once from the ClusterDetails JSON. Objects stay both as maps (to look keys up) and as
    the API's JSON text where a model compares or shows them unchanged. -#}
with

cluster_snapshots as (

    select
        organization_id,
        entity_id as cluster_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'clusters_snapshot_bronze') }}

)

select
    organization_id,
    cluster_id,
    snapshot_time,
    unix_millis(snapshot_time) as snapshot_time_ms,
    get_json_object(raw_json, '$.cluster_name') as cluster_name,
    get_json_object(raw_json, '$.spark_version') as spark_version,
    get_json_object(raw_json, '$.effective_spark_version') as effective_spark_version,
    get_json_object(raw_json, '$.driver_node_type_id') as driver_node_type_id,
    get_json_object(raw_json, '$.node_type_id') as node_type_id,
    cast(get_json_object(raw_json, '$.num_workers') as int) as num_workers,
    cast(get_json_object(raw_json, '$.autoscale.min_workers') as int) as autoscale_min_workers,
    cast(get_json_object(raw_json, '$.autoscale.max_workers') as int) as autoscale_max_workers,
    cast(get_json_object(raw_json, '$.autotermination_minutes') as int) as auto_termination_minutes,
    get_json_object(raw_json, '$.enable_elastic_disk') as enable_elastic_disk,
    get_json_object(raw_json, '$.custom_tags') as custom_tags_json,
    {{ json_to_string_map("get_json_object(raw_json, '$.custom_tags')") }} as custom_tags,
    get_json_object(raw_json, '$.spark_conf') as spark_conf_json,
    {{ json_to_string_map("get_json_object(raw_json, '$.spark_conf')") }} as spark_conf,
    {{ json_to_string_map("get_json_object(raw_json, '$.spark_env_vars')") }} as spark_env_vars,
    {{ json_to_string_map("get_json_object(raw_json, '$.aws_attributes')") }} as aws_attributes,
    {{ json_to_string_map("get_json_object(raw_json, '$.azure_attributes')") }} as azure_attributes,
    {{ json_to_string_map("get_json_object(raw_json, '$.gcp_attributes')") }} as gcp_attributes,
    get_json_object(raw_json, '$.cluster_log_conf') as cluster_log_conf,
    get_json_object(raw_json, '$.init_scripts') as init_scripts,
    get_json_object(raw_json, '$.cluster_source') as cluster_source,
    get_json_object(raw_json, '$.acl_path_prefix') as acl_path_prefix,
    get_json_object(raw_json, '$.instance_pool_id') as instance_pool_id,
    get_json_object(raw_json, '$.driver_instance_pool_id') as driver_instance_pool_id,
    get_json_object(raw_json, '$.idempotency_token') as idempotency_token,
    get_json_object(raw_json, '$.runtime_engine') as runtime_engine,
    get_json_object(raw_json, '$.policy_id') as policy_id,
    get_json_object(raw_json, '$.data_security_mode') as data_security_mode,
    get_json_object(raw_json, '$.single_user_name') as single_user_name,
    get_json_object(raw_json, '$.creator_user_name') as creator_user_name,
    get_json_object(raw_json, '$.default_tags.Creator') as default_tags_creator,
    get_json_object(raw_json, '$.state') as state
from cluster_snapshots
