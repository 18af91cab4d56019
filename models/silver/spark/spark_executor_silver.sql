{%- set executor_key = ['organization_id', 'cluster_id', 'spark_context_id', 'executor_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=executor_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark executors: the addition (SparkListenerExecutorAdded) and removal (SparkListenerExecutorRemoved)
    of each executor paired on (spark context, executor id).
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set executor_event_fields = [
    ['Timestamp', 'bigint'], ['Executor ID', 'string'], ['Executor Info', spark_executor_info_fields()],
    ['Removed Reason', 'string']
] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

executor_events as (

    {{ spark_events_to_process(['SparkListenerExecutorAdded', 'SparkListenerExecutorRemoved'], window_start) }}

),

parsed_executor_events as (

    select
        executor_events.organization_id,
        executor_events.cluster_id,
        executor_events.spark_context_id,
        executor_events.event,
        executor_events.source_file,
        executor_events.line_number,
        executor_events.event_date,
        executor_events.loaded_at,
        {{ spark_event_from_json('executor_events.event_json', executor_event_fields) }} as executor_event
    from executor_events

),

keyed_executor_events as (

    select
        parsed_executor_events.organization_id,
        parsed_executor_events.cluster_id,
        parsed_executor_events.spark_context_id,
        parsed_executor_events.executor_event.ExecutorID as executor_id,
        parsed_executor_events.event,
        parsed_executor_events.source_file,
        parsed_executor_events.line_number,
        parsed_executor_events.event_date,
        parsed_executor_events.loaded_at,
        parsed_executor_events.executor_event
    from parsed_executor_events

),

executor_additions as (

    {{ first_spark_events('keyed_executor_events', 'SparkListenerExecutorAdded', executor_key) }}

),

executor_removals as (

    {{ first_spark_events('keyed_executor_events', 'SparkListenerExecutorRemoved', executor_key) }}

),

new_executors as (

    select
        coalesce(executor_additions.organization_id, executor_removals.organization_id) as organization_id,
        coalesce(executor_additions.cluster_id, executor_removals.cluster_id) as cluster_id,
        coalesce(executor_additions.spark_context_id, executor_removals.spark_context_id) as spark_context_id,
        coalesce(executor_additions.executor_id, executor_removals.executor_id) as executor_id,
        executor_additions.executor_event.Timestamp as start_ms,
        executor_removals.executor_event.Timestamp as end_ms,
        executor_additions.executor_event.ExecutorInfo as executor_info,
        executor_removals.executor_event.RemovedReason as removed_reason,
        executor_additions.source_file as event_log_start,
        executor_removals.source_file as event_log_end,
        least(executor_additions.event_date, executor_removals.event_date) as first_event_date,
        greatest(executor_additions.loaded_at, executor_removals.loaded_at) as loaded_at
    from executor_additions
    full outer join executor_removals
        on
            executor_additions.organization_id = executor_removals.organization_id
            and executor_additions.cluster_id = executor_removals.cluster_id
            and executor_additions.spark_context_id = executor_removals.spark_context_id
            and executor_additions.executor_id = executor_removals.executor_id

),

executors as (

    {{ keep_known_spark_values(
        'new_executors', executor_key,
        start_columns=['start_ms', 'executor_info', 'event_log_start'],
        end_columns=['end_ms', 'removed_reason', 'event_log_end'],
        known_window_start=known_window_start
    ) }}

)

select
    executors.organization_id,
    executors.cluster_id,
    executors.spark_context_id,
    executors.executor_id,
    executors.executor_info,
    executors.removed_reason,
    executors.start_ms,
    executors.end_ms,
    {{ run_time_struct('executors.start_ms', 'executors.end_ms') }} as executor_alivetime,
    executors.event_log_start,
    executors.event_log_end,
    executors.first_event_date,
    executors.loaded_at
from executors
