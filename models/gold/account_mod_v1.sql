{#- Overwatch's accountMod: user and group administration of the workspace (users added, removed,
    updated; groups created and removed; membership; admin rights granted and revoked). A refused
    change is kept with its response. -#}
{%- set account_mod_actions = [
    'add', 'delete', 'updateUser', 'activateUser', 'deactivateUser', 'setAdmin', 'removeAdmin',
    'createGroup', 'removeGroup', 'addPrincipalToGroup', 'removePrincipalFromGroup',
    'addPrincipalsToGroup', 'removePrincipalsFromGroup', 'changePassword', 'resetPassword',
] -%}

with

account_mod_events as (

    select
        audit_log_bronze.organization_id,
        audit_log_bronze.timestamp as mod_unix_time_ms,
        audit_log_bronze.actionName as action_name,
        audit_log_bronze.requestParams as request_params,
        audit_log_bronze.userIdentity.email as modified_by,
        audit_log_bronze.sourceIPAddress as source_ip_address,
        audit_log_bronze.userAgent as user_agent,
        audit_log_bronze.requestId as request_id,
        audit_log_bronze.response
    from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
    where
        audit_log_bronze.serviceName = 'accounts'
        and audit_log_bronze.actionName in (
            {%- for action in account_mod_actions %}
                '{{ action }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    mod_unix_time_ms as mod_unixTimeMS,
    to_date(timestamp_millis(mod_unix_time_ms)) as mod_date,
    action_name as action,
    request_params['endpoint'] as endpoint,
    modified_by,
    coalesce(request_params['targetUserName'], request_params['userName'], request_params['user']) as user_name,
    coalesce(request_params['targetUserId'], request_params['userId']) as user_id,
    coalesce(request_params['targetGroupName'], request_params['groupName']) as group_name,
    coalesce(request_params['targetGroupId'], request_params['groupId']) as group_id,
    source_ip_address as from_ip_address,
    user_agent,
    request_id,
    response
from account_mod_events
