{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'cluster_id'],
    )
}}

{#- Each cluster's last clusters-API snapshot, wherever it lies: a cluster the listings no longer show (a job
    cluster 30 days after it terminated) keeps the last one that did. Incremental: a run reads only the
    snapshots taken from the newest one kept less the look-back (var lookback_days), as a literal that prunes
    the bronze table's day layout; a cluster's newest of them is newer than the row it replaces. -#}
{%- set window_start_ms = incremental_window_start_ms('snapshot_time_ms') -%}
with

cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        snapshot_time,
        snapshot_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        spark_conf,
        cluster_source,
        row_number() over (partition by organization_id, cluster_id order by snapshot_time desc) as recency
    from {{ ref('stg_api__clusters') }}
    {%- if window_start_ms is not none %}
        where snapshot_time >= timestamp_millis({{ window_start_ms }})
    {%- endif %}

)

select
    organization_id,
    cluster_id,
    snapshot_time,
    snapshot_time_ms,
    cluster_name,
    custom_tags,
    driver_node_type_id,
    node_type_id,
    spark_version,
    runtime_engine,
    spark_conf,
    cluster_source
from cluster_snapshots
where recency = 1
