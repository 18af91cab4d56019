{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=date_partitioning('state_start_date', ['is_state_open']),
    pre_hook=["{{ delete_warehouse_state_facts_to_recompute() }}"],
) }}

{#- Overwatch's warehouseStateFact: every SQL warehouse state with the warehouse's spec as of the state
    start, its DBUs (DBUs per hour of its size, per cluster, times the clusters running, times the hours
    in the state, where Databricks bills the state) and, beyond Overwatch, its SKU (classic, pro or
    serverless) and DBU cost at the contract price. A resize starts a state (RESIZED), so the new size
    prices the state from the resize on. Beside the estimate, billed_*: the estimate calibrated hour by
    hour to the bill (macro calibrated_state_hours). A billable state whose size is not in sql_warehouse_dbus has
    null DBUs and cost, never a silent 0.
    Incremental: a run recomputes the states warehouse_state_silver may have re-merged since this table's
    last run (those ending at or after its window start, macro warehouse_state_recompute_from_ms), after its
    pre-hook deleted their facts; kept states sharing a clock hour with a recomputed running state count in
    that hour's calibration (macro kept_state_estimates). -#}
{%- set recompute_from_ms = warehouse_state_recompute_from_ms() -%}
{%- set kept_states_from_ms = none -%}
{%- if recompute_from_ms is not none and execute and model.resource_type == 'model' -%}
    {%- set kept_states_from_ms = first_recomputed_running_hour_ms(
        ref('warehouse_state_silver'), 'state_end_ms >= ' ~ recompute_from_ms ~ ' - 1'
    ) -%}
{%- endif -%}
{%- set far_future = "cast('9999-12-31 00:00:00' as timestamp)" -%}

with

warehouse_states as (

    select
        organization_id,
        warehouse_id,
        state,
        state_start_ms,
        state_end_ms,
        timestamp_state_start,
        timestamp_state_end,
        state_start_date,
        is_running,
        current_num_clusters,
        uptime_since_restart_s as restart_uptime_s,
        uptime_in_state_s as state_uptime_s,
        uptime_in_state_h as state_uptime_h,
        cloud_billable,
        databricks_billable,
        state_dates,
        days_in_state,
        is_open
    from {{ ref('warehouse_state_silver') }}
    {%- if recompute_from_ms is not none %}
        where state_end_ms >= {{ recompute_from_ms }} - 1
    {%- endif %}

),

warehouse_specs as (

    select
        organization_id,
        warehouse_id,
        unix_time_ms as spec_time_ms,
        warehouse_name,
        tags,
        cluster_size,
        max_num_clusters,
        warehouse_type,
        coalesce(enable_serverless_compute, false) as enable_serverless_compute
    from {{ ref('warehouse_silver') }}

),

warehouse_dbus as (

    select
        warehouse_size,
        cast(dbus_per_hour as double) as dbus_per_hour,
        active_from,
        coalesce(active_until, {{ far_future }}) as active_until
    from {{ ref('sql_warehouse_dbus') }}

),

contract_prices as (

    select
        organization_id,
        sku,
        contract_price,
        active_from,
        active_until
    from {{ ref('dbu_contract_prices') }}

),

state_spec_candidates as (

    -- The spec in force at the state start: the warehouse's latest spec action at or before it, else
    -- (a state logged before the first known action) its first action after it.
    select
        warehouse_states.organization_id,
        warehouse_states.warehouse_id,
        warehouse_states.state_start_ms,
        warehouse_specs.warehouse_name,
        warehouse_specs.tags,
        warehouse_specs.cluster_size,
        warehouse_specs.max_num_clusters,
        warehouse_specs.warehouse_type,
        warehouse_specs.enable_serverless_compute,
        row_number() over (
            partition by
                warehouse_states.organization_id, warehouse_states.warehouse_id, warehouse_states.state_start_ms
            order by
                case when warehouse_specs.spec_time_ms <= warehouse_states.state_start_ms then 0 else 1 end,
                case
                    when warehouse_specs.spec_time_ms <= warehouse_states.state_start_ms
                        then -warehouse_specs.spec_time_ms
                    else warehouse_specs.spec_time_ms
                end
        ) as spec_rank
    from warehouse_states
    left join warehouse_specs
        on
            warehouse_states.organization_id = warehouse_specs.organization_id
            and warehouse_states.warehouse_id = warehouse_specs.warehouse_id

),

state_specs as (

    select
        organization_id,
        warehouse_id,
        state_start_ms,
        warehouse_name,
        tags,
        cluster_size,
        max_num_clusters,
        warehouse_type,
        {{ warehouse_sku('enable_serverless_compute', 'warehouse_type') }} as sku
    from state_spec_candidates
    where spec_rank = 1

),

priced_states as (

    select
        warehouse_states.*,
        state_specs.warehouse_name,
        state_specs.tags,
        state_specs.cluster_size,
        state_specs.warehouse_type,
        state_specs.sku,
        case
            when
                warehouse_states.is_running
                then coalesce(state_specs.max_num_clusters, warehouse_states.current_num_clusters)
            else 0
        end as target_num_clusters,
        {{ workspace_price('contract_prices', 'contract_price') }} as dbu_rate,
        warehouse_dbus.dbus_per_hour
    from warehouse_states
    left join state_specs
        on
            warehouse_states.organization_id = state_specs.organization_id
            and warehouse_states.warehouse_id = state_specs.warehouse_id
            and warehouse_states.state_start_ms = state_specs.state_start_ms
    -- The workspace's own price of the SKU, else the account-wide one.
    {{- workspace_price_joins(
        'contract_prices', 'contract_prices', 'warehouse_states.organization_id', 'sku', 'state_specs.sku',
        'warehouse_states.timestamp_state_start'
    ) }}
    left join warehouse_dbus
        on
            state_specs.cluster_size = warehouse_dbus.warehouse_size
            and warehouse_states.timestamp_state_start >= warehouse_dbus.active_from
            and warehouse_states.timestamp_state_start < warehouse_dbus.active_until

),

state_dbus as (

    select
        *,
        case
            when not databricks_billable then cast(0 as double)
            else dbus_per_hour * current_num_clusters * state_uptime_h
        end as total_dbus
    from priced_states

),

estimated_states as (

    select
        organization_id,
        warehouse_id,
        state_start_ms,
        state,
        total_dbus,
        total_dbus * dbu_rate as total_dbu_cost
    from state_dbus
    {%- if kept_states_from_ms is not none %}
        union all
        -- States this run keeps count in the hours they share with recomputed ones, at their kept estimate.
        {{ kept_state_estimates('state_dbus', 'warehouse_id', ['state'], kept_states_from_ms) }}
    {%- endif %}

),

calibrated_state_hours as (

    {#- Hours before the first recomputed running state's are of kept states only. -#}
    {{ calibrated_state_hours(
        'estimated_states', ref('warehouse_state_hour'), 'warehouse', 'warehouse_id',
        ['organization_id', 'warehouse_id', 'state_start_ms', 'state'], kept_states_from_ms or recompute_from_ms
    ) }}

),

calibrated_states as (

    {{ bill_calibrated_state_totals(
        'calibrated_state_hours', ['organization_id', 'warehouse_id', 'state_start_ms', 'state']
    ) }}

),

calibrated_state_dbus as (

    -- A state with no hours (of no duration) keeps its estimate.
    select
        state_dbus.*,
        coalesce(calibrated_states.cost_basis, 'estimate') as cost_basis,
        if(calibrated_states.cost_basis is null, state_dbus.total_dbus, calibrated_states.billed_dbus)
            as billed_dbus,
        if(
            calibrated_states.cost_basis is null,
            state_dbus.total_dbus * state_dbus.dbu_rate,
            calibrated_states.billed_dbu_cost
        ) as billed_dbu_cost
    from state_dbus
    left join calibrated_states
        on
            state_dbus.organization_id = calibrated_states.organization_id
            and state_dbus.warehouse_id = calibrated_states.warehouse_id
            and state_dbus.state_start_ms = calibrated_states.state_start_ms
            and state_dbus.state = calibrated_states.state

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    warehouse_id,
    warehouse_name,
    tags,
    state_start_date,
    state_start_ms as unixTimeMS_state_start,
    state_end_ms as unixTimeMS_state_end,
    timestamp_state_start,
    timestamp_state_end,
    state,
    cluster_size,
    current_num_clusters,
    target_num_clusters,
    restart_uptime_s as uptime_since_restart_S,
    state_uptime_s as uptime_in_state_S,
    state_uptime_h as uptime_in_state_H,
    cloud_billable,
    databricks_billable,
    warehouse_type,
    state_dates,
    days_in_state,
    sku,
    dbu_rate,
    dbus_per_hour,
    total_dbus,
    total_dbus * dbu_rate as total_DBU_cost,
    is_open as is_state_open,
    billed_dbus,
    billed_dbu_cost,
    cost_basis,
    cost_basis = 'bill' as is_bill_calibrated
from calibrated_state_dbus
