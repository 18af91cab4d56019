with

stages as (

    select
        organization_id,
        spark_context_id,
        stage_id,
        stage_attempt_id,
        cluster_id,
        start_ms,
        stage_runtime,
        stage_info,
        event_log_start,
        event_log_end
    from {{ ref('spark_stage_silver') }}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    spark_context_id,
    stage_id,
    stage_attempt_id,
    cluster_id,
    start_ms as unixTimeMS,
    timestamp_millis(start_ms) as timestamp,
    to_date(timestamp_millis(start_ms)) as date,
    stage_runtime,
    stage_info,
    event_log_start,
    event_log_end
from stages
