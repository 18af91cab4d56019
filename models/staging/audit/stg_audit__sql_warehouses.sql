{#- The audit log's `databrickssql` service events (SQL warehouses, called endpoints in older events), with
    the warehouse the event is about and the warehouse settings of its request parsed once into columns. -#}
select
    audit_events.organization_id,
    audit_events.audit_event_id,
    audit_events.event_time_ms,
    audit_events.event_date,
    audit_events.service_name,
    audit_events.action_name,
    audit_events.action_name in ('createEndpoint', 'createWarehouse') as is_create,
    -- A create names the new warehouse only in its response; every other request names it in its id.
    case
        when audit_events.action_name in ('createEndpoint', 'createWarehouse')
            then get_json_object(audit_events.response.result, '$.id')
        else audit_events.request_params['id']
    end as warehouse_id,
    audit_events.request_params['name'] as warehouse_name,
    audit_events.request_params['cluster_size'] as cluster_size,
    cast(audit_events.request_params['min_num_clusters'] as int) as min_num_clusters,
    cast(audit_events.request_params['max_num_clusters'] as int) as max_num_clusters,
    cast(audit_events.request_params['auto_stop_mins'] as int) as auto_stop_mins,
    audit_events.request_params['spot_instance_policy'] as spot_instance_policy,
    cast(audit_events.request_params['enable_photon'] as boolean) as enable_photon,
    get_json_object(audit_events.request_params['channel'], '$.name') as channel,
    {{ warehouse_tags_map("audit_events.request_params['tags']") }} as tags,
    cast(audit_events.request_params['enable_serverless_compute'] as boolean) as enable_serverless_compute,
    audit_events.request_params['warehouse_type'] as warehouse_type,
    audit_events.user_email,
    audit_events.request_id,
    audit_events.response_status_code
from {{ ref('stg_audit__events') }} as audit_events
where audit_events.service_name = 'databrickssql'
