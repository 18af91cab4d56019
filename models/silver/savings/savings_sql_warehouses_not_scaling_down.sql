{#- Savings rule sql_warehouse_not_scaling_down: SQL warehouses that scaled up (more clusters than their
    minimum) and stayed scaled up after their queries stopped. In each scaled-up billable state, the time
    with no query running that lies more than the scale-down threshold after the last query ended (before
    the warehouse's first query: after the state start) is time the extra clusters were not needed. The
    saving is that time's share of each state's DBU cost times the extra clusters' share of the clusters
    running, scaled to a month. The minimum is the one in the warehouse's latest spec (1 if unknown). -#}
{%- set scale_down_ms = var('savings_warehouse_scale_down_minutes') * 60000 -%}
with

ranked_specs as (

    select
        organization_id,
        warehouse_id,
        min_num_clusters,
        row_number() over (partition by organization_id, warehouse_id order by unixTimeMS desc) as spec_rank
    from {{ ref('warehouse') }}

),

minimum_clusters as (

    select
        organization_id,
        warehouse_id,
        greatest(coalesce(min_num_clusters, 1), 1) as min_clusters
    from ranked_specs
    where spec_rank = 1

),

scaled_up_states as (

    select
        warehouse_state_fact.organization_id,
        warehouse_state_fact.warehouse_id,
        warehouse_state_fact.warehouse_name,
        warehouse_state_fact.unixTimeMS_state_start as state_start_ms,
        warehouse_state_fact.unixTimeMS_state_end as state_end_ms,
        warehouse_state_fact.current_num_clusters as clusters,
        coalesce(minimum_clusters.min_clusters, 1) as min_clusters,
        warehouse_state_fact.total_DBU_cost as dbu_cost
    from {{ ref('warehouse_state_fact') }} as warehouse_state_fact
    left join minimum_clusters
        on
            warehouse_state_fact.organization_id = minimum_clusters.organization_id
            and warehouse_state_fact.warehouse_id = minimum_clusters.warehouse_id
    where
        warehouse_state_fact.databricks_billable
        and warehouse_state_fact.unixTimeMS_state_end > warehouse_state_fact.unixTimeMS_state_start
        and warehouse_state_fact.current_num_clusters > coalesce(minimum_clusters.min_clusters, 1)

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

    select
        organization_id,
        warehouse_id,
        query_start_ms as busy_start_ms,
        query_end_ms as busy_end_ms
    from (
        {{ merged_intervals('query_intervals', ['organization_id', 'warehouse_id'], 'query_start_ms', 'query_end_ms') }}
    ) as merged_query_intervals

),

quiet_periods as (

    -- No query running: from a busy interval's end to the next one's start (open after the last one),
    -- before the first one (no query yet: null start), or always for a warehouse without queries.
    select
        organization_id,
        warehouse_id,
        busy_end_ms as quiet_start_ms,
        lead(busy_start_ms) over (partition by organization_id, warehouse_id order by busy_start_ms) as quiet_end_ms
    from busy_intervals
    union all
    select
        organization_id,
        warehouse_id,
        cast(null as bigint) as quiet_start_ms,
        min(busy_start_ms) as quiet_end_ms
    from busy_intervals
    group by organization_id, warehouse_id
    union all
    select distinct
        scaled_up_states.organization_id,
        scaled_up_states.warehouse_id,
        cast(null as bigint) as quiet_start_ms,
        cast(null as bigint) as quiet_end_ms
    from scaled_up_states
    left anti join busy_intervals
        on
            scaled_up_states.organization_id = busy_intervals.organization_id
            and scaled_up_states.warehouse_id = busy_intervals.warehouse_id

),

unneeded_windows as (

    -- The part of a quiet period past the scale-down threshold, within each scaled-up state.
    select
        scaled_up_states.organization_id,
        scaled_up_states.warehouse_id,
        scaled_up_states.state_start_ms,
        scaled_up_states.state_end_ms,
        scaled_up_states.clusters,
        scaled_up_states.min_clusters,
        scaled_up_states.dbu_cost,
        coalesce(quiet_periods.quiet_start_ms, scaled_up_states.state_start_ms)
        + {{ scale_down_ms }} as window_start_ms,
        coalesce(quiet_periods.quiet_end_ms, scaled_up_states.state_end_ms) as window_end_ms
    from scaled_up_states
    inner join quiet_periods
        on
            scaled_up_states.organization_id = quiet_periods.organization_id
            and scaled_up_states.warehouse_id = quiet_periods.warehouse_id
            and (quiet_periods.quiet_start_ms is null or scaled_up_states.state_end_ms > quiet_periods.quiet_start_ms)
            and (quiet_periods.quiet_end_ms is null or scaled_up_states.state_start_ms < quiet_periods.quiet_end_ms)

),

unneeded_time as (

    select
        organization_id,
        warehouse_id,
        sum(
            greatest(least(state_end_ms, window_end_ms) - greatest(state_start_ms, window_start_ms), 0)
        ) as unneeded_ms,
        sum(
            {{ cost_in_window('dbu_cost', 'state_start_ms', 'state_end_ms', 'window_start_ms', 'window_end_ms') }}
            * (clusters - min_clusters) / clusters
        ) as unneeded_dbu_cost
    from unneeded_windows
    group by organization_id, warehouse_id

),

scaled_up_warehouses as (

    select
        organization_id,
        warehouse_id,
        max_by(warehouse_name, state_start_ms) as warehouse_name,
        max(clusters) as max_clusters,
        sum(state_end_ms - state_start_ms) / cast(3600000 as double) as scaled_up_hours,
        sum(dbu_cost) as scaled_up_dbu_cost
    from scaled_up_states
    group by organization_id, warehouse_id

),

flagged_warehouses as (

    select
        scaled_up_warehouses.organization_id,
        scaled_up_warehouses.warehouse_id,
        scaled_up_warehouses.warehouse_name,
        scaled_up_warehouses.max_clusters,
        scaled_up_warehouses.scaled_up_hours,
        scaled_up_warehouses.scaled_up_dbu_cost,
        unneeded_time.unneeded_ms / cast(3600000 as double) as unneeded_hours,
        unneeded_time.unneeded_dbu_cost
    from scaled_up_warehouses
    inner join unneeded_time
        on
            scaled_up_warehouses.organization_id = unneeded_time.organization_id
            and scaled_up_warehouses.warehouse_id = unneeded_time.warehouse_id
    where unneeded_time.unneeded_ms / cast(3600000 as double) >= {{ var('savings_warehouse_scaled_up_idle_min_hours') }}

)

select
    flagged_warehouses.organization_id,
    'sql_warehouse_not_scaling_down' as finding_type,
    'sql_warehouse' as entity_type,
    flagged_warehouses.warehouse_id as entity_id,
    flagged_warehouses.warehouse_name as entity_name,
    format_string(
        'scaled up to %d clusters for %.1f h, %.1f h of it more than %d min after its last query ended',
        flagged_warehouses.max_clusters,
        flagged_warehouses.scaled_up_hours,
        flagged_warehouses.unneeded_hours,
        {{ var('savings_warehouse_scale_down_minutes') }}
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    flagged_warehouses.scaled_up_dbu_cost as observed_cost,
    {{ monthly_saving(
        'flagged_warehouses.unneeded_dbu_cost', 'observed_period.observed_from_ms', 'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from flagged_warehouses
inner join {{ ref('savings_observed_period') }} as observed_period
    on flagged_warehouses.organization_id = observed_period.organization_id
