{#- Audit events of the instancePools service, one row per event, with the pool id and the request fields of
    a pool parsed once. A create names its new pool in the response; other actions in the request. Every
    outcome is kept: response_status_code tells them apart. -#}
with

instance_pool_audit_events as (

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
    organization_id,
    audit_event_id,
    event_time_ms,
    action_name,
    request_id,
    session_id,
    source_ip_address,
    user_agent,
    user_email,
    response_status_code,
    response,
    case
        when action_name = 'create' then get_json_object(response.result, '$.instance_pool_id')
        else request_params['instance_pool_id']
    end as instance_pool_id,
    request_params['instance_pool_name'] as instance_pool_name,
    request_params['node_type_id'] as node_type_id,
    cast(request_params['idle_instance_autotermination_minutes'] as int) as idle_instance_autotermination_minutes,
    cast(request_params['min_idle_instances'] as int) as min_idle_instances,
    cast(request_params['max_capacity'] as int) as max_capacity,
    request_params['preloaded_spark_versions'] as preloaded_spark_versions,
    {{ json_to_string_map("request_params['aws_attributes']") }} as aws_attributes,
    {{ json_to_string_map("request_params['azure_attributes']") }} as azure_attributes,
    {{ json_to_string_map("request_params['gcp_attributes']") }} as gcp_attributes,
    {{ json_to_string_map("request_params['custom_tags']") }} as custom_tags
from instance_pool_audit_events
