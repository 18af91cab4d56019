{#- What kept a cluster busy: one row per task run (gold job_run) and per notebook command (gold
    notebook_commands) on it, with its start and end. A run still open counts as busy until the far future;
    a command without an execution time counts as an instant. -#}
with

task_runs as (

    select
        job_run.organization_id,
        job_run.cluster_id,
        'task_run' as activity_type,
        job_run.run_key as activity_id,
        job_run.task_runtime.startEpochMS as activity_start_ms,
        coalesce(job_run.task_runtime.endEpochMS, cast(253402300799000 as bigint)) as activity_end_ms
    from {{ ref('job_run') }} as job_run
    where job_run.cluster_id is not null and job_run.task_runtime.startEpochMS is not null

),

notebook_commands as (

    select
        organization_id,
        cluster_id,
        'notebook_command' as activity_type,
        command_id as activity_id,
        unixTimeMS as activity_start_ms,
        unixTimeMS + cast(round(coalesce(execution_time_s, 0) * 1000) as bigint) as activity_end_ms
    from {{ ref('notebook_commands') }}
    where cluster_id is not null and unixTimeMS is not null

)

select
    organization_id,
    cluster_id,
    activity_type,
    activity_id,
    activity_start_ms,
    activity_end_ms
from task_runs
union all
select
    organization_id,
    cluster_id,
    activity_type,
    activity_id,
    activity_start_ms,
    activity_end_ms
from notebook_commands
