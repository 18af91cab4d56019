-- Daily cost by workspace, job and SKU (the "Daily cost" dashboard): the cluster cost allocated to
-- each task run, summed per job, SKU and the UTC date the run started. A run that spans midnight counts
-- on its start date; runs still open are costed so far.
select
    organization_id,
    workspace_name,
    job_start_date,
    job_id,
    sku,
    max(job_name) as job_name,
    count(distinct job_run_id) as job_runs,
    count(*) as task_runs,
    sum(total_dbus) as total_dbus,
    sum(total_dbu_cost) as total_dbu_cost,
    sum(total_compute_cost) as total_compute_cost,
    sum(total_cost) as total_cost,
    bool_or(is_run_open) as has_open_runs
from {{ ref('job_run_cost_potential_fact_presentation') }}
group by organization_id, workspace_name, job_start_date, job_id, sku
