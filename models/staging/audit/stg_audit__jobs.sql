{#- The jobs service's audit events (job definitions, runs, permissions), with the request parameters and
    response fields the job models read parsed once: ids as bigint, task dependencies as an array. -#}
with

job_events as (

    select
        audit_events.organization_id,
        audit_events.audit_event_id,
        audit_events.delivery_date,
        audit_events.event_time_ms,
        audit_events.action_name,
        audit_events.request_id,
        audit_events.session_id,
        audit_events.user_email,
        audit_events.source_ip_address,
        audit_events.user_agent,
        audit_events.request_params,
        audit_events.response,
        audit_events.response.result as response_result,
        audit_events.response_status_code
    from {{ ref('stg_audit__events') }} as audit_events
    where audit_events.service_name = 'jobs'

)

select
    organization_id,
    audit_event_id,
    delivery_date,
    event_time_ms,
    action_name,
    request_id,
    session_id,
    user_email,
    source_ip_address,
    user_agent,
    request_params,
    response,
    response_status_code,
    cast(
        case
            when action_name = 'create' then get_json_object(response_result, '$.job_id')
            when action_name = 'changeJobAcl' then request_params['resourceId']
            when action_name in ('runTriggered', 'runStart', 'runSucceeded', 'runFailed') then request_params['jobId']
            else request_params['job_id']
        end as bigint
    ) as job_id,
    cast(
        case
            when action_name in ('runNow', 'submitRun') then get_json_object(response_result, '$.run_id')
            when action_name = 'runTriggered' then request_params['runId']
            when action_name in ('runStart', 'runSucceeded', 'runFailed')
                then coalesce(request_params['multitaskParentRunId'], request_params['runId'])
            when action_name in ('cancel', 'repairRun') then request_params['run_id']
        end as bigint
    ) as job_run_id,
    case
        when action_name in ('runStart', 'runSucceeded', 'runFailed') then cast(request_params['runId'] as bigint)
    end as task_run_id,
    cast(
        case
            when action_name = 'repairRun' then get_json_object(response_result, '$.repair_id')
            else request_params['repairId']
        end as bigint
    ) as repair_id,
    request_params['taskKey'] as task_key,
    from_json(request_params['taskDependencies'], 'array<string>') as task_dependencies,
    cast(request_params['multitaskParentRunId'] as bigint) as multitask_parent_run_id,
    cast(request_params['parentRunId'] as bigint) as parent_run_id,
    cast(request_params['idInJob'] as bigint) as id_in_job,
    request_params['clusterId'] as cluster_id,
    request_params['jobClusterType'] as job_cluster_type,
    request_params['jobTaskType'] as job_task_type,
    request_params['jobTriggerType'] as job_trigger_type,
    request_params['runCreatorUserName'] as run_creator_user_name,
    request_params['jobTerminalState'] as job_terminal_state,
    request_params['run_name'] as run_name,
    from_json(request_params['fields_to_remove'], 'array<string>') as fields_to_remove
from job_events
