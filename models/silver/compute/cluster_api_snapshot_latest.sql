{{ config(materialized='table') }}

{#- A table built afresh each run, reading only the recent listings (macro latest_listings_from) where that
    finds every workspace's latest; a view would read every listing ever taken at each snapshot run. -#}
{%- set listings_from = latest_listings_from(ref('stg_api__clusters')) %}

with

cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        snapshot_time,
        cluster_name,
        coalesce(effective_spark_version, spark_version) as spark_version,
        driver_node_type_id,
        node_type_id,
        num_workers,
        autoscale_min_workers,
        autoscale_max_workers,
        auto_termination_minutes,
        custom_tags_json as custom_tags,
        spark_conf_json as spark_conf,
        instance_pool_id,
        driver_instance_pool_id,
        policy_id,
        data_security_mode,
        single_user_name,
        runtime_engine,
        cluster_source,
        creator_user_name,
        state
    from {{ ref('stg_api__clusters') }}
    {%- if listings_from %}
        where snapshot_time >= {{ listings_from }}
    {%- endif %}

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
        cluster_snapshots.cluster_name,
        cluster_snapshots.spark_version,
        cluster_snapshots.driver_node_type_id,
        cluster_snapshots.node_type_id,
        cluster_snapshots.num_workers,
        cluster_snapshots.autoscale_min_workers,
        cluster_snapshots.autoscale_max_workers,
        cluster_snapshots.auto_termination_minutes,
        cluster_snapshots.custom_tags,
        cluster_snapshots.spark_conf,
        cluster_snapshots.instance_pool_id,
        cluster_snapshots.driver_instance_pool_id,
        cluster_snapshots.policy_id,
        cluster_snapshots.data_security_mode,
        cluster_snapshots.single_user_name,
        cluster_snapshots.runtime_engine,
        cluster_snapshots.cluster_source,
        cluster_snapshots.creator_user_name,
        cluster_snapshots.state
    from cluster_snapshots
    inner join latest_listing_times
        on
            cluster_snapshots.organization_id = latest_listing_times.organization_id
            and cluster_snapshots.snapshot_time = latest_listing_times.snapshot_time

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
    from latest_cluster_listing

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
