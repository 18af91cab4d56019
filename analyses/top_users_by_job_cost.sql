-- Users by the cost of the jobs they own (the "Cost overview" dashboard): the creator of each job,
-- hashed while personal data is masked, with the cost allocated to its task runs.
select
    organization_id,
    created_by,
    count(distinct job_id) as jobs,
    sum(total_dbus) as total_dbus,
    sum(total_cost) as total_cost
from {{ ref('job_run_cost_potential_fact_presentation') }}
group by organization_id, created_by
order by total_cost desc
