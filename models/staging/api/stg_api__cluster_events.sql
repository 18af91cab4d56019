{#- Cluster events from the clusters/events API, one row per event, with the detail fields the models read
    parsed once; the details stay as JSON text for the models that show them. -#}
with

cluster_events as (

    select
        organization_id,
        cluster_id,
        type,
        timestamp,
        details
    from {{ source('overwatch_bronze', 'cluster_events_bronze') }}

)

select
    organization_id,
    cluster_id,
    type as event_type,
    timestamp as event_time_ms,
    details,
    cast(get_json_object(details, '$.current_num_workers') as int) as current_num_workers,
    cast(get_json_object(details, '$.target_num_workers') as int) as target_num_workers,
    cast(get_json_object(details, '$.cluster_size.num_workers') as int) as cluster_size_num_workers,
    cast(get_json_object(details, '$.cluster_size.autoscale.min_workers') as int)
        as cluster_size_autoscale_min_workers,
    get_json_object(details, '$.cause') as cause,
    get_json_object(details, '$.previous_attributes') as previous_attributes,
    get_json_object(details, '$.previous_attributes.cluster_name') as previous_cluster_name,
    {{ json_to_string_map("get_json_object(details, '$.previous_attributes.custom_tags')") }} as previous_custom_tags,
    get_json_object(details, '$.previous_attributes.driver_node_type_id') as previous_driver_node_type_id,
    get_json_object(details, '$.previous_attributes.node_type_id') as previous_node_type_id,
    get_json_object(details, '$.previous_attributes.instance_pool_id') as previous_instance_pool_id,
    get_json_object(details, '$.previous_attributes.spark_version') as previous_spark_version,
    get_json_object(details, '$.previous_attributes.runtime_engine') as previous_runtime_engine,
    {{ json_to_string_map("get_json_object(details, '$.previous_attributes.spark_conf')") }} as previous_spark_conf,
    get_json_object(details, '$.previous_attributes.cluster_source') as previous_cluster_source
from cluster_events
