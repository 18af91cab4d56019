{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'audit_event_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('mod_date'),
        merge_window_column='mod_date',
    )
}}

{#- Overwatch's accountMod: changes to users, groups, group membership, admin rights, entitlements,
    passwords and tokens, in a workspace or at the account level (organization_id 0), for every such
    action the seed audit_account_actions lists. A refused change is kept with its response.
    Incremental: a run re-reads the audit log delivered from the newest change date less the look-back
    (macro incremental_window_start) and merges into those days' partitions only. -#}
{%- set window_start = incremental_window_start('mod_date') -%}
with

change_actions as (

    select
        service_name,
        action_name,
        change_kind
    from {{ ref('audit_account_actions') }}
    where account_model = 'account_mod'

),

change_events as (

    select
        audit_events.organization_id,
        audit_events.audit_event_id,
        audit_events.event_time_ms,
        audit_events.event_date,
        audit_events.audit_level,
        audit_events.service_name,
        audit_events.action_name,
        change_actions.change_kind,
        audit_events.request_params,
        audit_events.user_email,
        audit_events.source_ip_address,
        audit_events.user_agent,
        audit_events.request_id,
        audit_events.response,
        audit_events.response_status_code
    from {{ ref('stg_audit__events') }} as audit_events
    inner join change_actions
        on
            audit_events.service_name = change_actions.service_name
            and audit_events.action_name = change_actions.action_name
    {%- if window_start %}
    where audit_events.delivery_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    audit_event_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    event_time_ms as mod_unixTimeMS,
    event_date as mod_date,
    action_name as action,
    request_params['endpoint'] as endpoint,
    user_email as modified_by,
    coalesce(request_params['targetUserName'], request_params['userName'], request_params['user']) as user_name,
    coalesce(request_params['targetUserId'], request_params['userId'], request_params['targetServicePrincipalId'])
        as user_id,
    coalesce(request_params['targetGroupName'], request_params['groupName']) as group_name,
    coalesce(request_params['targetGroupId'], request_params['groupId']) as group_id,
    source_ip_address as from_ip_address,
    user_agent,
    request_id,
    response,
    service_name,
    change_kind,
    audit_level,
    response_status_code
from change_events
