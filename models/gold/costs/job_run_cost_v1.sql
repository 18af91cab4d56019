{#- Cost per job run, classic and serverless compute in one place. Classic: the cluster cost Overwatch
    allocates to the run's task runs (job_run_cost_potential_fact, summed per job run: DBU cost at the
    contract price plus cloud compute). Serverless: the bill's serverless usage tagged with the run
    (billable_usage where usage_metadata.job_run_id is the run), priced at list and contract price.
    The bill's total for the run (classic job clusters included) is kept beside it for comparison
    (job_run_billed_usage sums the bill per run). -#}
with

classic_task_runs as (

    select
        organization_id,
        job_id,
        coalesce(job_run_id, run_id) as job_run_id,
        job_name,
        job_start_date,
        total_dbus,
        total_dbu_cost,
        total_compute_cost,
        total_cost
    from {{ ref('job_run_cost_potential_fact') }}

),

classic_runs as (

    select
        organization_id,
        job_id,
        job_run_id,
        max(job_name) as job_name,
        min(job_start_date) as run_start_date,
        count(*) as classic_task_runs,
        sum(total_dbus) as classic_dbus,
        sum(total_dbu_cost) as classic_dbu_cost,
        sum(total_compute_cost) as classic_compute_cost,
        sum(total_cost) as classic_cost,
        count(total_cost) = count(*) as is_classic_cost_complete
    from classic_task_runs
    group by organization_id, job_id, job_run_id

),

billed_runs as (

    select
        organization_id,
        job_id,
        job_run_id,
        job_name,
        run_start_date,
        serverless_dbus,
        serverless_list_cost,
        serverless_contract_cost,
        billed_dbus,
        billed_list_cost,
        billed_contract_cost,
        is_bill_priced
    from {{ ref('job_run_billed_usage') }}

),

job_runs as (

    select
        coalesce(classic_runs.organization_id, billed_runs.organization_id) as organization_id,
        coalesce(classic_runs.job_id, billed_runs.job_id) as job_id,
        coalesce(classic_runs.job_run_id, billed_runs.job_run_id) as job_run_id,
        coalesce(classic_runs.job_name, billed_runs.job_name) as job_name,
        coalesce(classic_runs.run_start_date, billed_runs.run_start_date) as run_start_date,
        coalesce(classic_runs.classic_task_runs, 0) as classic_task_runs,
        classic_runs.classic_dbus,
        classic_runs.classic_dbu_cost,
        classic_runs.classic_compute_cost,
        classic_runs.classic_cost,
        classic_runs.is_classic_cost_complete,
        billed_runs.serverless_dbus,
        billed_runs.serverless_list_cost,
        billed_runs.serverless_contract_cost,
        billed_runs.billed_dbus,
        billed_runs.billed_list_cost,
        billed_runs.billed_contract_cost,
        billed_runs.is_bill_priced
    from classic_runs
    full outer join billed_runs
        on
            classic_runs.organization_id = billed_runs.organization_id
            and classic_runs.job_id = billed_runs.job_id
            and classic_runs.job_run_id = billed_runs.job_run_id

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    job_id,
    job_run_id,
    job_name,
    run_start_date,
    classic_task_runs,
    classic_dbus,
    classic_dbu_cost,
    classic_compute_cost,
    classic_cost,
    is_classic_cost_complete,
    serverless_dbus,
    serverless_list_cost,
    serverless_contract_cost,
    case
        when classic_cost is null and serverless_contract_cost is null then cast(null as double)
        else coalesce(classic_cost, 0) + coalesce(serverless_contract_cost, 0)
    end as total_cost,
    coalesce(serverless_dbus, 0) > 0 as is_serverless,
    billed_dbus,
    billed_list_cost,
    billed_contract_cost,
    is_bill_priced
from job_runs
