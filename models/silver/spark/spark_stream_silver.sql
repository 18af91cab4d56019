{%- set stream_key = [
    'organization_id', 'cluster_id', 'spark_context_id', 'stream_id', 'stream_run_id', 'stream_batch_id'
] -%}
{%- set query_started = 'org.apache.spark.sql.streaming.StreamingQueryListener$QueryStartedEvent' -%}
{%- set query_progress = 'org.apache.spark.sql.streaming.StreamingQueryListener$QueryProgressEvent' -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=stream_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Structured streaming: one row per streaming query run's start (QueryStartedEvent, batch -1) and per
    batch progress (QueryProgressEvent). Terminated events carry no time or metrics and are left out.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set stream_event_fields = [
    ['id', 'string'], ['runId', 'string'], ['name', 'string'], ['timestamp', 'string'],
    ['progress', spark_stream_progress_fields()]
] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

stream_events as (

    {{ spark_events_to_process([query_started, query_progress], window_start) }}

),

parsed_stream_events as (

    select
        stream_events.organization_id,
        stream_events.cluster_id,
        stream_events.spark_context_id,
        stream_events.event,
        stream_events.source_file,
        stream_events.line_number,
        stream_events.event_date,
        stream_events.loaded_at,
        {{ spark_event_from_json('stream_events.event_json', stream_event_fields) }} as stream_event
    from stream_events

),

keyed_stream_events as (

    select
        parsed_stream_events.organization_id,
        parsed_stream_events.cluster_id,
        parsed_stream_events.spark_context_id,
        coalesce(parsed_stream_events.stream_event.progress.id, parsed_stream_events.stream_event.id) as stream_id,
        coalesce(
            parsed_stream_events.stream_event.progress.runId, parsed_stream_events.stream_event.runId
        ) as stream_run_id,
        -- A start has no batch; -1 keeps the key not null.
        coalesce(parsed_stream_events.stream_event.progress.batchId, -1) as stream_batch_id,
        parsed_stream_events.event,
        parsed_stream_events.source_file,
        parsed_stream_events.line_number,
        parsed_stream_events.event_date,
        parsed_stream_events.loaded_at,
        parsed_stream_events.stream_event
    from parsed_stream_events

),

first_stream_events as (

    {{ first_spark_events('keyed_stream_events', query_started, stream_key) }}
    union all
    {{ first_spark_events('keyed_stream_events', query_progress, stream_key) }}

),

new_stream_events as (

    select
        first_stream_events.organization_id,
        first_stream_events.cluster_id,
        first_stream_events.spark_context_id,
        first_stream_events.stream_id,
        first_stream_events.stream_run_id,
        first_stream_events.stream_batch_id,
        unix_millis(
            try_cast(
                coalesce(
                    first_stream_events.stream_event.progress.timestamp, first_stream_events.stream_event.timestamp
                ) as timestamp
            )
        ) as stream_timestamp,
        case
            when first_stream_events.event = '{{ query_started }}' then 'Started'
            when first_stream_events.event = '{{ query_progress }}' then 'Progressed'
        end as stream_segment,
        coalesce(
            first_stream_events.stream_event.progress.name, first_stream_events.stream_event.name
        ) as stream_name,
        first_stream_events.stream_event.progress as streaming_metrics,
        first_stream_events.source_file as event_log_start,
        first_stream_events.event_date as first_event_date,
        first_stream_events.loaded_at
    from first_stream_events

),

stream_rows as (

    {{ keep_known_spark_values(
        'new_stream_events', stream_key,
        start_columns=['stream_timestamp', 'stream_segment', 'stream_name', 'streaming_metrics', 'event_log_start'],
        end_columns=[],
        known_window_start=known_window_start
    ) }}

)

select
    stream_rows.organization_id,
    stream_rows.cluster_id,
    stream_rows.spark_context_id,
    stream_rows.stream_id,
    stream_rows.stream_run_id,
    stream_rows.stream_batch_id,
    stream_rows.stream_timestamp,
    stream_rows.stream_segment,
    stream_rows.stream_name,
    stream_rows.streaming_metrics,
    stream_rows.event_log_start,
    stream_rows.first_event_date,
    stream_rows.loaded_at
from stream_rows
