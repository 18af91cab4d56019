{%- set task_key = ['organization_id', 'cluster_id', 'spark_context_id', 'task_id', 'task_attempt_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=task_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark task attempts: the start (SparkListenerTaskStart) and end (SparkListenerTaskEnd) of each attempt
    paired on (spark context, task id, attempt); task ids are unique within a Spark context.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set task_event_fields = [
    ['Stage ID', 'bigint'], ['Stage Attempt ID', 'bigint'], ['Task Type', 'string'],
    ['Task Info', spark_task_info_fields()],
    ['Task Metrics', spark_task_metrics_fields()],
    ['Task Executor Metrics', 'map<string,bigint>'],
    ['Task End Reason', spark_task_end_reason_fields()]
] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

task_events as (

    {{ spark_events_to_process(['SparkListenerTaskStart', 'SparkListenerTaskEnd'], window_start) }}

),

parsed_task_events as (

    select
        task_events.organization_id,
        task_events.cluster_id,
        task_events.spark_context_id,
        task_events.event,
        task_events.source_file,
        task_events.line_number,
        task_events.event_date,
        task_events.loaded_at,
        {{ spark_event_from_json('task_events.event_json', task_event_fields) }} as task_event
    from task_events

),

keyed_task_events as (

    select
        parsed_task_events.organization_id,
        parsed_task_events.cluster_id,
        parsed_task_events.spark_context_id,
        parsed_task_events.task_event.TaskInfo.TaskID as task_id,
        parsed_task_events.task_event.TaskInfo.Attempt as task_attempt_id,
        parsed_task_events.event,
        parsed_task_events.source_file,
        parsed_task_events.line_number,
        parsed_task_events.event_date,
        parsed_task_events.loaded_at,
        parsed_task_events.task_event
    from parsed_task_events

),

task_starts as (

    {{ first_spark_events('keyed_task_events', 'SparkListenerTaskStart', task_key) }}

),

task_ends as (

    {{ first_spark_events('keyed_task_events', 'SparkListenerTaskEnd', task_key) }}

),

new_tasks as (

    select
        coalesce(task_starts.organization_id, task_ends.organization_id) as organization_id,
        coalesce(task_starts.cluster_id, task_ends.cluster_id) as cluster_id,
        coalesce(task_starts.spark_context_id, task_ends.spark_context_id) as spark_context_id,
        coalesce(task_starts.task_id, task_ends.task_id) as task_id,
        coalesce(task_starts.task_attempt_id, task_ends.task_attempt_id) as task_attempt_id,
        coalesce(task_starts.task_event.StageID, task_ends.task_event.StageID) as stage_id,
        -- Attempt 0 where the log has no stage attempt ids (Spark before 1.2), as for the stage itself.
        coalesce(task_starts.task_event.StageAttemptID, task_ends.task_event.StageAttemptID, 0) as stage_attempt_id,
        coalesce(task_starts.task_event.TaskInfo.ExecutorID, task_ends.task_event.TaskInfo.ExecutorID) as executor_id,
        coalesce(task_starts.task_event.TaskInfo.Host, task_ends.task_event.TaskInfo.Host) as host,
        coalesce(task_starts.task_event.TaskInfo.LaunchTime, task_ends.task_event.TaskInfo.LaunchTime) as start_ms,
        -- Until the task ends its finish time is 0.
        nullif(task_ends.task_event.TaskInfo.FinishTime, 0) as end_ms,
        task_ends.task_event.TaskType as task_type,
        -- The end's task info is the complete one (finish time, failed, killed).
        coalesce(task_ends.task_event.TaskInfo, task_starts.task_event.TaskInfo) as task_info,
        task_ends.task_event.TaskMetrics as task_metrics,
        task_ends.task_event.TaskExecutorMetrics as task_executor_metrics,
        task_ends.task_event.TaskEndReason as task_end_reason,
        task_starts.source_file as event_log_start,
        task_ends.source_file as event_log_end,
        least(task_starts.event_date, task_ends.event_date) as first_event_date,
        greatest(task_starts.loaded_at, task_ends.loaded_at) as loaded_at
    from task_starts
    full outer join task_ends
        on
            task_starts.organization_id = task_ends.organization_id
            and task_starts.cluster_id = task_ends.cluster_id
            and task_starts.spark_context_id = task_ends.spark_context_id
            and task_starts.task_id = task_ends.task_id
            and task_starts.task_attempt_id = task_ends.task_attempt_id

),

tasks as (

    {{ keep_known_spark_values(
        'new_tasks', task_key,
        start_columns=['stage_id', 'stage_attempt_id', 'executor_id', 'host', 'start_ms', 'event_log_start'],
        end_columns=[
            'end_ms', 'task_type', 'task_info', 'task_metrics', 'task_executor_metrics', 'task_end_reason',
            'event_log_end'
        ],
        known_window_start=known_window_start
    ) }}

)

select
    tasks.organization_id,
    tasks.cluster_id,
    tasks.spark_context_id,
    tasks.task_id,
    tasks.task_attempt_id,
    tasks.stage_id,
    tasks.stage_attempt_id,
    tasks.executor_id,
    tasks.host,
    tasks.task_type,
    tasks.start_ms,
    tasks.end_ms,
    {{ run_time_struct('tasks.start_ms', 'tasks.end_ms') }} as task_runtime,
    tasks.task_info,
    tasks.task_metrics,
    tasks.task_executor_metrics,
    tasks.task_end_reason,
    tasks.event_log_start,
    tasks.event_log_end,
    tasks.first_event_date,
    tasks.loaded_at
from tasks
