{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'spark_context_id', 'cluster_id', 'executor_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_executor_silver from the first day of the Spark contexts whose events it
    reads (macro spark_context_window_start) and merges into those days' partitions only. -#}
{%- set known_window_start = spark_context_window_start(
    incremental_window_start('first_event_date'), ref('spark_application_silver')
) -%}
with

executors as (

    select
        organization_id,
        spark_context_id,
        executor_id,
        cluster_id,
        executor_info,
        removed_reason,
        executor_alivetime,
        start_ms,
        event_log_start,
        event_log_end,
        first_event_date
    from {{ ref('spark_executor_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    spark_context_id,
    executor_id,
    cluster_id,
    executor_info,
    removed_reason,
    executor_alivetime,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    event_log_start,
    event_log_end,
    first_event_date
from executors
