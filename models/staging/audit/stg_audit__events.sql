{#- Every audit event in bronze, workspace- and account-level (organization_id 0), in snake_case with
    the response status as its own column: what the account models read. -#}
with

audit_log_bronze as (

    select
        organization_id,
        date,
        hash_key,
        timestamp,
        auditLevel,
        workspaceId,
        accountId,
        serviceName,
        actionName,
        requestId,
        sessionId,
        userIdentity,
        sourceIPAddress,
        userAgent,
        requestParams,
        response
    from {{ source('overwatch_bronze', 'audit_log_bronze') }}

)

select
    organization_id,
    concat(cast(date as string), ':', cast(hash_key as string)) as audit_event_id,
    date as delivery_date,
    timestamp as event_time_ms,
    to_date(timestamp_millis(timestamp)) as event_date,
    auditLevel as audit_level,
    organization_id = '0' as is_account_level,
    workspaceId as workspace_id,
    accountId as account_id,
    serviceName as service_name,
    actionName as action_name,
    requestId as request_id,
    sessionId as session_id,
    userIdentity.email as user_email,
    userIdentity.subjectName as user_subject_name,
    sourceIPAddress as source_ip_address,
    userAgent as user_agent,
    requestParams as request_params,
    response,
    response.statusCode as response_status_code
from audit_log_bronze
