{{ config(materialized='view') }}

with

cluster_snapshots as (

    select
        organization_id,
        entity_id as cluster_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'clusters_snapshot_bronze') }}

),

latest_listing_times as (

    select
        organization_id,
        max(snapshot_time) as snapshot_time
    from cluster_snapshots
    group by organization_id

),

latest_cluster_listing as (

    select
        cluster_snapshots.organization_id,
        cluster_snapshots.cluster_id,
        cluster_snapshots.snapshot_time,
        cluster_snapshots.raw_json
    from cluster_snapshots
    inner join latest_listing_times
        on
            cluster_snapshots.organization_id = latest_listing_times.organization_id
            and cluster_snapshots.snapshot_time = latest_listing_times.snapshot_time

),

cluster_specs as (

    select
        organization_id,
        cluster_id,
        snapshot_time,
        get_json_object(raw_json, '$.cluster_name') as cluster_name,
        coalesce(
            get_json_object(raw_json, '$.effective_spark_version'),
            get_json_object(raw_json, '$.spark_version')
        ) as spark_version,
        get_json_object(raw_json, '$.driver_node_type_id') as driver_node_type_id,
        get_json_object(raw_json, '$.node_type_id') as node_type_id,
        cast(get_json_object(raw_json, '$.num_workers') as int) as num_workers,
        cast(get_json_object(raw_json, '$.autoscale.min_workers') as int) as autoscale_min_workers,
        cast(get_json_object(raw_json, '$.autoscale.max_workers') as int) as autoscale_max_workers,
        cast(get_json_object(raw_json, '$.autotermination_minutes') as int) as auto_termination_minutes,
        get_json_object(raw_json, '$.custom_tags') as custom_tags,
        get_json_object(raw_json, '$.spark_conf') as spark_conf,
        get_json_object(raw_json, '$.instance_pool_id') as instance_pool_id,
        get_json_object(raw_json, '$.driver_instance_pool_id') as driver_instance_pool_id,
        get_json_object(raw_json, '$.policy_id') as policy_id,
        get_json_object(raw_json, '$.data_security_mode') as data_security_mode,
        get_json_object(raw_json, '$.single_user_name') as single_user_name,
        get_json_object(raw_json, '$.runtime_engine') as runtime_engine,
        get_json_object(raw_json, '$.cluster_source') as cluster_source,
        get_json_object(raw_json, '$.creator_user_name') as creator_user_name,
        get_json_object(raw_json, '$.state') as state
    from latest_cluster_listing

),

cluster_specs_hashed as (

    select
        concat_ws('/', organization_id, cluster_id) as workspace_cluster_id,
        organization_id,
        cluster_id,
        snapshot_time,
        cluster_name,
        spark_version,
        driver_node_type_id,
        node_type_id,
        num_workers,
        autoscale_min_workers,
        autoscale_max_workers,
        auto_termination_minutes,
        custom_tags,
        spark_conf,
        instance_pool_id,
        driver_instance_pool_id,
        policy_id,
        data_security_mode,
        single_user_name,
        runtime_engine,
        cluster_source,
        creator_user_name,
        state,
        -- The spec only: state, activity times and sizes reached by autoscaling change without an edit.
        sha2(
            to_json(
                named_struct(
                    'cluster_name', cluster_name,
                    'spark_version', spark_version,
                    'driver_node_type_id', driver_node_type_id,
                    'node_type_id', node_type_id,
                    'num_workers', num_workers,
                    'autoscale_min_workers', autoscale_min_workers,
                    'autoscale_max_workers', autoscale_max_workers,
                    'auto_termination_minutes', auto_termination_minutes,
                    'custom_tags', custom_tags,
                    'spark_conf', spark_conf,
                    'instance_pool_id', instance_pool_id,
                    'driver_instance_pool_id', driver_instance_pool_id,
                    'policy_id', policy_id,
                    'data_security_mode', data_security_mode,
                    'single_user_name', single_user_name,
                    'runtime_engine', runtime_engine
                )
            ),
            256
        ) as spec_hash
    from cluster_specs

)

select
    workspace_cluster_id,
    organization_id,
    cluster_id,
    snapshot_time,
    cluster_name,
    spark_version,
    driver_node_type_id,
    node_type_id,
    num_workers,
    autoscale_min_workers,
    autoscale_max_workers,
    auto_termination_minutes,
    custom_tags,
    spark_conf,
    instance_pool_id,
    driver_instance_pool_id,
    policy_id,
    data_security_mode,
    single_user_name,
    runtime_engine,
    cluster_source,
    creator_user_name,
    state,
    spec_hash
from cluster_specs_hashed
