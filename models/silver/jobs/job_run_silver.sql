{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'run_key'],
        partition_by=date_partitioning('run_date'),
        merge_window_column='run_date',
        post_hook=["{{ delete_superseded_job_run_placeholders() }}"],
    )
}}

{#- Incremental, partitioned by run_date (the day of the first time known of the run: it only moves earlier
    as events arrive, so a merge always finds a row's partition). A run rebuilds the runs with events
    delivered or snapshots taken from the newest run date less the look-back (macro incremental_window_start)
    and the runs this table holds open (no end, no terminal state) dated within var
    jobrun_open_run_lookback_days of that day, reading their events from the first day of those runs on:
    every read is bounded by a date literal on a partition column. -#}
{%- set window_start = incremental_window_start('run_date') -%}
{%- set events_start = job_run_reread_start(window_start, var('jobrun_open_run_lookback_days')) -%}
with

run_events as (

    -- Every successful run event with the job run it belongs to (a task run's parent for task-level events).
    select
        organization_id,
        delivery_date as event_date,
        event_time_ms as unix_time_ms,
        action_name as action,
        request_params,
        user_email,
        session_id,
        request_id,
        user_agent,
        source_ip_address,
        job_id,
        job_run_id,
        task_run_id,
        repair_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        id_in_job,
        cluster_id,
        job_cluster_type,
        job_task_type,
        job_trigger_type,
        run_creator_user_name,
        job_terminal_state,
        run_name
    from {{ ref('job_run_events') }}
    {%- if events_start %}
    where delivery_date >= {{ events_start }}
    {%- endif %}

),

job_run_snapshots as (

    -- The newest runs-API snapshot of each run.
    select
        organization_id,
        job_run_id,
        snapshot_ms,
        job_id,
        run_name,
        run_type,
        run_trigger,
        creator_user_name,
        cluster_id,
        start_ms,
        end_ms,
        result_state,
        tasks_json,
        single_task_json
    from {{ ref('job_run_api_snapshot_latest') }}
    {%- if events_start %}
    where run_start_date >= {{ events_start }} or run_start_date is null
    {%- endif %}

),

{% if window_start %}

job_runs_in_scope as (

    -- Runs with events or snapshots in the window, and runs still open within the open-run look-back.
    select
        run_events.organization_id,
        run_events.job_run_id
    from run_events
    where run_events.event_date >= {{ window_start }}
    union
    select
        job_run_snapshots.organization_id,
        job_run_snapshots.job_run_id
    from job_run_snapshots
    where job_run_snapshots.snapshot_ms >= unix_millis(cast({{ window_start }} as timestamp))
    union
    select
        existing_runs.organization_id,
        existing_runs.job_run_id
    from {{ this }} as existing_runs
    where
        existing_runs.run_date >= {{ events_start }}
        and existing_runs.end_ms is null
        and existing_runs.terminal_state is null

),

{% endif %}

scoped_run_events as (

    -- Incrementally, only runs in scope, with their events as far back as the open-run look-back.
    select run_events.*
    from run_events
    {%- if window_start %}
    left semi join job_runs_in_scope
        on
            run_events.organization_id = job_runs_in_scope.organization_id
            and run_events.job_run_id = job_runs_in_scope.job_run_id
    {%- endif %}

),

scoped_job_run_snapshots as (

    select job_run_snapshots.*
    from job_run_snapshots
    {%- if window_start %}
    left semi join job_runs_in_scope
        on
            job_run_snapshots.organization_id = job_runs_in_scope.organization_id
            and job_run_snapshots.job_run_id = job_runs_in_scope.job_run_id
    {%- endif %}

),

first_run_events as (

    -- At-least-once delivery: the first event of each kind per task run (per job run for run-level events).
    select
        *,
        row_number() over (
            partition by organization_id, action, job_run_id, coalesce(task_run_id, -1)
            order by unix_time_ms, request_id
        ) as event_number
    from scoped_run_events
    where job_run_id is not null

),

submissions as (

    select
        organization_id,
        job_run_id,
        unix_time_ms as submission_ms,
        case when action in ('runNow', 'runTriggered') then job_id end as submission_job_id,
        case action
            when 'runTriggered' then job_trigger_type
            when 'runNow' then 'runNow'
            when 'submitRun' then 'submitRun'
        end as submission_trigger_type,
        case when action = 'submitRun' then run_name end as submitted_run_name,
        case
            when action = 'runNow'
                then named_struct(
                        'notebook_params', request_params['notebook_params'],
                        'jar_params', request_params['jar_params'],
                        'python_params', request_params['python_params'],
                        'spark_submit_params', request_params['spark_submit_params'],
                        'python_named_params', request_params['python_named_params'],
                        'sql_params', request_params['sql_params'],
                        'pipeline_params', request_params['pipeline_params'],
                        'dbt_commands', request_params['dbt_commands']
                    )
        end as manual_override_params,
        request_params['workflow_context'] as workflow_context,
        case
            when action = 'submitRun'
                then named_struct(
                        'existing_cluster_id', request_params['existing_cluster_id'],
                        'new_cluster', request_params['new_cluster'],
                        'tasks', request_params['tasks'],
                        'job_clusters', request_params['job_clusters'],
                        'libraries', request_params['libraries'],
                        'git_source', request_params['git_source'],
                        'timeout_seconds', cast(request_params['timeout_seconds'] as bigint)
                    )
        end as submit_run_details,
        request_id as submit_request_id,
        session_id as submit_session_id,
        source_ip_address as submit_source_ip,
        user_agent as submit_user_agent,
        user_email as submitted_by,
        row_number()
            over (partition by organization_id, job_run_id order by unix_time_ms, request_id)
            as submission_number
    from first_run_events
    where
        action in ('runNow', 'runTriggered', 'submitRun')
        and event_number = 1

),

first_submissions as (

    select * from submissions
    where submission_number = 1

),

task_starts as (

    select
        organization_id,
        job_run_id,
        task_run_id,
        unix_time_ms as start_ms,
        job_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        id_in_job,
        repair_id,
        cluster_id,
        job_cluster_type as cluster_type,
        job_task_type as task_type,
        job_trigger_type,
        run_creator_user_name as run_as_user_name,
        request_id as start_request_id
    from first_run_events
    where
        action = 'runStart'
        and event_number = 1
        and task_run_id is not null

),

task_completions as (

    select
        organization_id,
        job_run_id,
        task_run_id,
        unix_time_ms as completion_ms,
        job_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        id_in_job,
        repair_id,
        cluster_id,
        job_cluster_type as cluster_type,
        job_task_type as task_type,
        job_trigger_type,
        run_creator_user_name as run_as_user_name,
        job_terminal_state as terminal_state,
        request_id as completion_request_id,
        row_number() over (
            partition by organization_id, job_run_id, task_run_id order by unix_time_ms, request_id
        ) as completion_number
    from first_run_events
    where
        action in ('runSucceeded', 'runFailed')
        and task_run_id is not null

),

cancellations as (

    -- A cancel names a job run (or a task run); cancelAllRuns is not attributed to runs.
    select
        organization_id,
        job_run_id as cancelled_run_id,
        unix_time_ms as cancellation_ms,
        request_id as cancellation_request_id,
        session_id as cancellation_session_id,
        source_ip_address as cancellation_source_ip,
        user_agent as cancelled_user_agent,
        user_email as cancelled_by
    from first_run_events
    where
        action = 'cancel'
        and event_number = 1

),

repairs as (

    select
        organization_id,
        job_run_id,
        repair_id,
        named_struct(
            'repair_timestamp', unix_time_ms,
            'rerun_tasks', request_params['rerun_tasks'],
            'rerun_all_failed_tasks', cast(request_params['rerun_all_failed_tasks'] as boolean),
            'latest_repair_id', cast(request_params['latest_repair_id'] as bigint),
            'repaired_by', user_email,
            'repair_user_agent', user_agent,
            'repair_request_id', request_id
        ) as repair_details,
        row_number() over (
            partition by organization_id, job_run_id, repair_id
            order by unix_time_ms, request_id
        ) as repair_number
    from first_run_events
    where action = 'repairRun'

),

first_task_completions as (

    select * from task_completions
    where completion_number = 1

),

first_repairs as (

    select * from repairs
    where repair_number = 1

),

audit_task_runs as (

    select
        coalesce(task_starts.organization_id, task_completions.organization_id) as organization_id,
        coalesce(task_starts.job_run_id, task_completions.job_run_id) as job_run_id,
        coalesce(task_starts.task_run_id, task_completions.task_run_id) as task_run_id,
        coalesce(task_starts.job_id, task_completions.job_id) as job_id,
        coalesce(task_starts.task_key, task_completions.task_key) as task_key,
        coalesce(task_starts.task_dependencies, task_completions.task_dependencies) as task_dependencies,
        coalesce(task_starts.multitask_parent_run_id, task_completions.multitask_parent_run_id)
            as multitask_parent_run_id,
        coalesce(task_starts.parent_run_id, task_completions.parent_run_id) as parent_run_id,
        coalesce(task_starts.id_in_job, task_completions.id_in_job) as id_in_job,
        coalesce(task_starts.repair_id, task_completions.repair_id) as repair_id,
        coalesce(task_starts.cluster_id, task_completions.cluster_id) as cluster_id,
        coalesce(task_starts.cluster_type, task_completions.cluster_type) as cluster_type,
        coalesce(task_starts.task_type, task_completions.task_type) as task_type,
        coalesce(task_starts.job_trigger_type, task_completions.job_trigger_type) as job_trigger_type,
        coalesce(task_starts.run_as_user_name, task_completions.run_as_user_name) as run_as_user_name,
        task_completions.terminal_state,
        task_starts.start_ms,
        task_completions.completion_ms,
        task_starts.start_request_id,
        task_completions.completion_request_id
    from task_starts
    full outer join first_task_completions as task_completions
        on
            task_starts.organization_id = task_completions.organization_id
            and task_starts.job_run_id = task_completions.job_run_id
            and task_starts.task_run_id = task_completions.task_run_id

),

api_job_run_times as (

    select
        organization_id,
        job_run_id,
        job_id,
        run_name,
        run_type,
        run_trigger,
        creator_user_name,
        cluster_id,
        start_ms,
        end_ms,
        result_state,
        tasks_json,
        single_task_json
    from scoped_job_run_snapshots

),

api_run_tasks as (

    -- One row per task the runs API lists (the job run itself when it lists no tasks).
    select
        api_job_run_times.organization_id,
        api_job_run_times.job_run_id,
        api_job_run_times.job_id,
        api_job_run_times.run_name,
        api_job_run_times.run_type,
        api_job_run_times.run_trigger,
        api_job_run_times.creator_user_name,
        api_job_run_times.cluster_id as run_cluster_id,
        api_job_run_times.start_ms as run_start_ms,
        api_job_run_times.end_ms as run_end_ms,
        api_job_run_times.result_state as run_result_state,
        api_tasks.task as listed_task_json,
        coalesce(api_tasks.task, api_job_run_times.single_task_json) as task_json,
        api_tasks.task is null and api_job_run_times.single_task_json is not null as is_single_task_run,
        cast(get_json_object(api_tasks.task, '$.run_id') as bigint) as own_task_run_id,
        get_json_object(api_tasks.task, '$.task_key') as task_key
    from api_job_run_times
        lateral view outer explode(from_json(api_job_run_times.tasks_json, 'array<string>')) api_tasks as task

),

audit_task_runs_by_key as (

    -- The latest task run the audit log saw for each task of a job run: the id of a listed task that has none.
    select
        organization_id,
        job_run_id,
        task_key,
        task_run_id,
        row_number() over (
            partition by organization_id, job_run_id, task_key order by start_ms desc, task_run_id desc
        ) as task_run_number
    from audit_task_runs
    where task_key is not null

),

api_run_task_ids as (

    -- A listed task without a run id of its own takes the audit log's, else the job run's (keyed with its task_key).
    select
        api_run_tasks.*,
        coalesce(
            api_run_tasks.own_task_run_id,
            audit_task_runs_by_key.task_run_id,
            case when api_run_tasks.is_single_task_run then api_run_tasks.job_run_id end
        ) as task_run_id
    from api_run_tasks
    left join audit_task_runs_by_key
        on
            api_run_tasks.organization_id = audit_task_runs_by_key.organization_id
            and api_run_tasks.job_run_id = audit_task_runs_by_key.job_run_id
            and api_run_tasks.task_key = audit_task_runs_by_key.task_key
            and api_run_tasks.own_task_run_id is null
            and audit_task_runs_by_key.task_run_number = 1

),

api_task_runs as (

    select
        organization_id,
        job_run_id,
        coalesce(task_run_id, job_run_id) as run_id,
        task_run_id,
        listed_task_json is not null and task_run_id is null as borrows_job_run_id,
        job_id,
        run_name,
        run_type,
        run_trigger,
        creator_user_name,
        task_json,
        task_key,
        transform(
            from_json(get_json_object(task_json, '$.depends_on'), 'array<string>'),
            dependency -> get_json_object(dependency, '$.task_key')
        ) as task_dependencies,
        -- The cluster the task ran on, else the existing cluster it was set to run on.
        coalesce(
            get_json_object(task_json, '$.cluster_instance.cluster_id'),
            run_cluster_id,
            get_json_object(task_json, '$.existing_cluster_id')
        ) as cluster_id,
        case
            when get_json_object(task_json, '$.existing_cluster_id') is not null then 'existing'
            when get_json_object(task_json, '$.job_cluster_key') is not null then 'job_cluster'
            when get_json_object(task_json, '$.new_cluster') is not null then 'new'
            when get_json_object(task_json, '$.sql_task.warehouse_id') is not null then 'sql_warehouse'
        end as cluster_type,
        {{ job_task_type('task_json') }} as task_type,
        cast(get_json_object(task_json, '$.attempt_number') as int) as attempt_number,
        -- Where the task's times come from: the job run's (no tasks listed), its own, none (it never
        -- started: skipped, blocked, upstream failed) or, listed without a start time, its job run's.
        case
            when listed_task_json is null then 'job_run'
            when get_json_object(listed_task_json, '$.start_time') is not null then 'own'
            when
                coalesce(
                    get_json_object(listed_task_json, '$.state.life_cycle_state')
                    in ('PENDING', 'QUEUED', 'BLOCKED', 'SKIPPED', 'WAITING_FOR_RETRY'),
                    false
                )
                or coalesce(
                    get_json_object(listed_task_json, '$.state.result_state')
                    in ('UPSTREAM_FAILED', 'UPSTREAM_CANCELED', 'SKIPPED', 'EXCLUDED'),
                    false
                )
                then 'never_started'
            else 'job_run_start'
        end as times_from,
        listed_task_json,
        run_start_ms,
        run_end_ms,
        coalesce(get_json_object(task_json, '$.state.result_state'), run_result_state) as result_state
    from api_run_task_ids

),

api_task_runs_timed as (

    -- A start time of 0 means the task never started; an end time of 0 that it is still running.
    select
        *,
        case times_from
            when 'job_run' then run_start_ms
            when 'own' then nullif(cast(get_json_object(listed_task_json, '$.start_time') as bigint), 0)
            when 'job_run_start' then run_start_ms
        end as start_ms
    from api_task_runs

),

api_task_run_times as (

    select
        *,
        case times_from
            when 'job_run' then run_end_ms
            when 'own' then {{ job_run_end_ms('listed_task_json', 'start_ms') }}
            when 'job_run_start'
                then coalesce(nullif(cast(get_json_object(listed_task_json, '$.end_time') as bigint), 0), run_end_ms)
        end as end_ms
    from api_task_runs_timed

),

submissions_without_task_runs as (

    -- A run submitted but not (yet) started: one row for the job run until its task runs are known.
    select
        first_submissions.organization_id,
        first_submissions.job_run_id
    from first_submissions
    left anti join audit_task_runs
        on
            first_submissions.organization_id = audit_task_runs.organization_id
            and first_submissions.job_run_id = audit_task_runs.job_run_id
    left anti join api_task_run_times
        on
            first_submissions.organization_id = api_task_run_times.organization_id
            and first_submissions.job_run_id = api_task_run_times.job_run_id

),

audit_runs as (

    select
        organization_id,
        job_run_id,
        task_run_id as run_id,
        task_run_id,
        job_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        id_in_job,
        repair_id,
        cluster_id,
        cluster_type,
        task_type,
        job_trigger_type,
        run_as_user_name,
        terminal_state,
        start_ms,
        completion_ms,
        start_request_id,
        completion_request_id
    from audit_task_runs
    union all
    select
        organization_id,
        job_run_id,
        job_run_id as run_id,
        cast(null as bigint) as task_run_id,
        cast(null as bigint) as job_id,
        cast(null as string) as task_key,
        cast(null as array<string>) as task_dependencies,
        cast(null as bigint) as multitask_parent_run_id,
        cast(null as bigint) as parent_run_id,
        cast(null as bigint) as id_in_job,
        cast(null as bigint) as repair_id,
        cast(null as string) as cluster_id,
        cast(null as string) as cluster_type,
        cast(null as string) as task_type,
        cast(null as string) as job_trigger_type,
        cast(null as string) as run_as_user_name,
        cast(null as string) as terminal_state,
        cast(null as bigint) as start_ms,
        cast(null as bigint) as completion_ms,
        cast(null as string) as start_request_id,
        cast(null as string) as completion_request_id
    from submissions_without_task_runs

),

combined_runs as (

    -- Audit events first; the runs API fills what they miss (whole runs or single fields).
    select
        coalesce(audit_runs.organization_id, api_task_run_times.organization_id) as organization_id,
        coalesce(audit_runs.run_id, api_task_run_times.run_id) as run_id,
        coalesce(audit_runs.job_run_id, api_task_run_times.job_run_id) as job_run_id,
        coalesce(audit_runs.task_run_id, api_task_run_times.task_run_id) as task_run_id,
        coalesce(api_task_run_times.borrows_job_run_id, false) as borrows_job_run_id,
        coalesce(audit_runs.job_id, api_task_run_times.job_id) as job_id,
        coalesce(audit_runs.task_key, api_task_run_times.task_key) as task_key,
        coalesce(audit_runs.task_dependencies, api_task_run_times.task_dependencies) as task_dependencies,
        audit_runs.multitask_parent_run_id,
        audit_runs.parent_run_id,
        audit_runs.id_in_job,
        audit_runs.repair_id,
        api_task_run_times.attempt_number,
        coalesce(audit_runs.cluster_id, api_task_run_times.cluster_id) as cluster_id,
        coalesce(audit_runs.cluster_type, api_task_run_times.cluster_type) as cluster_type,
        coalesce(audit_runs.task_type, api_task_run_times.task_type) as task_type,
        audit_runs.job_trigger_type as task_trigger_type,
        case api_task_run_times.run_trigger
            when 'PERIODIC' then 'cron'
            when 'ONE_TIME' then case when api_task_run_times.run_type = 'SUBMIT_RUN' then 'submitRun' else 'runNow' end
            when 'RETRY' then 'retry'
            when 'FILE_ARRIVAL' then 'fileArrival'
            when 'CONTINUOUS' then 'continuous'
            when 'RUN_JOB_TASK' then 'runJobTask'
            else lower(api_task_run_times.run_trigger)
        end as api_trigger_type,
        coalesce(audit_runs.run_as_user_name, api_task_run_times.creator_user_name) as run_as_user_name,
        audit_runs.terminal_state as audit_terminal_state,
        case api_task_run_times.result_state
            when 'SUCCESS' then 'Succeeded'
            when 'FAILED' then 'Failed'
            when 'CANCELED' then 'Cancelled'
            when 'TIMEDOUT' then 'TimedOut'
            when 'UPSTREAM_FAILED' then 'UpstreamFailed'
            when 'UPSTREAM_CANCELED' then 'UpstreamCancelled'
            when 'SKIPPED' then 'Skipped'
            when 'EXCLUDED' then 'Excluded'
            else initcap(api_task_run_times.result_state)
        end as api_terminal_state,
        api_task_run_times.run_name as api_run_name,
        api_task_run_times.task_json as api_task_json,
        coalesce(audit_runs.start_ms, api_task_run_times.start_ms) as start_ms,
        api_task_run_times.run_start_ms as api_run_start_ms,
        coalesce(
            audit_runs.completion_ms,
            case when audit_runs.run_id is null or audit_runs.start_ms is null then api_task_run_times.end_ms end
        ) as completion_ms,
        audit_runs.start_request_id,
        audit_runs.completion_request_id,
        case
            when audit_runs.run_id is not null and api_task_run_times.run_id is not null then 'audit_log+runs_api'
            when audit_runs.run_id is not null then 'audit_log'
            else 'runs_api'
        end as record_source
    from audit_runs
    full outer join api_task_run_times
        on
            audit_runs.organization_id = api_task_run_times.organization_id
            and audit_runs.run_id = api_task_run_times.run_id
            -- Listed tasks sharing their job run's id match only the audit row of their own task, if any.
            and (
                not api_task_run_times.borrows_job_run_id
                or audit_runs.task_key is null
                or audit_runs.task_key = api_task_run_times.task_key
            )

),

runs_with_requests as (

    select
        combined_runs.*,
        first_submissions.submission_ms,
        first_submissions.submission_job_id,
        first_submissions.submission_trigger_type,
        first_submissions.submitted_run_name,
        first_submissions.manual_override_params,
        first_submissions.workflow_context,
        first_submissions.submit_run_details,
        first_submissions.submit_request_id,
        first_submissions.submit_session_id,
        first_submissions.submit_source_ip,
        first_submissions.submit_user_agent,
        first_submissions.submitted_by,
        coalesce(task_cancellations.cancellation_ms, job_run_cancellations.cancellation_ms) as cancellation_ms,
        coalesce(
            task_cancellations.cancellation_request_id, job_run_cancellations.cancellation_request_id
        ) as cancellation_request_id,
        coalesce(
            task_cancellations.cancellation_session_id, job_run_cancellations.cancellation_session_id
        ) as cancellation_session_id,
        coalesce(
            task_cancellations.cancellation_source_ip, job_run_cancellations.cancellation_source_ip
        ) as cancellation_source_ip,
        coalesce(
            task_cancellations.cancelled_user_agent, job_run_cancellations.cancelled_user_agent
        ) as cancelled_user_agent,
        coalesce(task_cancellations.cancelled_by, job_run_cancellations.cancelled_by) as cancelled_by,
        repairs.repair_details
    from combined_runs
    left join first_submissions
        on
            combined_runs.organization_id = first_submissions.organization_id
            and combined_runs.job_run_id = first_submissions.job_run_id
    left join cancellations as task_cancellations
        on
            combined_runs.organization_id = task_cancellations.organization_id
            and combined_runs.task_run_id = task_cancellations.cancelled_run_id
    -- Cancelling a job run cancels its started task runs that had not ended before the cancel.
    left join cancellations as job_run_cancellations
        on
            combined_runs.organization_id = job_run_cancellations.organization_id
            and combined_runs.job_run_id = job_run_cancellations.cancelled_run_id
            and (combined_runs.task_run_id is null or combined_runs.start_ms is not null)
            and (
                combined_runs.completion_ms is null
                or combined_runs.completion_ms >= job_run_cancellations.cancellation_ms
            )
    left join first_repairs as repairs
        on
            combined_runs.organization_id = repairs.organization_id
            and combined_runs.job_run_id = repairs.job_run_id
            and combined_runs.repair_id = repairs.repair_id

),

final as (

    select
        organization_id,
        case
            when borrows_job_run_id then concat(cast(run_id as string), ':', task_key)
            else cast(run_id as string)
        end as run_key,
        run_id,
        job_run_id,
        task_run_id,
        coalesce(job_id, submission_job_id) as job_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        coalesce(id_in_job, task_run_id, job_run_id) as id_in_job,
        repair_id,
        repair_details,
        attempt_number,
        coalesce(submitted_run_name, api_run_name) as run_name,
        cluster_id,
        cluster_type,
        task_type,
        coalesce(submission_trigger_type, task_trigger_type, api_trigger_type) as job_trigger_type,
        case
            when cancellation_ms is not null then 'Cancelled'
            else coalesce(audit_terminal_state, api_terminal_state)
        end as terminal_state,
        run_as_user_name,
        submission_ms,
        start_ms,
        completion_ms,
        cancellation_ms,
        {{ job_run_window_end_ms('completion_ms', 'cancellation_ms') }} as end_ms,
        manual_override_params,
        workflow_context,
        submit_run_details,
        api_task_json,
        named_struct(
            'submissionRequest', named_struct(
                'submitRequestId', submit_request_id,
                'submitSessionId', submit_session_id,
                'submitSourceIP', submit_source_ip,
                'submitUserAgent', submit_user_agent,
                'submittedBy', submitted_by
            ),
            'cancellationRequest', named_struct(
                'cancellationRequestId', cancellation_request_id,
                'cancellationSessionId', cancellation_session_id,
                'cancellationSourceIP', cancellation_source_ip,
                'cancelledUserAgent', cancelled_user_agent,
                'cancelledBy', cancelled_by
            ),
            'completionRequest', named_struct('completionRequestId', completion_request_id),
            'startRequest', named_struct('startRequestId', start_request_id)
        ) as request_detail,
        record_source,
        greatest(
            coalesce(submission_ms, 0), coalesce(start_ms, 0), coalesce(completion_ms, 0), coalesce(cancellation_ms, 0)
        ) as last_event_ms,
        -- The first time known of the run: more events only move it earlier (least skips nulls).
        to_date(timestamp_millis(least(submission_ms, start_ms, api_run_start_ms, completion_ms, cancellation_ms)))
            as run_date
    from runs_with_requests

)

select * from final
