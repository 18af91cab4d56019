{#- Snapshots of the instance pools API (instance-pools/list), one row per pool and snapshot time, with the
    pool's attributes parsed once from its JSON. -#}
with

instance_pool_snapshots as (

    select
        organization_id,
        entity_id as instance_pool_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'instance_pools_snapshot_bronze') }}

)

select
    organization_id,
    instance_pool_id,
    snapshot_time,
    unix_millis(snapshot_time) as snapshot_time_ms,
    get_json_object(raw_json, '$.instance_pool_name') as instance_pool_name,
    get_json_object(raw_json, '$.node_type_id') as node_type_id,
    cast(get_json_object(raw_json, '$.idle_instance_autotermination_minutes') as int)
        as idle_instance_autotermination_minutes,
    cast(get_json_object(raw_json, '$.min_idle_instances') as int) as min_idle_instances,
    cast(get_json_object(raw_json, '$.max_capacity') as int) as max_capacity,
    get_json_object(raw_json, '$.preloaded_spark_versions') as preloaded_spark_versions,
    {{ json_to_string_map("get_json_object(raw_json, '$.aws_attributes')") }} as aws_attributes,
    {{ json_to_string_map("get_json_object(raw_json, '$.azure_attributes')") }} as azure_attributes,
    {{ json_to_string_map("get_json_object(raw_json, '$.gcp_attributes')") }} as gcp_attributes,
    {{ json_to_string_map("get_json_object(raw_json, '$.custom_tags')") }} as custom_tags
from instance_pool_snapshots
