{#- Overwatch's gold warehouse: the SQL warehouse spec history, one row per create, edit, delete or
    snapImpute, attributes carried forward (warehouse_silver). -#}
with

warehouse_spec as (

    select
        organization_id,
        warehouse_id,
        warehouse_name,
        service_name,
        action_name,
        user_email,
        cluster_size,
        min_num_clusters,
        max_num_clusters,
        auto_stop_mins,
        spot_instance_policy,
        enable_photon,
        channel,
        enable_serverless_compute,
        warehouse_type,
        warehouse_state,
        size,
        auto_resume,
        creator_id,
        tags,
        num_clusters,
        num_active_sessions,
        jdbc_url,
        unix_time_ms,
        action_timestamp,
        action_date,
        created_by
    from {{ ref('warehouse_silver') }}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    warehouse_id,
    warehouse_name,
    service_name,
    action_name,
    user_email,
    cluster_size,
    min_num_clusters,
    max_num_clusters,
    auto_stop_mins,
    spot_instance_policy,
    enable_photon,
    channel,
    enable_serverless_compute,
    warehouse_type,
    warehouse_state,
    size,
    auto_resume,
    creator_id,
    tags,
    num_clusters,
    num_active_sessions,
    jdbc_url,
    unix_time_ms as unixTimeMS,
    action_timestamp as timestamp,
    action_date as date,
    created_by
from warehouse_spec
