-- Daily SQL warehouse cost (the "Cost overview" dashboard): DBUs and DBU cost per warehouse and UTC day,
-- a state counted on the day it started.
select
    organization_id,
    workspace_name,
    state_start_date as usage_date,
    warehouse_id,
    max(warehouse_name) as warehouse_name,
    max(warehouse_type) as warehouse_type,
    sum(total_dbus) as total_dbus,
    sum(total_DBU_cost) as total_dbu_cost
from {{ ref('warehouse_state_fact_presentation') }}
group by organization_id, workspace_name, state_start_date, warehouse_id
