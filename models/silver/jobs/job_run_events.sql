{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'audit_event_id'],
        partition_by=date_partitioning('delivery_date'),
        merge_window_column='delivery_date',
    )
}}

{#- The successful run events of the jobs audit log, kept narrow so job_run_silver re-reads a run's events
    from here, not from the whole audit log. Partitioned by delivery date (part of the audit log's key, so a
    row's never changes). Incremental: a run re-reads the audit log delivered from the newest delivery date
    kept less the look-back (macro incremental_window_start) and merges into those days' partitions only. -#}
{%- set window_start = incremental_window_start('delivery_date') -%}
with

job_audit_events as (

    select
        organization_id,
        audit_event_id,
        delivery_date,
        event_time_ms,
        action_name,
        request_params,
        response_status_code,
        user_email,
        session_id,
        request_id,
        user_agent,
        source_ip_address,
        job_id,
        job_run_id,
        task_run_id,
        repair_id,
        task_key,
        task_dependencies,
        multitask_parent_run_id,
        parent_run_id,
        id_in_job,
        cluster_id,
        job_cluster_type,
        job_task_type,
        job_trigger_type,
        run_creator_user_name,
        job_terminal_state,
        run_name
    from {{ ref('stg_audit__jobs') }}
    {%- if window_start %}
    where delivery_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    audit_event_id,
    delivery_date,
    event_time_ms,
    action_name,
    request_params,
    response_status_code,
    user_email,
    session_id,
    request_id,
    user_agent,
    source_ip_address,
    job_id,
    job_run_id,
    task_run_id,
    repair_id,
    task_key,
    task_dependencies,
    multitask_parent_run_id,
    parent_run_id,
    id_in_job,
    cluster_id,
    job_cluster_type,
    job_task_type,
    job_trigger_type,
    run_creator_user_name,
    job_terminal_state,
    run_name
from job_audit_events
where
    action_name in (
        'runNow', 'runTriggered', 'submitRun', 'runStart', 'runSucceeded', 'runFailed', 'cancel', 'repairRun'
    )
    and response_status_code = 200
