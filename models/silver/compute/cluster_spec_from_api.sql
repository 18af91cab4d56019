{{ config(materialized='view') }}

{#- Cluster specs known from the clusters API, for the states the audit logs give no spec for: each cluster's
    last API snapshot (cluster_api_snapshot_last_seen), as of its snapshot time, and the attributes
    its first EDITED event replaced, standing for the time before that edit (only when they name node types,
    not pools). Classified as cluster_silver classifies an action. -#}

with

last_cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        snapshot_time_ms as spec_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        spark_conf,
        cluster_source
    from {{ ref('cluster_api_snapshot_last_seen') }}

),

first_edit_events as (

    select
        organization_id,
        cluster_id,
        previous_cluster_name,
        previous_custom_tags,
        previous_driver_node_type_id,
        previous_node_type_id,
        previous_instance_pool_id,
        previous_spark_version,
        previous_runtime_engine,
        previous_spark_conf,
        previous_cluster_source,
        row_number() over (partition by organization_id, cluster_id order by event_time_ms) as edit_number
    from {{ ref('stg_api__cluster_events') }}
    where event_type = 'EDITED'

),

api_specs as (

    select
        organization_id,
        cluster_id,
        spec_time_ms,
        cluster_name,
        custom_tags,
        coalesce(driver_node_type_id, node_type_id) as driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        spark_conf,
        cluster_source
    from last_cluster_snapshots
    union all
    select
        organization_id,
        cluster_id,
        cast(0 as bigint) as spec_time_ms,
        previous_cluster_name as cluster_name,
        previous_custom_tags as custom_tags,
        coalesce(previous_driver_node_type_id, previous_node_type_id) as driver_node_type_id,
        previous_node_type_id as node_type_id,
        previous_spark_version as spark_version,
        previous_runtime_engine as runtime_engine,
        previous_spark_conf as spark_conf,
        previous_cluster_source as cluster_source
    from first_edit_events
    where
        edit_number = 1
        and previous_node_type_id is not null
        and previous_instance_pool_id is null

)

select
    organization_id,
    cluster_id,
    spec_time_ms,
    cluster_name,
    custom_tags,
    driver_node_type_id,
    case
        when coalesce(spark_conf['spark.databricks.cluster.profile'] = 'singleNode', false) then cast(null as string)
        else node_type_id
    end as node_type_id,
    spark_version,
    {{ cluster_runtime_engine('runtime_engine', 'spark_version') }} as runtime_engine,
    {{ is_photon_cluster('runtime_engine', 'spark_version') }} as is_photon,
    {{ is_single_node_cluster('spark_conf', 'custom_tags') }} as is_single_node,
    {{ is_automated_cluster('cluster_name', 'cluster_source') }} as is_automated,
    coalesce(custom_tags['SqlEndpointId'] is not null, false) as is_sql_warehouse
from api_specs
