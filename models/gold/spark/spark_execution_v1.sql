{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'spark_context_id', 'cluster_id', 'execution_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_execution_silver from the newest first_event_date on, or
    from the first day of the silver rows loaded since (macro spark_window_start), and merges into those
    days' partitions only. -#}
{%- set window_start = spark_window_start(ref('spark_execution_silver'), 'first_event_date') -%}

with

executions as (

    select
        organization_id,
        spark_context_id,
        execution_id,
        cluster_id,
        description,
        details,
        sql_execution_runtime,
        start_ms,
        event_log_start,
        event_log_end,
        first_event_date,
        loaded_at
    from {{ ref('spark_execution_silver') }}
    {%- if window_start %}
    where first_event_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    spark_context_id,
    execution_id,
    cluster_id,
    description,
    details,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    sql_execution_runtime,
    event_log_start,
    event_log_end,
    first_event_date,
    loaded_at
from executions
