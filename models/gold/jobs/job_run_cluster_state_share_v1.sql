{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=epoch_ms_day_partitioning('unixTimeMS_state_end'),
    pre_hook=["{{ delete_cluster_state_facts_to_recompute(ref('cluster_state_silver')) }}"],
) }}

{#- How each cluster state's cost (clusterStateFact) is shared among the task runs that used it: one row
    per task run (run_key: tasks sharing their job run's id stay apart) and cluster state, with the run's
    share and the allocated DBUs and costs. Each state is cut into slices at the run boundaries inside it;
    a slice is shared equally by the runs active in it. On a job cluster the whole state cost goes to its runs
    (shares scaled to the time runs covered) and states no run overlaps (spin-up, teardown, a gap between
    tasks) go to the nearest run, so the runs of a job cluster add up to its cost. On an all-purpose
    cluster a run pays only for its slices; idle time and interactive work stay with the cluster. The
    run's share of the state's bill-calibrated DBUs and cost (clusterStateFact billed_*) is the same share.
    Incremental: a run recomputes the states cluster_state_fact recomputed (macro
    cluster_state_facts_to_recompute, from this table's checkpoint), after its pre-hook deleted their rows,
    from the task runs that reach into them or ended within the look-back (var lookback_days) before the
    first of them: a state no run overlaps goes to a run of that reach. Partitioned by the day of the state
    end (locally), where a state's rows are rewritten while it stays open, so that the delete and windowed
    readers prune to the recent and the open states. -#}
{#- Read in incremental runs only (the states whose end was imputed, here and in the pre-hook), where dbt
    cannot see the ref. -#}
-- depends_on: {{ ref('cluster_state_silver') }}
{%- set recomputed_states = cluster_state_facts_this_run_recomputes() -%}
{%- if recomputed_states is not none -%}
    {%- set first_state_start_ms = run_query(
        'select min(unixTimeMS_state_start) from ' ~ ref('cluster_state_fact') ~ ' where ' ~ recomputed_states
    ).columns[0].values()[0] -%}
    {%- set runs_from_ms = (first_state_start_ms or 0) - var('lookback_days') * 86400000 -%}
    {#- A run started before var jobrun_open_run_lookback_days of that is one job_run no longer re-reads. -#}
    {%- set runs_from_date = epoch_ms_date(runs_from_ms)
        - modules.datetime.timedelta(days=var('jobrun_open_run_lookback_days')) -%}
{%- endif %}
with

task_runs as (

    select
        job_run.organization_id,
        job_run.run_key,
        job_run.run_id,
        job_run.cluster_id,
        {{ job_run_cost_start_ms('job_run') }} as run_start_ms,
        job_run.task_runtime.endEpochMS as run_end_ms
    from {{ ref('job_run') }} as job_run
    where job_run.cluster_id is not null
    {%- if recomputed_states is not none %}
        and job_run.run_date >= date'{{ runs_from_date.isoformat() }}'
        and (
            job_run.task_runtime.endEpochMS is null
            or job_run.task_runtime.endEpochMS >= {{ runs_from_ms | int }}
        )
    {%- endif %}

),

cluster_states as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        isAutomated as is_automated,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        sku,
        dbu_rate,
        worker_potential_core_H,
        driver_dbus,
        worker_dbus,
        driver_compute_cost,
        worker_compute_cost,
        driver_dbu_cost,
        worker_dbu_cost,
        is_node_type_unknown,
        billed_dbus,
        billed_dbu_cost,
        cost_basis
    from {{ ref('cluster_state_fact') }}
    {%- if recomputed_states is not none %}
    where {{ recomputed_states }}
    {%- endif %}

),

cluster_lifetimes as (

    select
        organization_id,
        cluster_id,
        max(state_end_ms) as last_state_end_ms
    from cluster_states
    group by organization_id, cluster_id

),

run_windows as (

    -- A run still open is costed up to its cluster's last known state end and recomputed once it ends.
    select
        task_runs.organization_id,
        task_runs.cluster_id,
        task_runs.run_key,
        task_runs.run_id,
        task_runs.run_start_ms,
        coalesce(task_runs.run_end_ms, cluster_lifetimes.last_state_end_ms) as run_window_end_ms
    from task_runs
    inner join cluster_lifetimes
        on
            task_runs.organization_id = cluster_lifetimes.organization_id
            and task_runs.cluster_id = cluster_lifetimes.cluster_id
    where task_runs.run_start_ms is not null

),

run_state_overlaps as (

    select
        run_windows.organization_id,
        run_windows.cluster_id,
        run_windows.run_key,
        run_windows.run_id,
        cluster_states.state_start_ms,
        cluster_states.state_end_ms,
        greatest(run_windows.run_start_ms, cluster_states.state_start_ms) as overlap_start_ms,
        least(run_windows.run_window_end_ms, cluster_states.state_end_ms) as overlap_end_ms
    from run_windows
    inner join cluster_states
        on
            run_windows.organization_id = cluster_states.organization_id
            and run_windows.cluster_id = cluster_states.cluster_id
            and run_windows.run_start_ms < cluster_states.state_end_ms
            and run_windows.run_window_end_ms > cluster_states.state_start_ms

),

state_boundaries as (

    -- union, not union all: a boundary shared by several runs cuts the state once.
    select
        organization_id,
        cluster_id,
        state_start_ms,
        state_start_ms as boundary_ms
    from run_state_overlaps
    union
    select
        organization_id,
        cluster_id,
        state_start_ms,
        state_end_ms as boundary_ms
    from run_state_overlaps
    union
    select
        organization_id,
        cluster_id,
        state_start_ms,
        overlap_start_ms as boundary_ms
    from run_state_overlaps
    union
    select
        organization_id,
        cluster_id,
        state_start_ms,
        overlap_end_ms as boundary_ms
    from run_state_overlaps

),

state_slices as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        boundary_ms as slice_start_ms,
        lead(boundary_ms) over (
            partition by organization_id, cluster_id, state_start_ms order by boundary_ms
        ) as slice_end_ms
    from state_boundaries

),

run_slices as (

    select
        run_state_overlaps.organization_id,
        run_state_overlaps.cluster_id,
        run_state_overlaps.run_key,
        run_state_overlaps.run_id,
        run_state_overlaps.state_start_ms,
        state_slices.slice_end_ms - state_slices.slice_start_ms as slice_ms,
        count(*) over (
            partition by
                run_state_overlaps.organization_id,
                run_state_overlaps.cluster_id,
                run_state_overlaps.state_start_ms,
                state_slices.slice_start_ms
        ) as concurrent_runs
    from run_state_overlaps
    inner join state_slices
        on
            run_state_overlaps.organization_id = state_slices.organization_id
            and run_state_overlaps.cluster_id = state_slices.cluster_id
            and run_state_overlaps.state_start_ms = state_slices.state_start_ms
            and run_state_overlaps.overlap_start_ms <= state_slices.slice_start_ms
            and run_state_overlaps.overlap_end_ms >= state_slices.slice_end_ms
    where state_slices.slice_end_ms > state_slices.slice_start_ms

),

run_state_time as (

    select
        organization_id,
        cluster_id,
        run_key,
        run_id,
        state_start_ms,
        sum(slice_ms) as runtime_in_state_ms,
        sum(slice_ms / concurrent_runs) as fair_share_ms,
        sum(slice_ms * concurrent_runs) as concurrency_weighted_ms,
        max(concurrent_runs) as max_concurrent_runs
    from run_slices
    group by organization_id, cluster_id, run_key, run_id, state_start_ms

),

state_covered_time as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        sum(fair_share_ms) as covered_ms
    from run_state_time
    group by organization_id, cluster_id, state_start_ms

),

shared_state_allocations as (

    select
        run_state_time.organization_id,
        run_state_time.cluster_id,
        run_state_time.run_key,
        run_state_time.run_id,
        run_state_time.state_start_ms,
        run_state_time.runtime_in_state_ms,
        run_state_time.fair_share_ms,
        run_state_time.concurrency_weighted_ms,
        run_state_time.max_concurrent_runs,
        case
            when cluster_states.is_automated then run_state_time.fair_share_ms / state_covered_time.covered_ms
            else run_state_time.fair_share_ms / (cluster_states.state_end_ms - cluster_states.state_start_ms)
        end as cluster_share
    from run_state_time
    inner join state_covered_time
        on
            run_state_time.organization_id = state_covered_time.organization_id
            and run_state_time.cluster_id = state_covered_time.cluster_id
            and run_state_time.state_start_ms = state_covered_time.state_start_ms
    inner join cluster_states
        on
            run_state_time.organization_id = cluster_states.organization_id
            and run_state_time.cluster_id = cluster_states.cluster_id
            and run_state_time.state_start_ms = cluster_states.state_start_ms

),

uncovered_job_cluster_states as (

    select
        cluster_states.organization_id,
        cluster_states.cluster_id,
        cluster_states.state_start_ms
    from cluster_states
    left join state_covered_time
        on
            cluster_states.organization_id = state_covered_time.organization_id
            and cluster_states.cluster_id = state_covered_time.cluster_id
            and cluster_states.state_start_ms = state_covered_time.state_start_ms
    where cluster_states.is_automated and state_covered_time.covered_ms is null

),

uncovered_state_owners as (

    -- The run that started last before the state owns it (teardown, a gap between tasks); before the
    -- first run, the first run to start owns it (spin-up). Runs starting together split it.
    select
        uncovered_job_cluster_states.organization_id,
        uncovered_job_cluster_states.cluster_id,
        uncovered_job_cluster_states.state_start_ms,
        run_windows.run_key,
        run_windows.run_id,
        rank() over (
            partition by
                uncovered_job_cluster_states.organization_id,
                uncovered_job_cluster_states.cluster_id,
                uncovered_job_cluster_states.state_start_ms
            order by
                case when run_windows.run_start_ms <= uncovered_job_cluster_states.state_start_ms then 0 else 1 end,
                abs(run_windows.run_start_ms - uncovered_job_cluster_states.state_start_ms)
        ) as owner_rank
    from uncovered_job_cluster_states
    inner join run_windows
        on
            uncovered_job_cluster_states.organization_id = run_windows.organization_id
            and uncovered_job_cluster_states.cluster_id = run_windows.cluster_id

),

uncovered_state_allocations as (

    select
        organization_id,
        cluster_id,
        run_key,
        run_id,
        state_start_ms,
        cast(0 as bigint) as runtime_in_state_ms,
        cast(0 as double) as fair_share_ms,
        cast(0 as bigint) as concurrency_weighted_ms,
        cast(null as bigint) as max_concurrent_runs,
        1.0 / count(*) over (partition by organization_id, cluster_id, state_start_ms) as cluster_share
    from uncovered_state_owners
    where owner_rank = 1

),

state_allocations as (

    select
        organization_id,
        cluster_id,
        run_key,
        run_id,
        state_start_ms,
        runtime_in_state_ms,
        fair_share_ms,
        concurrency_weighted_ms,
        max_concurrent_runs,
        cluster_share
    from shared_state_allocations
    union all
    select
        organization_id,
        cluster_id,
        run_key,
        run_id,
        state_start_ms,
        runtime_in_state_ms,
        fair_share_ms,
        concurrency_weighted_ms,
        max_concurrent_runs,
        cluster_share
    from uncovered_state_allocations

),

allocated_state_costs as (

    select
        state_allocations.organization_id,
        state_allocations.run_key,
        state_allocations.run_id,
        state_allocations.cluster_id,
        state_allocations.state_start_ms,
        cluster_states.state_end_ms,
        cluster_states.is_automated,
        state_allocations.runtime_in_state_ms,
        state_allocations.fair_share_ms,
        state_allocations.concurrency_weighted_ms,
        state_allocations.max_concurrent_runs,
        state_allocations.cluster_share,
        cluster_states.cluster_name,
        cluster_states.custom_tags,
        cluster_states.driver_node_type_id,
        cluster_states.node_type_id,
        cluster_states.sku,
        cluster_states.dbu_rate,
        cluster_states.is_node_type_unknown,
        cluster_states.worker_potential_core_H * state_allocations.cluster_share as worker_potential_core_H,
        cluster_states.driver_dbus * state_allocations.cluster_share as driver_dbus,
        cluster_states.worker_dbus * state_allocations.cluster_share as worker_dbus,
        cluster_states.driver_compute_cost * state_allocations.cluster_share as driver_compute_cost,
        cluster_states.worker_compute_cost * state_allocations.cluster_share as worker_compute_cost,
        cluster_states.driver_dbu_cost * state_allocations.cluster_share as driver_dbu_cost,
        cluster_states.worker_dbu_cost * state_allocations.cluster_share as worker_dbu_cost,
        -- The same share of the state's bill-calibrated DBUs and cost.
        cluster_states.billed_dbus * state_allocations.cluster_share as billed_dbus,
        cluster_states.billed_dbu_cost * state_allocations.cluster_share as billed_dbu_cost,
        cluster_states.cost_basis
    from state_allocations
    inner join cluster_states
        on
            state_allocations.organization_id = cluster_states.organization_id
            and state_allocations.cluster_id = cluster_states.cluster_id
            and state_allocations.state_start_ms = cluster_states.state_start_ms

)

select
    organization_id,
    run_key,
    run_id,
    cluster_id,
    state_start_ms as unixTimeMS_state_start,
    state_end_ms as unixTimeMS_state_end,
    is_automated as isAutomated,
    cluster_name,
    custom_tags,
    driver_node_type_id,
    node_type_id,
    sku,
    dbu_rate,
    runtime_in_state_ms,
    fair_share_ms,
    concurrency_weighted_ms,
    cast(max_concurrent_runs as int) as max_concurrent_runs,
    cluster_share,
    is_node_type_unknown,
    worker_potential_core_H,
    driver_dbus,
    worker_dbus,
    driver_compute_cost,
    worker_compute_cost,
    driver_dbu_cost,
    worker_dbu_cost,
    billed_dbus,
    billed_dbu_cost,
    cost_basis
from allocated_state_costs
