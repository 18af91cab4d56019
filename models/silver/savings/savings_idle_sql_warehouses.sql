{#- Savings rule idle_sql_warehouse: SQL warehouses whose billable running time had no query running for
    more than the threshold share. Busy time is the union of the warehouse's query intervals (start to
    end), so overlapping queries count once. The saving is the DBU cost of the idle time (each state's
    cost times its idle share), scaled to a month: an upper bound, as auto-stop needs a few idle minutes. -#}
with

running_states as (

    select
        organization_id,
        warehouse_id,
        warehouse_name,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        total_DBU_cost as dbu_cost
    from {{ ref('warehouse_state_fact') }}
    where databricks_billable and unixTimeMS_state_end > unixTimeMS_state_start

),

query_intervals as (

    select
        organization_id,
        warehouse_id,
        query_start_time_ms as query_start_ms,
        greatest(coalesce(query_end_time_ms, query_start_time_ms), query_start_time_ms) as query_end_ms
    from {{ ref('sql_query_history') }}
    where warehouse_id is not null and query_start_time_ms is not null

),

busy_intervals as (

    -- Overlapping queries count once.
    select
        organization_id,
        warehouse_id,
        query_start_ms as busy_start_ms,
        query_end_ms as busy_end_ms
    from (
        {{ merged_intervals('query_intervals', ['organization_id', 'warehouse_id'], 'query_start_ms', 'query_end_ms') }}
    ) as merged_query_intervals

),

state_busy_time as (

    select
        running_states.organization_id,
        running_states.warehouse_id,
        running_states.state_start_ms,
        sum(
            greatest(
                least(running_states.state_end_ms, busy_intervals.busy_end_ms)
                - greatest(running_states.state_start_ms, busy_intervals.busy_start_ms),
                0
            )
        ) as busy_ms
    from running_states
    inner join busy_intervals
        on
            running_states.organization_id = busy_intervals.organization_id
            and running_states.warehouse_id = busy_intervals.warehouse_id
            and running_states.state_end_ms > busy_intervals.busy_start_ms
            and running_states.state_start_ms < busy_intervals.busy_end_ms
    group by running_states.organization_id, running_states.warehouse_id, running_states.state_start_ms

),

state_idle_time as (

    select
        running_states.organization_id,
        running_states.warehouse_id,
        running_states.warehouse_name,
        running_states.state_start_ms,
        running_states.state_end_ms - running_states.state_start_ms as running_ms,
        coalesce(state_busy_time.busy_ms, 0) as busy_ms,
        running_states.dbu_cost,
        running_states.dbu_cost
        * (running_states.state_end_ms - running_states.state_start_ms - coalesce(state_busy_time.busy_ms, 0))
        / (running_states.state_end_ms - running_states.state_start_ms) as idle_dbu_cost
    from running_states
    left join state_busy_time
        on
            running_states.organization_id = state_busy_time.organization_id
            and running_states.warehouse_id = state_busy_time.warehouse_id
            and running_states.state_start_ms = state_busy_time.state_start_ms

),

idle_warehouses as (

    select
        organization_id,
        warehouse_id,
        max_by(warehouse_name, state_start_ms) as warehouse_name,
        sum(running_ms) / cast(3600000 as double) as running_hours,
        sum(busy_ms) / cast(3600000 as double) as busy_hours,
        1 - sum(busy_ms) / sum(running_ms) as idle_share,
        sum(dbu_cost) as dbu_cost,
        sum(idle_dbu_cost) as idle_dbu_cost
    from state_idle_time
    group by organization_id, warehouse_id
    having 1 - sum(busy_ms) / sum(running_ms) > {{ var('savings_warehouse_idle_share') }}

)

select
    idle_warehouses.organization_id,
    'idle_sql_warehouse' as finding_type,
    'sql_warehouse' as entity_type,
    idle_warehouses.warehouse_id as entity_id,
    idle_warehouses.warehouse_name as entity_name,
    format_string(
        'running %.1f h, a query running %.1f h of it: %.1f%% idle',
        idle_warehouses.running_hours,
        idle_warehouses.busy_hours,
        idle_warehouses.idle_share * 100
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    idle_warehouses.dbu_cost as observed_cost,
    {{ monthly_saving(
        'idle_warehouses.idle_dbu_cost', 'observed_period.observed_from_ms', 'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from idle_warehouses
inner join {{ ref('savings_observed_period') }} as observed_period
    on idle_warehouses.organization_id = observed_period.organization_id
