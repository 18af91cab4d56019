-- A job-run row (no task run) stands for a submitted run only until its task runs are known: it must
-- not remain beside them (the merge cannot delete it; job_run_silver's post-hook does).
with

job_run_rows as (

    select
        organization_id,
        job_run_id
    from {{ ref('job_run_silver') }}
    where task_run_id is null and task_key is null

),

task_run_rows as (

    select distinct
        organization_id,
        job_run_id
    from {{ ref('job_run_silver') }}
    where task_run_id is not null or task_key is not null

)

select
    job_run_rows.organization_id,
    job_run_rows.job_run_id
from job_run_rows
inner join task_run_rows
    on
        job_run_rows.organization_id = task_run_rows.organization_id
        and job_run_rows.job_run_id = task_run_rows.job_run_id
