-- Daily cost by workspace, cluster and SKU (the "Daily cost" dashboard): DBUs, DBU cost and cloud
-- compute cost per UTC day. cluster_cost_daily splits each cluster state at midnight, so days add up.
select
    organization_id,
    workspace_name,
    usage_date,
    cluster_id,
    sku,
    max(cluster_name) as cluster_name,
    sum(total_dbus) as total_dbus,
    sum(total_DBU_cost) as total_dbu_cost,
    sum(total_compute_cost) as total_compute_cost,
    sum(total_cost) as total_cost,
    -- Costs of a node type missing from the reference prices are null, not 0: say so on the row.
    bool_or(is_node_type_unknown) as has_unpriced_states
from {{ ref('cluster_cost_daily_presentation') }}
group by organization_id, workspace_name, usage_date, cluster_id, sku
