-- Daily cost by workspace and product (the "Cost overview" dashboard): what clusters and SQL warehouses
-- cost per UTC day, split by SKU. Cluster days come from cluster_cost_daily (states split at midnight);
-- a warehouse state counts on the day it started.
with

cluster_costs as (

    select
        organization_id,
        workspace_name,
        usage_date,
        'clusters' as product,
        sku,
        sum(total_dbus) as total_dbus,
        sum(total_cost) as total_cost
    from {{ ref('cluster_cost_daily_presentation') }}
    group by organization_id, workspace_name, usage_date, sku

),

warehouse_costs as (

    select
        organization_id,
        workspace_name,
        state_start_date as usage_date,
        'sql_warehouses' as product,
        sku,
        sum(total_dbus) as total_dbus,
        sum(total_DBU_cost) as total_cost
    from {{ ref('warehouse_state_fact_presentation') }}
    group by organization_id, workspace_name, state_start_date, sku

)

select
    organization_id,
    workspace_name,
    usage_date,
    product,
    sku,
    total_dbus,
    total_cost
from cluster_costs
union all
select
    organization_id,
    workspace_name,
    usage_date,
    product,
    sku,
    total_dbus,
    total_cost
from warehouse_costs
