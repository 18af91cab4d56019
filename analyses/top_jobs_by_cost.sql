-- Jobs by cost over all the data (the "Cost overview" dashboard), most expensive first: the cluster
-- cost allocated to every task run of the job.
select
    organization_id,
    max(workspace_name) as workspace_name,
    job_id,
    max(job_name) as job_name,
    count(distinct coalesce(job_run_id, run_id)) as job_runs,
    sum(total_dbus) as total_dbus,
    sum(total_cost) as total_cost
from {{ ref('job_run_cost_potential_fact_presentation') }}
group by organization_id, job_id
order by total_cost desc
