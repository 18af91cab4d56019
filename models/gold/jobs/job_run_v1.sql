{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'run_key'],
        on_schema_change='fail',
        partition_by=date_partitioning('run_date'),
        merge_window_column='run_date',
        post_hook=["{{ delete_superseded_job_run_placeholders() }}"],
    )
}}

{#- Overwatch's jobRun. Incremental, partitioned by run_date as job_run_silver: a run re-reads the rows of
    job_run_silver from the newest run date less the look-back, or from the earlier run date of a run this
    table holds open within var jobrun_open_run_lookback_days (macro job_run_reread_start): the same runs
    job_run_silver rebuilt. The jobs' and clusters' specs are read whole (a run takes its job as it was at
    launch, however old that version). A post-hook removes a job-run row once task runs of that run exist. -#}
{%- set window_start = incremental_window_start('run_date') -%}
{%- set reread_start = job_run_reread_start(
    window_start,
    var('jobrun_open_run_lookback_days'),
    'task_runtime.endEpochMS is null and terminal_state is null',
) -%}
with

job_runs as (

    select
        job_run_silver.organization_id,
        job_run_silver.run_key,
        job_run_silver.run_id,
        job_run_silver.job_run_id,
        job_run_silver.task_run_id,
        job_run_silver.job_id,
        job_run_silver.task_key,
        job_run_silver.task_dependencies,
        job_run_silver.multitask_parent_run_id,
        job_run_silver.parent_run_id,
        job_run_silver.repair_id,
        job_run_silver.repair_details,
        job_run_silver.run_name,
        job_run_silver.cluster_id,
        job_run_silver.cluster_type,
        job_run_silver.task_type,
        job_run_silver.job_trigger_type,
        job_run_silver.terminal_state,
        job_run_silver.run_as_user_name,
        job_run_silver.submission_ms,
        job_run_silver.start_ms,
        job_run_silver.completion_ms,
        job_run_silver.cancellation_ms,
        job_run_silver.end_ms,
        job_run_silver.manual_override_params,
        job_run_silver.workflow_context,
        job_run_silver.submit_run_details,
        job_run_silver.submit_run_details.tasks as submit_run_tasks,
        job_run_silver.submit_run_details.job_clusters as submit_run_job_clusters,
        job_run_silver.submit_run_details.new_cluster as submit_run_new_cluster,
        job_run_silver.submit_run_details.libraries as submit_run_libraries,
        job_run_silver.submit_run_details.timeout_seconds as submit_run_timeout_seconds,
        job_run_silver.api_task_json,
        job_run_silver.request_detail,
        job_run_silver.run_date
    from {{ ref('job_run_silver') }} as job_run_silver
    {%- if reread_start %}
    where job_run_silver.run_date >= {{ reread_start }}
    {%- endif %}

),

job_status as (

    select
        organization_id,
        job_id,
        unix_time_ms,
        job_name,
        tags,
        tasks,
        job_clusters,
        new_cluster,
        libraries,
        schedule,
        timeout_seconds,
        retry_on_timeout,
        max_retries,
        min_retry_interval_millis,
        max_concurrent_runs,
        task_detail_legacy,
        created_by,
        last_edited_by
    from {{ ref('job_silver') }}

),

cluster_spec as (

    select
        organization_id,
        cluster_id,
        cluster_name,
        unix_time_ms
    from {{ ref('cluster_silver') }}

),

job_status_candidates as (

    -- The job as it was when the run was launched: its last version before then, else its first one.
    select
        job_runs.organization_id,
        job_runs.run_key,
        job_status.job_name,
        job_status.tags,
        job_status.tasks,
        job_status.job_clusters,
        job_status.new_cluster,
        job_status.libraries,
        job_status.schedule,
        job_status.timeout_seconds,
        job_status.retry_on_timeout,
        job_status.max_retries,
        job_status.min_retry_interval_millis,
        job_status.max_concurrent_runs,
        job_status.task_detail_legacy,
        job_status.created_by,
        job_status.last_edited_by,
        row_number() over (
            partition by job_runs.organization_id, job_runs.run_key
            order by
                case
                    when job_status.unix_time_ms <= coalesce(job_runs.submission_ms, job_runs.start_ms) then 0
                    else 1
                end,
                case
                    when job_status.unix_time_ms <= coalesce(job_runs.submission_ms, job_runs.start_ms)
                        then -job_status.unix_time_ms
                    else job_status.unix_time_ms
                end
        ) as version_rank
    from job_runs
    inner join job_status
        on
            job_runs.organization_id = job_status.organization_id
            and job_runs.job_id = job_status.job_id

),

job_at_launch as (

    select * from job_status_candidates
    where version_rank = 1

),

cluster_names as (

    select
        organization_id,
        cluster_id,
        cluster_name,
        row_number() over (partition by organization_id, cluster_id order by unix_time_ms desc) as name_rank
    from cluster_spec

),

job_runs_with_job as (

    select
        job_runs.*,
        job_at_launch.job_name,
        job_at_launch.tags,
        job_at_launch.job_clusters,
        job_at_launch.new_cluster as job_new_cluster,
        job_at_launch.libraries as job_libraries,
        job_at_launch.schedule,
        job_at_launch.timeout_seconds,
        job_at_launch.retry_on_timeout,
        job_at_launch.max_retries,
        job_at_launch.min_retry_interval_millis,
        job_at_launch.max_concurrent_runs,
        job_at_launch.task_detail_legacy,
        job_at_launch.created_by,
        job_at_launch.last_edited_by,
        cluster_names.cluster_name,
        coalesce(
            {{ json_array_element_where('job_at_launch.tasks', 'task_key', 'job_runs.task_key') }},
            {{ json_array_element_where('job_runs.submit_run_tasks', 'task_key', 'job_runs.task_key') }},
            job_runs.api_task_json,
            -- A job in the API 2.0 single-task shape: its task is in its settings, not in a tasks array.
            case
                when job_at_launch.tasks is null then {{ legacy_job_task_json('job_at_launch.task_detail_legacy') }}
            end
        ) as task_detail
    from job_runs
    left join job_at_launch
        on
            job_runs.organization_id = job_at_launch.organization_id
            and job_runs.run_key = job_at_launch.run_key
    left join cluster_names
        on
            job_runs.organization_id = cluster_names.organization_id
            and job_runs.cluster_id = cluster_names.cluster_id
            and cluster_names.name_rank = 1

),

job_runs_with_clusters as (

    select
        *,
        get_json_object(task_detail, '$.job_cluster_key') as job_cluster_key,
        {{ json_array_element_where(
            'coalesce(job_clusters, submit_run_job_clusters)',
            'job_cluster_key',
            "get_json_object(task_detail, '$.job_cluster_key')"
        ) }} as job_cluster
    from job_runs_with_job

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    job_id,
    coalesce(job_name, run_name) as job_name,
    tags,
    run_key,
    run_id,
    job_run_id,
    task_run_id,
    task_key,
    cluster_id,
    cluster_name,
    multitask_parent_run_id,
    parent_run_id,
    task_detail,
    task_dependencies,
    {{ run_time_struct('start_ms', 'end_ms') }} as task_runtime,
    {{ run_time_struct('start_ms', 'end_ms') }} as task_execution_runtime,
    job_cluster_key,
    cluster_type,
    job_cluster,
    coalesce(
        get_json_object(task_detail, '$.new_cluster'),
        get_json_object(job_cluster, '$.new_cluster'),
        job_new_cluster,
        submit_run_new_cluster
    ) as new_cluster,
    -- The audit log names the type of the tasks it saw start; the task's settings name it for the rest.
    coalesce(task_type, {{ job_task_type('task_detail') }}) as task_type,
    {{ job_task_target('task_detail') }} as task_target,
    terminal_state,
    job_trigger_type,
    schedule,
    coalesce(
        get_json_object(task_detail, '$.libraries'), job_libraries, submit_run_libraries
    ) as libraries,
    manual_override_params,
    repair_id,
    repair_details,
    run_name,
    coalesce(timeout_seconds, submit_run_timeout_seconds) as timeout_seconds,
    retry_on_timeout,
    max_retries,
    min_retry_interval_millis,
    max_concurrent_runs,
    run_as_user_name,
    workflow_context,
    task_detail_legacy,
    submit_run_details as submitRun_details,
    created_by,
    last_edited_by,
    request_detail,
    named_struct(
        'startTime', start_ms,
        'submissionTime', submission_ms,
        'cancellationTime', cancellation_ms,
        'completionTime', completion_ms,
        'timeout_seconds', coalesce(timeout_seconds, submit_run_timeout_seconds)
    ) as time_detail,
    start_ms as startEpochMS,
    run_date
from job_runs_with_clusters
