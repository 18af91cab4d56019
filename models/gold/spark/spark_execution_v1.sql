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
        event_log_end
    from {{ ref('spark_execution_silver') }}

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
    event_log_end
from executions
