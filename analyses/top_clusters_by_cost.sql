-- Clusters by cost over all the data (the "Cost overview" dashboard), most expensive first.
select
    organization_id,
    max(workspace_name) as workspace_name,
    cluster_id,
    max(cluster_name) as cluster_name,
    count(distinct usage_date) as days_used,
    sum(uptime_in_day_H) as uptime_hours,
    sum(total_dbus) as total_dbus,
    sum(total_cost) as total_cost,
    -- Costs of a node type missing from the reference prices are null, not 0: say so on the row.
    bool_or(is_node_type_unknown) as has_unpriced_states
from {{ ref('cluster_cost_daily_presentation') }}
group by organization_id, cluster_id
order by total_cost desc
