{{ config(materialized='table') }}

{#- Overwatch's pools_silver: one row per successful create, edit or delete of an instance pool, plus a
    snapImpute row from the first API snapshot of each pool with no create in the audit logs. An edit or
    delete states only what it changes: every other attribute carries over from the pool's earlier
    actions, and where none stated it, from the pool's first snapshot. -#}
{%- set carried_columns = [
    'instance_pool_name', 'node_type_id', 'idle_instance_autotermination_minutes', 'min_idle_instances',
    'max_capacity', 'preloaded_spark_versions', 'aws_attributes', 'azure_attributes', 'gcp_attributes',
    'custom_tags',
] %}

with

pool_audit_events as (

    select
        audit_log_bronze.organization_id,
        audit_log_bronze.serviceName as service_name,
        audit_log_bronze.actionName as action_name,
        audit_log_bronze.timestamp as unix_time_ms,
        case
            when audit_log_bronze.actionName = 'create'
                then get_json_object(audit_log_bronze.response.result, '$.instance_pool_id')
            else audit_log_bronze.requestParams['instance_pool_id']
        end as instance_pool_id,
        audit_log_bronze.requestParams['instance_pool_name'] as instance_pool_name,
        audit_log_bronze.requestParams['node_type_id'] as node_type_id,
        cast(
            audit_log_bronze.requestParams['idle_instance_autotermination_minutes'] as int
        ) as idle_instance_autotermination_minutes,
        cast(audit_log_bronze.requestParams['min_idle_instances'] as int) as min_idle_instances,
        cast(audit_log_bronze.requestParams['max_capacity'] as int) as max_capacity,
        audit_log_bronze.requestParams['preloaded_spark_versions'] as preloaded_spark_versions,
        {{ json_to_string_map("audit_log_bronze.requestParams['aws_attributes']") }} as aws_attributes,
        {{ json_to_string_map("audit_log_bronze.requestParams['azure_attributes']") }} as azure_attributes,
        {{ json_to_string_map("audit_log_bronze.requestParams['gcp_attributes']") }} as gcp_attributes,
        {{ json_to_string_map("audit_log_bronze.requestParams['custom_tags']") }} as custom_tags,
        audit_log_bronze.userIdentity.email as user_email,
        audit_log_bronze.requestId as request_id,
        named_struct(
            'requestId', audit_log_bronze.requestId,
            'response', audit_log_bronze.response,
            'sessionId', audit_log_bronze.sessionId,
            'sourceIPAddress', audit_log_bronze.sourceIPAddress,
            'userAgent', audit_log_bronze.userAgent
        ) as request_details
    from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
    where
        audit_log_bronze.serviceName = 'instancePools'
        and audit_log_bronze.actionName in ('create', 'edit', 'delete')
        and audit_log_bronze.response.statusCode = 200

),

pool_snapshots_ranked as (

    select
        organization_id,
        entity_id as instance_pool_id,
        snapshot_time,
        raw_json,
        row_number() over (partition by organization_id, entity_id order by snapshot_time) as snapshot_number
    from {{ source('overwatch_bronze', 'instance_pools_snapshot_bronze') }}

),

first_pool_snapshots as (

    select
        organization_id,
        instance_pool_id,
        unix_millis(snapshot_time) as unix_time_ms,
        get_json_object(raw_json, '$.instance_pool_name') as instance_pool_name,
        get_json_object(raw_json, '$.node_type_id') as node_type_id,
        cast(
            get_json_object(raw_json, '$.idle_instance_autotermination_minutes') as int
        ) as idle_instance_autotermination_minutes,
        cast(get_json_object(raw_json, '$.min_idle_instances') as int) as min_idle_instances,
        cast(get_json_object(raw_json, '$.max_capacity') as int) as max_capacity,
        get_json_object(raw_json, '$.preloaded_spark_versions') as preloaded_spark_versions,
        {{ json_to_string_map("get_json_object(raw_json, '$.aws_attributes')") }} as aws_attributes,
        {{ json_to_string_map("get_json_object(raw_json, '$.azure_attributes')") }} as azure_attributes,
        {{ json_to_string_map("get_json_object(raw_json, '$.gcp_attributes')") }} as gcp_attributes,
        {{ json_to_string_map("get_json_object(raw_json, '$.custom_tags')") }} as custom_tags
    from pool_snapshots_ranked
    where snapshot_number = 1

),

pools_with_create_event as (

    select distinct
        organization_id,
        instance_pool_id
    from pool_audit_events
    where action_name = 'create'

),

pool_actions_imputed_from_snapshots as (

    -- Pools that predate the audit logs have no create event: their first API snapshot stands for it.
    select
        first_pool_snapshots.organization_id,
        'instancePools' as service_name,
        'snapImpute' as action_name,
        first_pool_snapshots.unix_time_ms,
        first_pool_snapshots.instance_pool_id,
        {%- for column_name in carried_columns %}
            first_pool_snapshots.{{ column_name }},
        {%- endfor %}
        cast(null as string) as user_email,
        cast(null as string) as request_id,
        cast(
            null as struct<
                requestId: string,
                response: struct<statusCode: int, errorMessage: string, result: string>,
                sessionId: string,
                sourceIPAddress: string,
                userAgent: string
            >
        ) as request_details
    from first_pool_snapshots
    left anti join pools_with_create_event
        on
            first_pool_snapshots.organization_id = pools_with_create_event.organization_id
            and first_pool_snapshots.instance_pool_id = pools_with_create_event.instance_pool_id

),

pool_actions as (

    select
        organization_id,
        service_name,
        action_name,
        unix_time_ms,
        instance_pool_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id,
        request_details
    from pool_audit_events
    where instance_pool_id is not null
    union all
    select
        organization_id,
        service_name,
        action_name,
        unix_time_ms,
        instance_pool_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id,
        request_details
    from pool_actions_imputed_from_snapshots

),

pool_actions_ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, instance_pool_id, action_name, unix_time_ms
            order by request_id
        ) as delivery_number
    from pool_actions

),

unique_pool_actions as (

    -- At-least-once delivery: one row per pool, action and millisecond.
    select *
    from pool_actions_ranked
    where delivery_number = 1

),

pool_spec as (

    select
        unique_pool_actions.organization_id,
        unique_pool_actions.instance_pool_id,
        unique_pool_actions.service_name,
        unique_pool_actions.action_name,
        unique_pool_actions.unix_time_ms,
        timestamp_millis(unique_pool_actions.unix_time_ms) as action_timestamp,
        to_date(timestamp_millis(unique_pool_actions.unix_time_ms)) as action_date,
        {%- for column_name in carried_columns %}
            coalesce(
                last_value(unique_pool_actions.{{ column_name }}, true) over actions_so_far,
                first_pool_snapshots.{{ column_name }}
            ) as {{ column_name }},
        {%- endfor %}
        last_value(
            case
                when unique_pool_actions.action_name = 'create'
                    then named_struct(
                            'created_by', unique_pool_actions.user_email,
                            'created_at_epochMillis', unique_pool_actions.unix_time_ms,
                            'created_at', timestamp_millis(unique_pool_actions.unix_time_ms)
                        )
            end,
            true
        ) over actions_so_far as create_details,
        case
            when unique_pool_actions.action_name = 'delete'
                then named_struct(
                        'deleted_by', unique_pool_actions.user_email,
                        'deleted_at_epochMillis', unique_pool_actions.unix_time_ms,
                        'deleted_at', timestamp_millis(unique_pool_actions.unix_time_ms)
                    )
        end as delete_details,
        unique_pool_actions.request_details,
        unique_pool_actions.user_email as action_by
    from unique_pool_actions
    left join first_pool_snapshots
        on
            unique_pool_actions.organization_id = first_pool_snapshots.organization_id
            and unique_pool_actions.instance_pool_id = first_pool_snapshots.instance_pool_id
    window actions_so_far as (
        partition by unique_pool_actions.organization_id, unique_pool_actions.instance_pool_id
        order by unique_pool_actions.unix_time_ms
        rows between unbounded preceding and current row
    )

)

select * from pool_spec
