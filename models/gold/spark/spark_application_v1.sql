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

{#- Incremental: a run re-reads spark_application_silver from the first day of the Spark contexts whose events it
    reads (macro spark_context_window_start) and merges into those days' partitions only. -#}
{%- set known_window_start = spark_context_window_start(
    incremental_window_start('first_event_date'), ref('spark_application_silver')
) -%}
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
        first_event_date
    from {{ ref('spark_application_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
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
    first_event_date
from applications
