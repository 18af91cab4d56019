{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=[
            'organization_id', 'spark_context_id', 'cluster_id', 'stream_id', 'stream_run_id', 'stream_batch_id'
        ],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_stream_silver and spark_execution_silver from the newest first_event_date
    on, or from the first day of the rows loaded since (macro spark_window_start), and from
    the first day of those rows' Spark contexts, so a stream run's rows are read whole (its name), and
    merges into those days' partitions only. -#}
{%- set stream_window_start = spark_window_start(ref('spark_stream_silver'), 'first_event_date') -%}
{%- set execution_window_start = spark_window_start(ref('spark_execution_silver'), 'first_event_date') -%}
{%- set window_start = (
    'least(' ~ stream_window_start ~ ', ' ~ execution_window_start ~ ')' if stream_window_start else none
) -%}
{%- set known_window_start = spark_context_window_start(
    window_start, ref('spark_application_silver'), ref('spark_stream_silver'), 'first_event_date'
) -%}

with

stream_events as (

    select
        organization_id,
        spark_context_id,
        cluster_id,
        stream_id,
        stream_run_id,
        stream_batch_id,
        stream_timestamp,
        stream_segment,
        stream_name,
        streaming_metrics,
        first_event_date,
        loaded_at
    from {{ ref('spark_stream_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

),

window_executions as (

    select
        organization_id,
        spark_context_id,
        cluster_id,
        execution_id,
        description
    from {{ ref('spark_execution_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

),

batch_executions as (

    -- A streaming batch's SQL executions are described as `id = <stream> runId = <run> batch = <batch>`.
    select
        organization_id,
        spark_context_id,
        cluster_id,
        execution_id,
        regexp_extract(description, 'id = ([0-9a-f-]+)', 1) as stream_id,
        regexp_extract(description, 'runId = ([0-9a-f-]+)', 1) as stream_run_id,
        try_cast(regexp_extract(description, 'batch = ([0-9]+)', 1) as bigint) as stream_batch_id
    from window_executions
    where description like '%id = %runId = %batch = %'

),

executions_by_batch as (

    select
        organization_id,
        spark_context_id,
        cluster_id,
        stream_id,
        stream_run_id,
        stream_batch_id,
        array_sort(collect_set(execution_id)) as execution_ids
    from batch_executions
    group by organization_id, spark_context_id, cluster_id, stream_id, stream_run_id, stream_batch_id

)

select
    stream_events.organization_id,
    {{ workspace_name('stream_events.organization_id') }} as workspace_name,
    stream_events.spark_context_id,
    stream_events.cluster_id,
    stream_events.stream_id,
    stream_events.stream_run_id,
    stream_events.stream_batch_id,
    stream_events.stream_timestamp,
    to_date(timestamp_millis(stream_events.stream_timestamp)) as date,
    stream_events.stream_segment as streamSegment,
    -- Only some events of a run name the query.
    coalesce(
        stream_events.stream_name,
        max(stream_events.stream_name) over (
            partition by
                stream_events.organization_id, stream_events.spark_context_id, stream_events.stream_id,
                stream_events.stream_run_id
        )
    ) as stream_name,
    stream_events.streaming_metrics,
    executions_by_batch.execution_ids,
    stream_events.first_event_date,
    stream_events.loaded_at
from stream_events
left join executions_by_batch
    on
        stream_events.organization_id = executions_by_batch.organization_id
        and stream_events.spark_context_id = executions_by_batch.spark_context_id
        and stream_events.cluster_id <=> executions_by_batch.cluster_id
        and stream_events.stream_id = executions_by_batch.stream_id
        and stream_events.stream_run_id = executions_by_batch.stream_run_id
        and stream_events.stream_batch_id = executions_by_batch.stream_batch_id
