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

{#- Incremental: a run re-reads spark_job_silver from the newest first_event_date on, or
    from the first day of the silver rows loaded since (macro spark_window_start), and merges into those
    days' partitions only. -#}
{%- set window_start = spark_window_start(ref('spark_job_silver'), 'first_event_date') -%}

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
        first_event_date,
        loaded_at
    from {{ ref('spark_job_silver') }}
    {%- if window_start %}
    where first_event_date >= {{ window_start }}
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
    first_event_date,
    loaded_at
from jobs
