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
        user_email
    from {{ ref('spark_job_silver') }}

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
    user_email
from jobs
