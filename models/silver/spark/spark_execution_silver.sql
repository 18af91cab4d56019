{%- set execution_key = ['organization_id', 'cluster_id', 'spark_context_id', 'execution_id'] -%}
{%- set execution_start = 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart' -%}
{%- set execution_end = 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd' -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=execution_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark SQL executions: the start (SparkListenerSQLExecutionStart) and end (SparkListenerSQLExecutionEnd)
    of each execution paired on (spark context, execution id). The physical plan is left in bronze.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set execution_event_fields = [
    ['executionId', 'bigint'], ['description', 'string'], ['details', 'string'], ['time', 'bigint']
] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

execution_events as (

    {{ spark_events_to_process([execution_start, execution_end], window_start) }}

),

parsed_execution_events as (

    select
        execution_events.organization_id,
        execution_events.cluster_id,
        execution_events.spark_context_id,
        execution_events.event,
        execution_events.source_file,
        execution_events.line_number,
        execution_events.event_date,
        execution_events.loaded_at,
        {{ spark_event_from_json('execution_events.event_json', execution_event_fields) }} as execution_event
    from execution_events

),

keyed_execution_events as (

    select
        parsed_execution_events.organization_id,
        parsed_execution_events.cluster_id,
        parsed_execution_events.spark_context_id,
        parsed_execution_events.execution_event.executionId as execution_id,
        parsed_execution_events.event,
        parsed_execution_events.source_file,
        parsed_execution_events.line_number,
        parsed_execution_events.event_date,
        parsed_execution_events.loaded_at,
        parsed_execution_events.execution_event
    from parsed_execution_events

),

execution_starts as (

    {{ first_spark_events('keyed_execution_events', execution_start, execution_key) }}

),

execution_ends as (

    {{ first_spark_events('keyed_execution_events', execution_end, execution_key) }}

),

new_executions as (

    select
        coalesce(execution_starts.organization_id, execution_ends.organization_id) as organization_id,
        coalesce(execution_starts.cluster_id, execution_ends.cluster_id) as cluster_id,
        coalesce(execution_starts.spark_context_id, execution_ends.spark_context_id) as spark_context_id,
        coalesce(execution_starts.execution_id, execution_ends.execution_id) as execution_id,
        execution_starts.execution_event.description,
        execution_starts.execution_event.details,
        execution_starts.execution_event.time as start_ms,
        execution_ends.execution_event.time as end_ms,
        execution_starts.source_file as event_log_start,
        execution_ends.source_file as event_log_end,
        least(execution_starts.event_date, execution_ends.event_date) as first_event_date,
        greatest(execution_starts.loaded_at, execution_ends.loaded_at) as loaded_at
    from execution_starts
    full outer join execution_ends
        on
            execution_starts.organization_id = execution_ends.organization_id
            and execution_starts.cluster_id = execution_ends.cluster_id
            and execution_starts.spark_context_id = execution_ends.spark_context_id
            and execution_starts.execution_id = execution_ends.execution_id

),

executions as (

    {{ keep_known_spark_values(
        'new_executions', execution_key,
        start_columns=['description', 'details', 'start_ms', 'event_log_start'],
        end_columns=['end_ms', 'event_log_end'],
        known_window_start=known_window_start
    ) }}

)

select
    executions.organization_id,
    executions.cluster_id,
    executions.spark_context_id,
    executions.execution_id,
    executions.description,
    executions.details,
    executions.start_ms,
    executions.end_ms,
    {{ run_time_struct('executions.start_ms', 'executions.end_ms') }} as sql_execution_runtime,
    executions.event_log_start,
    executions.event_log_end,
    executions.first_event_date,
    executions.loaded_at
from executions
