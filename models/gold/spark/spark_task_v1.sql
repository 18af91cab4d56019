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
        event_log_end
    from {{ ref('spark_task_silver') }}

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
    event_log_end
from tasks
