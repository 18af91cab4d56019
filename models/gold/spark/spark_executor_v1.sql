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
        event_log_end
    from {{ ref('spark_executor_silver') }}

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
    event_log_end
from executors
