{{ config(
    materialized='incremental',
    incremental_strategy='append',
    partition_by=timestamp_day_partitioning('hour_start'),
    pre_hook=["{{ delete_compute_hours_to_recompute() }}"],
) }}

{#- Per cluster or SQL warehouse and clock hour: what the bill charged and where it went. Each state's
    bill-calibrated cost in the hour (macro calibrated_state_hours, as clusterStateFact and
    warehouseStateFact compute it) is split among the task runs that hold the state (their
    job_run_cluster_state_share cluster_share), the notebook commands that ran in it (what the runs left,
    macro notebook_commands_claim, as notebookCommands) and idle time (the rest). A billed hour whose
    states were estimated at no DBUs (unknown node types, lost events, no state at all) is unallocated.
    Warehouse time is not split among queries: a warehouse's calibrated cost is all idle here.
    Incremental: a run recomputes every hour from its window start on (macro compute_hour_recompute_from_ms:
    it reaches back to the start of a running state that runs or commands share, not of one left idle),
    after its pre-hook deleted them, from the states ending from then on and the bill's hours from then on;
    the runs' shares of those states from the same states on, the commands' shares whole. -#}
{%- set recompute_from_ms = compute_hour_recompute_from_ms() -%}
with

cluster_states as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        total_dbus,
        -- Spark resolves names case-insensitively: the macro reads it as total_dbu_cost.
        total_DBU_cost
    from {{ ref('cluster_state_fact') }}
    {%- if recompute_from_ms is not none %}
        where unixTimeMS_state_end >= {{ recompute_from_ms }}
    {%- endif %}

),

warehouse_states as (

    select
        organization_id,
        warehouse_id,
        unixTimeMS_state_start as state_start_ms,
        state,
        total_dbus,
        -- Spark resolves names case-insensitively: the macro reads it as total_dbu_cost.
        total_DBU_cost
    from {{ ref('warehouse_state_fact') }}
    {%- if recompute_from_ms is not none %}
        where unixTimeMS_state_end >= {{ recompute_from_ms }}
    {%- endif %}

),

cluster_state_hours as (

    {{ calibrated_state_hours(
        'cluster_states', ref('cluster_state_hour'), 'cluster', 'cluster_id',
        ['organization_id', 'cluster_id', 'state_start_ms'], recompute_from_ms
    ) }}

),

warehouse_state_hours as (

    {{ calibrated_state_hours(
        'warehouse_states', ref('warehouse_state_hour'), 'warehouse', 'warehouse_id',
        ['organization_id', 'warehouse_id', 'state_start_ms', 'state'], recompute_from_ms
    ) }}

),

state_run_shares as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start as state_start_ms,
        sum(cluster_share) as runs_share
    from {{ ref('job_run_cluster_state_share') }}
    {%- if recompute_from_ms is not none %}
        where unixTimeMS_state_end >= {{ recompute_from_ms }}
    {%- endif %}
    group by organization_id, cluster_id, unixTimeMS_state_start

),

commands as (

    select
        organization_id,
        cluster_id,
        unixTimeMS as command_start_ms,
        {{ command_end_ms('unixTimeMS', 'execution_time_s') }} as command_end_ms
    from {{ ref('notebook_commands') }}

),

state_command_shares as (

    select
        cluster_states.organization_id,
        cluster_states.cluster_id,
        cluster_states.state_start_ms,
        sum(
            {{ command_state_share(
                'commands.command_start_ms', 'commands.command_end_ms',
                'cluster_states.state_start_ms', 'cluster_states.state_end_ms'
            ) }}
        ) as commands_share
    from commands
    inner join cluster_states
        on
            commands.organization_id = cluster_states.organization_id
            and commands.cluster_id = cluster_states.cluster_id
            and cluster_states.state_end_ms > cluster_states.state_start_ms
            and {{ command_overlaps_state(
                'commands.command_start_ms', 'commands.command_end_ms',
                'cluster_states.state_start_ms', 'cluster_states.state_end_ms'
            ) }}
    group by cluster_states.organization_id, cluster_states.cluster_id, cluster_states.state_start_ms

),

state_claims as (

    select
        cluster_states.organization_id,
        cluster_states.cluster_id,
        cluster_states.state_start_ms,
        coalesce(state_run_shares.runs_share, 0) as runs_share,
        {{ notebook_commands_claim('coalesce(state_command_shares.commands_share, 0)', 'state_run_shares.runs_share') }}
            as commands_share
    from cluster_states
    left join state_run_shares
        on
            cluster_states.organization_id = state_run_shares.organization_id
            and cluster_states.cluster_id = state_run_shares.cluster_id
            and cluster_states.state_start_ms = state_run_shares.state_start_ms
    left join state_command_shares
        on
            cluster_states.organization_id = state_command_shares.organization_id
            and cluster_states.cluster_id = state_command_shares.cluster_id
            and cluster_states.state_start_ms = state_command_shares.state_start_ms

),

compute_state_hours as (

    select
        cluster_state_hours.organization_id,
        'cluster' as compute_kind,
        cluster_state_hours.cluster_id as compute_id,
        cluster_state_hours.hour_start,
        cluster_state_hours.estimated_dbus,
        cluster_state_hours.estimated_dbu_cost,
        cluster_state_hours.hour_estimated_dbus,
        cluster_state_hours.calibrated_dbus,
        cluster_state_hours.calibrated_dbu_cost,
        state_claims.runs_share,
        state_claims.commands_share
    from cluster_state_hours
    inner join state_claims
        on
            cluster_state_hours.organization_id = state_claims.organization_id
            and cluster_state_hours.cluster_id = state_claims.cluster_id
            and cluster_state_hours.state_start_ms = state_claims.state_start_ms
    union all
    select
        organization_id,
        'warehouse' as compute_kind,
        warehouse_id as compute_id,
        hour_start,
        estimated_dbus,
        estimated_dbu_cost,
        hour_estimated_dbus,
        calibrated_dbus,
        calibrated_dbu_cost,
        cast(0 as double) as runs_share,
        cast(0 as double) as commands_share
    from warehouse_state_hours

),

allocated_hours as (

    select
        organization_id,
        compute_kind,
        compute_id,
        hour_start,
        max(hour_estimated_dbus) as estimated_dbus,
        sum(estimated_dbu_cost) as estimated_dbu_cost,
        bool_or(estimated_dbus is null) as has_unknown_estimate,
        sum(calibrated_dbus) as state_dbus,
        sum(calibrated_dbu_cost) as state_dbu_cost,
        sum(calibrated_dbu_cost * runs_share) as job_run_dbu_cost,
        sum(calibrated_dbu_cost * commands_share) as notebook_command_dbu_cost,
        sum(calibrated_dbu_cost * (1 - runs_share - commands_share)) as idle_dbu_cost
    from compute_state_hours
    group by organization_id, compute_kind, compute_id, hour_start

),

billed_hours as (

    select
        organization_id,
        compute_kind,
        compute_id,
        hour_start,
        billed_dbus,
        billed_dbu_cost
    from {{ ref('billed_compute_hours') }}
    {%- if recompute_from_ms is not none %}
        where
            usage_date >= date_from_unix_date({{ recompute_from_ms // 86400000 }})
            and hour_start >= timestamp_millis({{ recompute_from_ms }})
    {%- endif %}

),

hours as (

    select
        coalesce(allocated_hours.organization_id, billed_hours.organization_id) as organization_id,
        coalesce(allocated_hours.compute_kind, billed_hours.compute_kind) as compute_kind,
        coalesce(allocated_hours.compute_id, billed_hours.compute_id) as compute_id,
        coalesce(allocated_hours.hour_start, billed_hours.hour_start) as hour_start,
        billed_hours.hour_start is not null as is_billed_hour,
        billed_hours.billed_dbus,
        billed_hours.billed_dbu_cost,
        allocated_hours.estimated_dbus,
        allocated_hours.estimated_dbu_cost,
        coalesce(allocated_hours.has_unknown_estimate, false) as has_unknown_estimate,
        allocated_hours.state_dbus,
        allocated_hours.state_dbu_cost,
        coalesce(allocated_hours.job_run_dbu_cost, 0) as job_run_dbu_cost,
        coalesce(allocated_hours.notebook_command_dbu_cost, 0) as notebook_command_dbu_cost,
        coalesce(allocated_hours.idle_dbu_cost, 0) as idle_dbu_cost,
        -- Billed while no state was estimated at any DBUs: kept, so the hour still adds up.
        billed_hours.hour_start is not null and coalesce(allocated_hours.estimated_dbus, 0) <= 0
            as is_unallocated
    from allocated_hours
    full outer join billed_hours
        on
            allocated_hours.organization_id = billed_hours.organization_id
            and allocated_hours.compute_kind = billed_hours.compute_kind
            and allocated_hours.compute_id = billed_hours.compute_id
            and allocated_hours.hour_start = billed_hours.hour_start

)

select
    organization_id,
    compute_kind,
    compute_id,
    hour_start,
    is_billed_hour,
    billed_dbus,
    billed_dbu_cost,
    estimated_dbus,
    estimated_dbu_cost,
    has_unknown_estimate,
    state_dbus,
    state_dbu_cost,
    job_run_dbu_cost,
    notebook_command_dbu_cost,
    idle_dbu_cost,
    if(is_unallocated, billed_dbus, cast(0 as double)) as unallocated_dbus,
    if(is_unallocated, billed_dbu_cost, cast(0 as double)) as unallocated_dbu_cost
from hours
