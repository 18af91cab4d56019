{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'spark_context_id', 'cluster_id', 'task_id', 'task_attempt_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_task_silver from the first day of the Spark contexts whose events it
    reads (macro spark_context_window_start) and merges into those days' partitions only. -#}
{%- set known_window_start = spark_context_window_start(
    incremental_window_start('first_event_date'), ref('spark_application_silver')
) -%}
with

tasks as (

    select
        organization_id,
        spark_context_id,
        task_id,
        task_attempt_id,
        stage_id,
        stage_attempt_id,
        cluster_id,
        executor_id,
        host,
        start_ms,
        task_runtime,
        task_metrics,
        task_executor_metrics,
        task_info,
        task_type,
        task_end_reason,
        event_log_start,
        event_log_end,
        first_event_date
    from {{ ref('spark_task_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    spark_context_id,
    task_id,
    task_attempt_id,
    stage_id,
    stage_attempt_id,
    cluster_id,
    executor_id,
    host,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    task_runtime,
    task_metrics,
    task_executor_metrics,
    task_info,
    task_type,
    task_end_reason,
    event_log_start,
    event_log_end,
    first_event_date
from tasks
