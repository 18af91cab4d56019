{#- Audit events of the clusters service, one row per event, with the cluster id and the request fields of a
    cluster spec parsed once. A create names its new cluster in the response; other actions in the request
    (cluster_id, or clusterId in older events). Every outcome is kept: response_status_code tells them apart. -#}
with

cluster_audit as (

    select
        organization_id,
        audit_event_id,
        delivery_date,
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
    where service_name = 'clusters'

)

select
    cluster_audit.organization_id,
    cluster_audit.audit_event_id,
    cluster_audit.delivery_date,
    cluster_audit.event_time_ms,
    cluster_audit.action_name,
    cluster_audit.request_id,
    cluster_audit.session_id,
    cluster_audit.source_ip_address,
    cluster_audit.user_agent,
    cluster_audit.user_email,
    cluster_audit.response_status_code,
    cluster_audit.response,
    case
        when cluster_audit.action_name = 'create'
            then get_json_object(cluster_audit.response.result, '$.cluster_id')
        else coalesce(cluster_audit.request_params['cluster_id'], cluster_audit.request_params['clusterId'])
    end as cluster_id,
    cluster_audit.request_params['cluster_name'] as cluster_name,
    cluster_audit.request_params['spark_version'] as spark_version,
    cluster_audit.request_params['effective_spark_version'] as effective_spark_version,
    cluster_audit.request_params['driver_node_type_id'] as driver_node_type_id,
    cluster_audit.request_params['node_type_id'] as node_type_id,
    cast(cluster_audit.request_params['num_workers'] as int) as num_workers,
    cast(get_json_object(cluster_audit.request_params['autoscale'], '$.min_workers') as int) as autoscale_min_workers,
    cast(get_json_object(cluster_audit.request_params['autoscale'], '$.max_workers') as int) as autoscale_max_workers,
    cast(cluster_audit.request_params['autotermination_minutes'] as int) as auto_termination_minutes,
    cluster_audit.request_params['enable_elastic_disk'] as enable_elastic_disk,
    {{ json_to_string_map("cluster_audit.request_params['custom_tags']") }} as custom_tags,
    {{ json_to_string_map("cluster_audit.request_params['spark_conf']") }} as spark_conf,
    {{ json_to_string_map("cluster_audit.request_params['spark_env_vars']") }} as spark_env_vars,
    {{ json_to_string_map("cluster_audit.request_params['aws_attributes']") }} as aws_attributes,
    {{ json_to_string_map("cluster_audit.request_params['azure_attributes']") }} as azure_attributes,
    {{ json_to_string_map("cluster_audit.request_params['gcp_attributes']") }} as gcp_attributes,
    cluster_audit.request_params['cluster_log_conf'] as cluster_log_conf,
    cluster_audit.request_params['init_scripts'] as init_scripts,
    cluster_audit.request_params['cluster_source'] as cluster_source,
    cluster_audit.request_params['acl_path_prefix'] as acl_path_prefix,
    cluster_audit.request_params['instance_pool_id'] as instance_pool_id,
    cluster_audit.request_params['driver_instance_pool_id'] as driver_instance_pool_id,
    cluster_audit.request_params['idempotency_token'] as idempotency_token,
    cluster_audit.request_params['runtime_engine'] as runtime_engine,
    cluster_audit.request_params['policy_id'] as policy_id,
    cluster_audit.request_params['data_security_mode'] as data_security_mode,
    cluster_audit.request_params['single_user_name'] as single_user_name
from cluster_audit
