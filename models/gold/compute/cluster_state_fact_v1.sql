{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=date_partitioning('state_start_date', ['is_state_open']),
    pre_hook=["{{ delete_cluster_state_facts_to_recompute(ref('cluster_state_silver')) }}"],
) }}

{#- Overwatch's clusterStateFact: every cluster state with its spec as of the state start, its SKU and DBU
    rate, node details, DBUs and costs. A state whose node types are not in instance_details is flagged
    (is_node_type_unknown) and its DBUs and costs are null, never a silent 0.
    Incremental: a run recomputes the states cluster_state_silver may have changed since this table's last
    run (macro cluster_states_to_recompute, from this table's checkpoint), after its pre-hook deleted their
    facts; the specs and prices it joins them to are read whole, and the kept states that share a
    clock hour with a recomputed running state count in that hour's calibration (macro kept_state_estimates).
    Of the hours before the checkpoint's, only those of the recomputed states are read (macro
    hours_to_calibrate), of the kept states only those ending in the first hour of a recomputed one, and of
    the bill only the days of the recomputed clusters' states (macro billed_hours_to_read).
    Partitioned by state start date and open flag (locally), so that the delete, and windowed readers, prune
    to the recent and the open states. -#}
{%- set recompute_from_ms = none -%}
{%- set checkpoint_hour_ms = none -%}
{%- set earlier_states = [] -%}
{%- if is_incremental() and execute and model.resource_type == 'model' -%}
    {%- set recompute_from_ms = cluster_state_checkpoint_ms(this, 'unixTimeMS_state_end') -%}
    {#- The hours from the checkpoint's on are calibrated with every state in them; of the hours before it,
        only those of the recomputed running states that started earlier (a cluster running for days), and
        in the hour each started in, the kept states ending in it. -#}
    {%- set checkpoint_hour_ms = (recompute_from_ms // 3600000) * 3600000 -%}
    {%- set earlier_states = recomputed_running_states_started_before(
        ref('cluster_state_silver'), cluster_states_to_recompute(recompute_from_ms), 'cluster_id', checkpoint_hour_ms
    ) -%}
{%- endif -%}
{%- set far_future = "cast('9999-12-31 00:00:00' as timestamp)" -%}
{%- set starting_states = "('CREATING', 'STARTING', 'RESTARTING')" -%}
{%- set bill_dbus_while_starting = 'true' if var('bill_dbus_while_starting') else 'false' -%}
{%- set single_node_driver_potential = 'true' if var('single_node_worker_potential') == 'driver' else 'false' -%}
{%- if var('single_node_worker_potential') not in ['none', 'driver'] -%}
    {{ exceptions.raise_compiler_error("var single_node_worker_potential must be 'none' or 'driver'") }}
{%- endif -%}

with

cluster_states as (

    select
        organization_id,
        cluster_id,
        state,
        state_start_ms,
        state_end_ms,
        timestamp_state_start,
        timestamp_state_end,
        state_start_date,
        is_running,
        current_num_workers,
        target_num_workers,
        uptime_since_restart_s as restart_uptime_s,
        uptime_in_state_s as state_uptime_s,
        uptime_in_state_h as state_uptime_h,
        cloud_billable,
        -- Policy var bill_dbus_while_starting (false: Overwatch's rule, no DBUs before the cluster runs).
        databricks_billable
        and ({{ bill_dbus_while_starting }} or state not in {{ starting_states }}) as databricks_billable,
        state_dates,
        days_in_state,
        is_open
    from {{ ref('cluster_state_silver') }}
    {%- if recompute_from_ms is not none %}
        where {{ cluster_states_to_recompute(recompute_from_ms) }}
    {%- endif %}

),

spec_actions as (

    -- Spec actions that know the node types (a resize of a cluster created before the audit logs does not).
    select
        organization_id,
        cluster_id,
        unix_time_ms as spec_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        is_photon,
        is_single_node,
        is_automated,
        cluster_type = 'SQL Analytics' as is_sql_warehouse
    from {{ ref('cluster_silver') }}
    where driver_node_type_id is not null

),

api_specs as (

    -- Where the audit logs do not know a cluster's spec: the clusters API's view of it.
    select
        organization_id,
        cluster_id,
        spec_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        is_photon,
        is_single_node,
        is_automated,
        is_sql_warehouse
    from {{ ref('cluster_spec_from_api') }}

),

cluster_specs as (

    select
        organization_id,
        cluster_id,
        spec_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        is_photon,
        is_single_node,
        is_automated,
        is_sql_warehouse,
        1 as spec_source_priority
    from spec_actions
    union all
    select
        api_specs.organization_id,
        api_specs.cluster_id,
        api_specs.spec_time_ms,
        api_specs.cluster_name,
        api_specs.custom_tags,
        api_specs.driver_node_type_id,
        api_specs.node_type_id,
        api_specs.spark_version,
        api_specs.runtime_engine,
        api_specs.is_photon,
        api_specs.is_single_node,
        api_specs.is_automated,
        api_specs.is_sql_warehouse,
        2 as spec_source_priority
    from api_specs
    left anti join spec_actions
        on
            api_specs.organization_id = spec_actions.organization_id
            and api_specs.cluster_id = spec_actions.cluster_id
            and api_specs.spec_time_ms >= spec_actions.spec_time_ms

),

instance_details as (

    select
        node_type_id,
        vcpus,
        hourly_dbus,
        compute_price_per_hour,
        active_from,
        coalesce(active_until, {{ far_future }}) as active_until
    from {{ ref('instance_details') }}

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

vm_prices as (

    select
        organization_id,
        node_type_id,
        vm_price_per_hour,
        active_from,
        active_until
    from {{ ref('vm_prices') }}

),

photon_multipliers as (

    select
        sku,
        photon_multiplier,
        active_from,
        coalesce(active_until, {{ far_future }}) as active_until
    from {{ ref('photon_dbu_multipliers') }}

),

state_hours as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        hour_start,
        hour_share
    from {{ ref('cluster_state_hour') }}
    {%- if recompute_from_ms is not none %}
        where {{ hours_to_calibrate(recompute_from_ms, checkpoint_hour_ms, earlier_states) }}
    {%- endif %}

),

state_spec_candidates as (

    -- The spec in force at the state start: the cluster's latest spec action at or before it, else
    -- (a state logged before the first known action) its first action after it.
    select
        cluster_states.organization_id,
        cluster_states.cluster_id,
        cluster_states.state_start_ms,
        cluster_specs.spec_time_ms,
        cluster_specs.cluster_name,
        cluster_specs.custom_tags,
        cluster_specs.driver_node_type_id,
        cluster_specs.node_type_id,
        cluster_specs.spark_version,
        cluster_specs.runtime_engine,
        cluster_specs.is_photon,
        cluster_specs.is_single_node,
        cluster_specs.is_automated,
        cluster_specs.is_sql_warehouse,
        {{ as_of_rank(
            ['cluster_states.organization_id', 'cluster_states.cluster_id', 'cluster_states.state_start_ms'],
            'cluster_specs.spec_time_ms', 'cluster_states.state_start_ms', ['cluster_specs.spec_source_priority']
        ) }} as spec_rank
    from cluster_states
    left join cluster_specs
        on
            cluster_states.organization_id = cluster_specs.organization_id
            and cluster_states.cluster_id = cluster_specs.cluster_id

),

state_specs as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        spec_time_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        spark_version,
        runtime_engine,
        coalesce(is_photon, false) as is_photon,
        coalesce(is_single_node, false) as is_single_node,
        coalesce(is_automated, false) as is_automated,
        case
            when is_sql_warehouse then 'sql_compute'
            when is_automated and lower(spark_version) like 'apache-spark%' then 'jobs_light'
            when is_automated then 'automated'
            else 'interactive'
        end as sku
    from state_spec_candidates
    where spec_rank = 1

),

priced_states as (

    select
        cluster_states.*,
        state_specs.cluster_name,
        state_specs.custom_tags,
        state_specs.driver_node_type_id,
        state_specs.node_type_id,
        state_specs.runtime_engine,
        state_specs.is_photon,
        state_specs.is_single_node,
        state_specs.is_automated,
        state_specs.sku,
        {{ workspace_price('contract_prices', 'contract_price') }} as dbu_rate,
        cast(
            case when state_specs.is_photon then coalesce(photon_multipliers.photon_multiplier, 1) else 1 end
            as double
        ) as photon_multiplier,
        driver_details.vcpus as driver_vcpus,
        driver_details.hourly_dbus as driver_hourly_dbus,
        coalesce({{ workspace_price('driver_vm_prices', 'vm_price_per_hour') }}, driver_details.compute_price_per_hour)
            as driver_compute_price_per_hour,
        worker_details.vcpus as worker_vcpus,
        worker_details.hourly_dbus as worker_hourly_dbus,
        coalesce({{ workspace_price('worker_vm_prices', 'vm_price_per_hour') }}, worker_details.compute_price_per_hour)
            as worker_compute_price_per_hour,
        -- Workers billed: none on a single-node cluster.
        case when state_specs.is_single_node then 0 else cluster_states.current_num_workers end
            as billed_current_workers,
        case when state_specs.is_single_node then 0 else cluster_states.target_num_workers end
            as billed_target_workers,
        cluster_states.is_running
        and (
            driver_details.node_type_id is null
            or (not state_specs.is_single_node and worker_details.node_type_id is null)
        ) as is_node_type_unknown
    from cluster_states
    left join state_specs
        on
            cluster_states.organization_id = state_specs.organization_id
            and cluster_states.cluster_id = state_specs.cluster_id
            and cluster_states.state_start_ms = state_specs.state_start_ms
    -- DBU rate of the workspace (its own, else the account-wide one) as of the spec's time (the state start
    -- when the spec is unknown).
    {{- workspace_price_joins(
        'contract_prices', 'contract_prices', 'cluster_states.organization_id', 'sku', 'state_specs.sku',
        'timestamp_millis(coalesce(state_specs.spec_time_ms, cluster_states.state_start_ms))'
    ) }}
    left join photon_multipliers
        on
            state_specs.sku = photon_multipliers.sku
            and cluster_states.timestamp_state_start >= photon_multipliers.active_from
            and cluster_states.timestamp_state_start < photon_multipliers.active_until
    -- Node details as of the state start.
    left join instance_details as driver_details
        on
            state_specs.driver_node_type_id = driver_details.node_type_id
            and cluster_states.timestamp_state_start >= driver_details.active_from
            and cluster_states.timestamp_state_start < driver_details.active_until
    left join instance_details as worker_details
        on
            state_specs.node_type_id = worker_details.node_type_id
            and cluster_states.timestamp_state_start >= worker_details.active_from
            and cluster_states.timestamp_state_start < worker_details.active_until
    {#- VM prices the deployment sets (the workspace's own, else account-wide) over the seeds' list price. #}
    {{- workspace_price_joins(
        'vm_prices', 'driver_vm_prices', 'cluster_states.organization_id', 'node_type_id',
        'state_specs.driver_node_type_id', 'cluster_states.timestamp_state_start'
    ) }}
    {{- workspace_price_joins(
        'vm_prices', 'worker_vm_prices', 'cluster_states.organization_id', 'node_type_id',
        'state_specs.node_type_id', 'cluster_states.timestamp_state_start'
    ) }}

),

state_dbus as (

    select
        *,
        case
            when not databricks_billable then cast(0 as double)
            when not is_node_type_unknown
                then {{ node_dbus('driver_hourly_dbus', '1', 'photon_multiplier', 'state_uptime_h') }}
        end as driver_dbus,
        case
            when not databricks_billable then cast(0 as double)
            when not is_node_type_unknown
                then {{ node_dbus(
                    'coalesce(worker_hourly_dbus, 0)', 'billed_current_workers', 'photon_multiplier', 'state_uptime_h'
                ) }}
        end as worker_dbus,
        case
            when not cloud_billable then cast(0 as double)
            when not is_node_type_unknown then driver_compute_price_per_hour * state_uptime_h
        end as driver_compute_cost,
        case
            when not cloud_billable then cast(0 as double)
            when not is_node_type_unknown
                then coalesce(worker_compute_price_per_hour, 0) * billed_target_workers * state_uptime_h
        end as worker_compute_cost
    from priced_states

),

state_costs as (

    select
        *,
        driver_dbus * dbu_rate as driver_dbu_cost,
        worker_dbus * dbu_rate as worker_dbu_cost
    from state_dbus

),

estimated_states as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        driver_dbus + worker_dbus as total_dbus,
        driver_dbu_cost + worker_dbu_cost as total_dbu_cost
    from state_costs
    {%- if recompute_from_ms is not none %}
        union all
        -- States this run keeps count in the hours they share with recomputed ones, at their kept estimate.
        {{ kept_state_estimates('state_costs', 'cluster_id', [], checkpoint_hour_ms, earlier_states) }}
    {%- endif %}

),

calibrated_state_hours as (

    {{ calibrated_state_hours(
        'estimated_states', 'state_hours', 'cluster', 'cluster_id', ['organization_id', 'cluster_id', 'state_start_ms'],
        billed_hours_predicate=billed_hours_to_read(checkpoint_hour_ms, earlier_states)
    ) }}

),

calibrated_states as (

    {{ bill_calibrated_state_totals('calibrated_state_hours', ['organization_id', 'cluster_id', 'state_start_ms']) }}

),

calibrated_state_costs as (

    -- A state with no hours (of no duration) keeps its estimate.
    select
        state_costs.*,
        coalesce(calibrated_states.cost_basis, 'estimate') as cost_basis,
        if(
            calibrated_states.cost_basis is null,
            state_costs.driver_dbus + state_costs.worker_dbus,
            calibrated_states.billed_dbus
        ) as billed_dbus,
        if(
            calibrated_states.cost_basis is null,
            state_costs.driver_dbu_cost + state_costs.worker_dbu_cost,
            calibrated_states.billed_dbu_cost
        ) as billed_dbu_cost
    from state_costs
    left join calibrated_states
        on
            state_costs.organization_id = calibrated_states.organization_id
            and state_costs.cluster_id = calibrated_states.cluster_id
            and state_costs.state_start_ms = calibrated_states.state_start_ms

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    cluster_id,
    cluster_name,
    custom_tags,
    state_start_date,
    state_start_ms as unixTimeMS_state_start,
    state_end_ms as unixTimeMS_state_end,
    timestamp_state_start,
    timestamp_state_end,
    state,
    driver_node_type_id,
    node_type_id,
    current_num_workers,
    target_num_workers,
    restart_uptime_s as uptime_since_restart_S,
    state_uptime_s as uptime_in_state_S,
    state_uptime_h as uptime_in_state_H,
    cloud_billable,
    databricks_billable,
    is_automated as isAutomated,
    sku,
    dbu_rate,
    runtime_engine,
    is_photon,
    photon_multiplier,
    is_single_node,
    state_dates,
    days_in_state,
    case
        -- Policy var single_node_worker_potential 'driver' (Overwatch): a single-node cluster's driver cores.
        when
            {{ single_node_driver_potential }}
            and databricks_billable and not is_node_type_unknown and is_single_node
            then driver_vcpus * state_uptime_h
        when databricks_billable and not is_node_type_unknown
            then coalesce(worker_vcpus, 0) * billed_current_workers * state_uptime_h
        when not databricks_billable then cast(0 as double)
    end as worker_potential_core_H,
    case
        when is_running and not is_node_type_unknown
            then (driver_vcpus + coalesce(worker_vcpus, 0) * billed_current_workers) * state_uptime_h
        when not is_running then cast(0 as double)
    end as core_hours,
    driver_vcpus,
    driver_hourly_dbus,
    driver_compute_price_per_hour,
    worker_vcpus,
    worker_hourly_dbus,
    worker_compute_price_per_hour,
    driver_dbus,
    worker_dbus,
    driver_dbus + worker_dbus as total_dbus,
    driver_compute_cost,
    worker_compute_cost,
    driver_dbu_cost,
    worker_dbu_cost,
    driver_compute_cost + worker_compute_cost as total_compute_cost,
    driver_dbu_cost + worker_dbu_cost as total_DBU_cost,
    driver_compute_cost + driver_dbu_cost as total_driver_cost,
    worker_compute_cost + worker_dbu_cost as total_worker_cost,
    driver_compute_cost + driver_dbu_cost + worker_compute_cost + worker_dbu_cost as total_cost,
    is_node_type_unknown,
    is_open as is_state_open,
    billed_dbus,
    billed_dbu_cost,
    cost_basis,
    cost_basis = 'bill' as is_bill_calibrated
from calibrated_state_costs
