{#- Every listing of a SQL warehouse by the sql/warehouses API, one row per warehouse and snapshot, with the
    warehouse object's JSON parsed once into columns. -#}
with

warehouse_snapshots as (

    select
        organization_id,
        entity_id,
        snapshot_time,
        raw_json,
        source_request,
        load_run_id,
        loaded_at
    from {{ source('overwatch_bronze', 'sql_warehouses_snapshot_bronze') }}

)

select
    organization_id,
    entity_id as warehouse_id,
    snapshot_time,
    unix_millis(snapshot_time) as snapshot_time_ms,
    get_json_object(raw_json, '$.name') as warehouse_name,
    get_json_object(raw_json, '$.cluster_size') as cluster_size,
    cast(get_json_object(raw_json, '$.min_num_clusters') as int) as min_num_clusters,
    cast(get_json_object(raw_json, '$.max_num_clusters') as int) as max_num_clusters,
    cast(get_json_object(raw_json, '$.auto_stop_mins') as int) as auto_stop_mins,
    get_json_object(raw_json, '$.spot_instance_policy') as spot_instance_policy,
    cast(get_json_object(raw_json, '$.enable_photon') as boolean) as enable_photon,
    get_json_object(raw_json, '$.channel.name') as channel,
    {{ warehouse_tags_map("get_json_object(raw_json, '$.tags')") }} as tags,
    cast(get_json_object(raw_json, '$.enable_serverless_compute') as boolean) as enable_serverless_compute,
    get_json_object(raw_json, '$.warehouse_type') as warehouse_type,
    get_json_object(raw_json, '$.state') as warehouse_state,
    -- Overwatch's column name, a keyword.
    get_json_object(raw_json, '$.size') as size,  -- noqa: RF04
    cast(get_json_object(raw_json, '$.num_clusters') as int) as num_clusters,
    cast(get_json_object(raw_json, '$.num_active_sessions') as bigint) as num_active_sessions,
    cast(get_json_object(raw_json, '$.auto_resume') as boolean) as auto_resume,
    get_json_object(raw_json, '$.creator_id') as creator_id,
    get_json_object(raw_json, '$.jdbc_url') as jdbc_url,
    get_json_object(raw_json, '$.creator_name') as creator_name,
    source_request,
    load_run_id,
    loaded_at
from warehouse_snapshots
