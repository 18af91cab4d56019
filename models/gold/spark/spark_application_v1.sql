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
        event_log_end
    from {{ ref('spark_application_silver') }}

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
    event_log_end
from applications
