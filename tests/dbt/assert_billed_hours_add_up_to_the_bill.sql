{#- Issue 11 item 3: for every cluster-hour and warehouse-hour in the bill, the bill-calibrated costs of
    its task runs, notebook commands, idle time and unallocated remainder add up to the billed cost
    within 0.5%. And the per-hour split agrees with the gold models analysts read: per cluster, the
    runs' and commands' billed costs in jobRunClusterStateShare and notebookCommands equal the hours'
    (within 0.5%). Hours whose SKU has no contract price (billed cost null) cannot be compared. -#}
{{ config(severity='error') }}

with

billed_hours as (

    select
        organization_id,
        compute_kind,
        compute_id,
        cast(hour_start as string) as checked_span,
        billed_dbu_cost as expected_cost,
        job_run_dbu_cost
        + notebook_command_dbu_cost
        + idle_dbu_cost
        + unallocated_dbu_cost as allocated_cost,
        'billed hour does not add up' as problem
    from {{ ref('compute_hour_cost_allocation') }}
    where is_billed_hour and billed_dbu_cost is not null

),

hour_totals_by_cluster as (

    select
        organization_id,
        compute_id as cluster_id,
        sum(job_run_dbu_cost) as job_run_dbu_cost,
        sum(notebook_command_dbu_cost) as notebook_command_dbu_cost
    from {{ ref('compute_hour_cost_allocation') }}
    where compute_kind = 'cluster'
    group by organization_id, compute_id

),

run_costs_by_cluster as (

    select
        organization_id,
        cluster_id,
        sum(billed_dbu_cost) as billed_dbu_cost
    from {{ ref('job_run_cluster_state_share') }}
    group by organization_id, cluster_id

),

command_costs_by_cluster as (

    select
        organization_id,
        cluster_id,
        sum(billed_dbu_cost) as billed_dbu_cost
    from {{ ref('notebook_commands') }}
    group by organization_id, cluster_id

),

gold_disagreements as (

    select
        hour_totals_by_cluster.organization_id,
        'cluster' as compute_kind,
        hour_totals_by_cluster.cluster_id as compute_id,
        'all hours' as checked_span,
        coalesce(run_costs_by_cluster.billed_dbu_cost, 0) as expected_cost,
        hour_totals_by_cluster.job_run_dbu_cost as allocated_cost,
        'task runs differ from jobRunClusterStateShare' as problem
    from hour_totals_by_cluster
    left join run_costs_by_cluster
        on
            hour_totals_by_cluster.organization_id = run_costs_by_cluster.organization_id
            and hour_totals_by_cluster.cluster_id = run_costs_by_cluster.cluster_id
    union all
    select
        hour_totals_by_cluster.organization_id,
        'cluster' as compute_kind,
        hour_totals_by_cluster.cluster_id as compute_id,
        'all hours' as checked_span,
        coalesce(command_costs_by_cluster.billed_dbu_cost, 0) as expected_cost,
        hour_totals_by_cluster.notebook_command_dbu_cost as allocated_cost,
        'notebook commands differ from notebookCommands' as problem
    from hour_totals_by_cluster
    left join command_costs_by_cluster
        on
            hour_totals_by_cluster.organization_id = command_costs_by_cluster.organization_id
            and hour_totals_by_cluster.cluster_id = command_costs_by_cluster.cluster_id

),

checks as (

    select
        organization_id,
        compute_kind,
        compute_id,
        checked_span,
        expected_cost,
        allocated_cost,
        problem
    from billed_hours
    union all
    select
        organization_id,
        compute_kind,
        compute_id,
        checked_span,
        expected_cost,
        allocated_cost,
        problem
    from gold_disagreements

)

select
    organization_id,
    compute_kind,
    compute_id,
    checked_span,
    expected_cost,
    allocated_cost,
    problem
from checks
where
    allocated_cost is null
    or abs(allocated_cost - expected_cost) > 0.005 * abs(expected_cost) + 1e-9
