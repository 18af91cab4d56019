{#- The audit log's `notebook` service events (notebook life cycle and, with verbose audit logs, each
    command run), with the request parameters the notebook models read parsed once into columns. -#}
select
    audit_events.organization_id,
    audit_events.audit_event_id,
    audit_events.delivery_date,
    audit_events.event_time_ms,
    audit_events.event_date,
    audit_events.service_name,
    audit_events.action_name,
    audit_events.request_params['notebookId'] as notebook_id,
    audit_events.request_params['clusterId'] as cluster_id,
    audit_events.request_params['path'] as request_path,
    audit_events.request_params['notebookName'] as request_notebook_name,
    audit_events.request_params['oldName'] as old_name,
    audit_events.request_params['newName'] as new_name,
    audit_events.request_params['oldPath'] as old_path,
    audit_events.request_params['newPath'] as new_path,
    audit_events.request_params['parentPath'] as parent_path,
    audit_events.request_params['commandId'] as command_id,
    audit_events.request_params['commandText'] as command_text,
    audit_events.request_params['commandLanguage'] as command_language,
    cast(audit_events.request_params['executionTime'] as double) as execution_time_s,
    audit_events.request_params['status'] as command_status,
    audit_events.user_email,
    audit_events.source_ip_address,
    audit_events.user_agent,
    audit_events.request_id,
    audit_events.response,
    audit_events.response_status_code
from {{ ref('stg_audit__events') }} as audit_events
where audit_events.service_name = 'notebook'
