-- Cost of each job run, all its tasks together (the "Job run cost" dashboard), most expensive first.
with

task_run_costs as (

    select
        organization_id,
        workspace_name,
        job_id,
        job_name,
        job_run_id,
        run_id,
        startEpochMS,
        run_terminal_state,
        is_run_open,
        total_dbus,
        total_dbu_cost,
        total_compute_cost,
        total_cost
    from {{ ref('job_run_cost_potential_fact_presentation') }}

)

select
    organization_id,
    max(workspace_name) as workspace_name,
    job_id,
    max(job_name) as job_name,
    coalesce(job_run_id, run_id) as job_run_id,
    timestamp_millis(min(startEpochMS)) as run_start,
    count(*) as task_runs,
    count_if(run_terminal_state != 'SUCCESS') as task_runs_not_succeeded,
    bool_or(is_run_open) as is_open,
    sum(total_dbus) as total_dbus,
    sum(total_dbu_cost) as total_dbu_cost,
    sum(total_compute_cost) as total_compute_cost,
    sum(total_cost) as total_cost
from task_run_costs
group by organization_id, job_id, coalesce(job_run_id, run_id)
order by total_cost desc
