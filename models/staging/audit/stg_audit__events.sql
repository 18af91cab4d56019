{#- Every audit event in bronze, workspace- and account-level (organization_id 0), in snake_case with
    the response status as its own column: what the account models read. -#}
select
    audit_log_bronze.organization_id,
    concat(cast(audit_log_bronze.date as string), ':', cast(audit_log_bronze.hash_key as string))
        as audit_event_id,
    audit_log_bronze.date as delivery_date,
    audit_log_bronze.timestamp as event_time_ms,
    to_date(timestamp_millis(audit_log_bronze.timestamp)) as event_date,
    audit_log_bronze.auditLevel as audit_level,
    audit_log_bronze.organization_id = '0' as is_account_level,
    audit_log_bronze.workspaceId as workspace_id,
    audit_log_bronze.accountId as account_id,
    audit_log_bronze.serviceName as service_name,
    audit_log_bronze.actionName as action_name,
    audit_log_bronze.requestId as request_id,
    audit_log_bronze.sessionId as session_id,
    audit_log_bronze.userIdentity.email as user_email,
    audit_log_bronze.userIdentity.subjectName as user_subject_name,
    audit_log_bronze.sourceIPAddress as source_ip_address,
    audit_log_bronze.userAgent as user_agent,
    audit_log_bronze.requestParams as request_params,
    audit_log_bronze.response,
    audit_log_bronze.response.statusCode as response_status_code
from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
