-- Cluster inventory (the "Cluster inventory" dashboard): each cluster's spec as last changed, whether it
-- was permanently deleted, and what it cost over the last 30 days of data.
with

latest_specs as (

    select
        organization_id,
        workspace_name,
        cluster_id,
        cluster_name,
        cluster_type,
        is_automated,
        driver_node_type,
        node_type,
        num_workers,
        autoscale,
        spark_version,
        runtime_engine,
        policy_id,
        data_security_mode,
        created_by,
        deleted_by,
        action as last_action,
        timestamp as last_changed_at,
        row_number() over (
            partition by organization_id, cluster_id order by unixTimeMS desc, action desc
        ) as recency
    from {{ ref('cluster_presentation') }}

),

latest_usage as (

    select max(usage_date) as last_usage_date
    from {{ ref('cluster_cost_daily_presentation') }}

),

recent_costs as (

    select
        daily_costs.organization_id,
        daily_costs.cluster_id,
        sum(daily_costs.total_dbus) as dbus_last_30_days,
        sum(daily_costs.total_cost) as cost_last_30_days
    from {{ ref('cluster_cost_daily_presentation') }} as daily_costs
    cross join latest_usage
    where daily_costs.usage_date > date_sub(latest_usage.last_usage_date, 30)
    group by daily_costs.organization_id, daily_costs.cluster_id

)

select
    latest_specs.organization_id,
    latest_specs.workspace_name,
    latest_specs.cluster_id,
    latest_specs.cluster_name,
    latest_specs.cluster_type,
    latest_specs.is_automated,
    latest_specs.driver_node_type,
    latest_specs.node_type,
    latest_specs.num_workers,
    latest_specs.autoscale,
    latest_specs.spark_version,
    latest_specs.runtime_engine,
    latest_specs.policy_id,
    latest_specs.data_security_mode,
    latest_specs.created_by,
    latest_specs.last_action,
    latest_specs.last_changed_at,
    latest_specs.deleted_by is not null as is_deleted,
    coalesce(recent_costs.dbus_last_30_days, 0) as dbus_last_30_days,
    coalesce(recent_costs.cost_last_30_days, 0) as cost_last_30_days
from latest_specs
left join recent_costs
    on
        latest_specs.organization_id = recent_costs.organization_id
        and latest_specs.cluster_id = recent_costs.cluster_id
where latest_specs.recency = 1
