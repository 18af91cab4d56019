{#- Audit events of the instancePools service, one row per event, with the pool id and the request fields of
    a pool parsed once. A create names its new pool in the response; other actions in the request. Every
    outcome is kept: response_status_code tells them apart. -#}
with

pool_audit as (

    select
        organization_id,
        audit_event_id,
        event_time_ms,
        action_name,
        request_id,
        session_id,
        source_ip_address,
        user_agent,
        user_email,
        request_params,
        response,
        response_status_code
    from {{ ref('stg_audit__events') }}
    where service_name = 'instancePools'

)

select
    pool_audit.organization_id,
    pool_audit.audit_event_id,
    pool_audit.event_time_ms,
    pool_audit.action_name,
    pool_audit.request_id,
    pool_audit.session_id,
    pool_audit.source_ip_address,
    pool_audit.user_agent,
    pool_audit.user_email,
    pool_audit.response_status_code,
    pool_audit.response,
    case
        when pool_audit.action_name = 'create'
            then get_json_object(pool_audit.response.result, '$.instance_pool_id')
        else pool_audit.request_params['instance_pool_id']
    end as instance_pool_id,
    pool_audit.request_params['instance_pool_name'] as instance_pool_name,
    pool_audit.request_params['node_type_id'] as node_type_id,
    cast(pool_audit.request_params['idle_instance_autotermination_minutes'] as int)
        as idle_instance_autotermination_minutes,
    cast(pool_audit.request_params['min_idle_instances'] as int) as min_idle_instances,
    cast(pool_audit.request_params['max_capacity'] as int) as max_capacity,
    pool_audit.request_params['preloaded_spark_versions'] as preloaded_spark_versions,
    {{ json_to_string_map("pool_audit.request_params['aws_attributes']") }} as aws_attributes,
    {{ json_to_string_map("pool_audit.request_params['azure_attributes']") }} as azure_attributes,
    {{ json_to_string_map("pool_audit.request_params['gcp_attributes']") }} as gcp_attributes,
    {{ json_to_string_map("pool_audit.request_params['custom_tags']") }} as custom_tags
from pool_audit
