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

{#- Incremental: a run re-reads spark_executor_silver from the newest first_event_date on, or
    from the first day of the silver rows loaded since (macro spark_window_start), and merges into those
    days' partitions only. -#}
{%- set window_start = spark_window_start(ref('spark_executor_silver'), 'first_event_date') -%}

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
        first_event_date,
        loaded_at
    from {{ ref('spark_executor_silver') }}
    {%- if window_start %}
    where first_event_date >= {{ window_start }}
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
    first_event_date,
    loaded_at
from executors
