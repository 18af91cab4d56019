{#- Overwatch's accountLogin: every login attempt to the workspace, by type, user, source IP and user
    agent. A login whose response is not a 2xx is a failed attempt (is_failed_login), kept, not dropped. -#}
{%- set login_actions = [
    'login', 'tokenLogin', 'samlLogin', 'oidcBrowserLogin', 'aadBrowserLogin', 'aadTokenLogin',
    'jwtLogin', 'certLogin', 'mfaLogin', 'passwordVerifyAuthentication',
] -%}

with

login_events as (

    select
        audit_log_bronze.organization_id,
        audit_log_bronze.timestamp as login_unix_time_ms,
        audit_log_bronze.serviceName as service_name,
        audit_log_bronze.actionName as action_name,
        audit_log_bronze.requestParams as request_params,
        audit_log_bronze.userIdentity.email as user_email,
        audit_log_bronze.sourceIPAddress as source_ip_address,
        audit_log_bronze.userAgent as user_agent,
        audit_log_bronze.requestId as request_id,
        audit_log_bronze.response,
        coalesce(not (audit_log_bronze.response.statusCode between 200 and 299), true) as is_failed_login
    from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
    where
        (
            audit_log_bronze.serviceName = 'accounts'
            and audit_log_bronze.actionName in (
                {%- for action in login_actions %}
                    '{{ action }}'{{ ',' if not loop.last }}
                {%- endfor %}
            )
        )
        or (audit_log_bronze.serviceName = 'ssh' and audit_log_bronze.actionName = 'login')

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    login_unix_time_ms as login_unixTimeMS,
    to_date(timestamp_millis(login_unix_time_ms)) as login_date,
    case when service_name = 'ssh' then 'ssh' else action_name end as login_type,
    coalesce(request_params['user'], request_params['userName'], request_params['username'], user_email)
        as login_user,
    user_email,
    case
        when service_name = 'ssh'
            then named_struct(
                    'instance_id', request_params['instanceId'],
                    'container_id', request_params['containerId'],
                    'port', request_params['port'],
                    'public_key', request_params['publicKey']
                )
    end as ssh_login_details,
    source_ip_address as from_ip_address,
    user_agent,
    request_id,
    response,
    is_failed_login
from login_events
