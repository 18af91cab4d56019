{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'audit_event_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('login_date'),
        merge_window_column='login_date',
    )
}}

{#- Overwatch's accountLogin: every login attempt to a workspace or to the account (organization_id 0),
    by type, user, source IP and user agent, for every authentication action the seed
    audit_account_actions lists. A response outside 2xx is a failed attempt (is_failed_login), kept, not
    dropped; an event without a response status is of unknown outcome (is_failed_login null).
    Incremental: a run re-reads the audit log delivered from the newest login date less the look-back
    (macro incremental_window_start) and merges into those days' partitions only. -#}
{%- set window_start = incremental_window_start('login_date') -%}
with

login_actions as (

    select
        service_name,
        action_name
    from {{ ref('audit_account_actions') }}
    where account_model = 'account_login'

),

login_events as (

    select
        audit_events.organization_id,
        audit_events.audit_event_id,
        audit_events.event_time_ms,
        audit_events.event_date,
        audit_events.audit_level,
        audit_events.service_name,
        audit_events.action_name,
        audit_events.request_params,
        audit_events.user_email,
        audit_events.source_ip_address,
        audit_events.user_agent,
        audit_events.request_id,
        audit_events.response,
        audit_events.response_status_code
    from {{ ref('stg_audit__events') }} as audit_events
    inner join login_actions
        on
            audit_events.service_name = login_actions.service_name
            and audit_events.action_name = login_actions.action_name
    {%- if window_start %}
    where audit_events.delivery_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    audit_event_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    event_time_ms as login_unixTimeMS,
    event_date as login_date,
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
    response_status_code not between 200 and 299 as is_failed_login,
    service_name,
    audit_level,
    response_status_code
from login_events
