{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'spark_context_id', 'cluster_id', 'job_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Incremental: a run re-reads spark_job_silver from the first day of the Spark contexts whose events it
    reads (macro spark_context_window_start) and merges into those days' partitions only. -#}
{%- set known_window_start = spark_context_window_start(
    incremental_window_start('first_event_date'), ref('spark_application_silver')
) -%}
with

jobs as (

    select
        organization_id,
        spark_context_id,
        job_id,
        job_group_id,
        execution_id,
        stage_ids,
        cluster_id,
        notebook_id,
        notebook_path,
        db_job_id,
        db_run_id,
        db_job_type,
        start_ms,
        job_runtime,
        job_result,
        event_log_start,
        event_log_end,
        user_email,
        first_event_date
    from {{ ref('spark_job_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    spark_context_id,
    job_id,
    job_group_id,
    execution_id,
    stage_ids,
    cluster_id,
    notebook_id,
    notebook_path,
    db_job_id,
    -- Overwatch's name for the task run id (spark.databricks.job.runId), which jobrun calls run_id.
    db_run_id as db_id_in_job,
    db_run_id,
    db_job_type,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    job_runtime,
    job_result,
    event_log_start,
    event_log_end,
    user_email,
    first_event_date
from jobs
