{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'cluster_id', 'spark_context_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_application_silver from the newest first_event_date on, or
    from the first day of the silver rows loaded since (macro spark_window_start), and merges into those
    days' partitions only. -#}
{%- set window_start = spark_window_start(ref('spark_application_silver'), 'first_event_date') -%}

with

applications as (

    select
        organization_id,
        cluster_id,
        spark_context_id,
        app_id,
        app_attempt_id,
        app_name,
        app_user,
        spark_version,
        db_cluster_id,
        cluster_name,
        node_type,
        driver_node_type,
        runtime_version,
        runtime_engine,
        db_job_id,
        db_run_id,
        start_ms,
        application_runtime,
        event_log_start,
        event_log_end,
        first_event_date,
        loaded_at
    from {{ ref('spark_application_silver') }}
    {%- if window_start %}
    where first_event_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    cluster_id,
    spark_context_id,
    app_id,
    app_attempt_id,
    app_name,
    app_user,
    spark_version,
    db_cluster_id,
    cluster_name,
    node_type,
    driver_node_type,
    runtime_version,
    runtime_engine,
    db_job_id,
    db_run_id,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    application_runtime,
    event_log_start,
    event_log_end,
    first_event_date,
    loaded_at
from applications
