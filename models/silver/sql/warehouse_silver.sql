{{ config(materialized='table') }}

{#- Overwatch's warehouse_silver: one row per successful create, edit or delete of a SQL warehouse
    (both spellings the audit log has used: createEndpoint/createWarehouse, editEndpoint/editWarehouse,
    deleteEndpoint/deleteWarehouse), plus a snapImpute row from the first API snapshot of each warehouse
    with no create in the audit logs. An edit states only what it changes: the other attributes carry
    over from the warehouse's earlier actions, and where none stated them, from its first snapshot. -#}
{%- set carried_columns = [
    'warehouse_name', 'cluster_size', 'min_num_clusters', 'max_num_clusters', 'auto_stop_mins',
    'spot_instance_policy', 'enable_photon', 'channel', 'tags', 'enable_serverless_compute', 'warehouse_type',
] %}
{%- set snapshot_only_columns = ['auto_resume', 'creator_id', 'jdbc_url'] %}
{%- set snapshot_state_columns = ['warehouse_state', 'size', 'num_clusters', 'num_active_sessions'] %}

with

warehouse_audit_events as (

    select
        organization_id,
        service_name,
        action_name,
        event_time_ms as unix_time_ms,
        is_create,
        warehouse_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id
    from {{ ref('stg_audit__sql_warehouses') }}
    where
        action_name in (
            'createEndpoint', 'createWarehouse', 'editEndpoint', 'editWarehouse', 'deleteEndpoint', 'deleteWarehouse'
        )
        and response_status_code = 200

),

warehouse_snapshots_ranked as (

    select
        organization_id,
        warehouse_id,
        snapshot_time_ms,
        {%- for column_name in carried_columns + snapshot_only_columns + snapshot_state_columns %}
            {{ column_name }},
        {%- endfor %}
        creator_name,
        row_number() over (partition by organization_id, warehouse_id order by snapshot_time) as snapshot_number
    from {{ ref('stg_api__sql_warehouses') }}

),

first_warehouse_snapshots as (

    select
        organization_id,
        warehouse_id,
        snapshot_time_ms as unix_time_ms,
        {%- for column_name in carried_columns + snapshot_only_columns + snapshot_state_columns %}
            {{ column_name }},
        {%- endfor %}
        creator_name
    from warehouse_snapshots_ranked
    where snapshot_number = 1

),

warehouses_with_create_event as (

    select distinct
        organization_id,
        warehouse_id
    from warehouse_audit_events
    where is_create

),

warehouse_actions_imputed_from_snapshots as (

    -- Warehouses that predate the audit logs have no create event: their first snapshot stands for it.
    select
        first_warehouse_snapshots.organization_id,
        'databrickssql' as service_name,
        'snapImpute' as action_name,
        first_warehouse_snapshots.unix_time_ms,
        false as is_create,
        first_warehouse_snapshots.warehouse_id,
        {%- for column_name in carried_columns %}
            first_warehouse_snapshots.{{ column_name }},
        {%- endfor %}
        cast(null as string) as user_email,
        cast(null as string) as request_id
    from first_warehouse_snapshots
    left anti join warehouses_with_create_event
        on
            first_warehouse_snapshots.organization_id = warehouses_with_create_event.organization_id
            and first_warehouse_snapshots.warehouse_id = warehouses_with_create_event.warehouse_id

),

warehouse_actions as (

    select
        organization_id,
        service_name,
        action_name,
        unix_time_ms,
        is_create,
        warehouse_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id
    from warehouse_audit_events
    where warehouse_id is not null
    union all
    select
        organization_id,
        service_name,
        action_name,
        unix_time_ms,
        is_create,
        warehouse_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id
    from warehouse_actions_imputed_from_snapshots

),

warehouse_actions_ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, warehouse_id, action_name, unix_time_ms
            order by request_id
        ) as delivery_number
    from warehouse_actions

),

unique_warehouse_actions as (

    -- At-least-once delivery: one row per warehouse, action and millisecond.
    select *
    from warehouse_actions_ranked
    where delivery_number = 1

),

warehouse_spec_carried as (

    select
        unique_warehouse_actions.organization_id,
        unique_warehouse_actions.warehouse_id,
        unique_warehouse_actions.service_name,
        unique_warehouse_actions.action_name,
        unique_warehouse_actions.unix_time_ms,
        unique_warehouse_actions.user_email,
        {%- for column_name in carried_columns %}
            coalesce(
                last_value(unique_warehouse_actions.{{ column_name }}, true) over actions_so_far,
                first_warehouse_snapshots.{{ column_name }}
            ) as {{ column_name }},
        {%- endfor %}
        {%- for column_name in snapshot_only_columns %}
            first_warehouse_snapshots.{{ column_name }},
        {%- endfor %}
        {#- Point-in-time figures of the listing belong to the row imputed from it only. #}
        {%- for column_name in snapshot_state_columns %}
            case
                when
                    unique_warehouse_actions.action_name = 'snapImpute'
                    then first_warehouse_snapshots.{{ column_name }}
            end as {{ column_name }},
        {%- endfor %}
        coalesce(
            last_value(
                case
                    when unique_warehouse_actions.is_create then unique_warehouse_actions.user_email
                    when unique_warehouse_actions.action_name = 'snapImpute'
                        then first_warehouse_snapshots.creator_name
                end,
                true
            ) over actions_so_far,
            first_warehouse_snapshots.creator_name
        ) as created_by
    from unique_warehouse_actions
    left join first_warehouse_snapshots
        on
            unique_warehouse_actions.organization_id = first_warehouse_snapshots.organization_id
            and unique_warehouse_actions.warehouse_id = first_warehouse_snapshots.warehouse_id
    window actions_so_far as (
        partition by unique_warehouse_actions.organization_id, unique_warehouse_actions.warehouse_id
        order by unique_warehouse_actions.unix_time_ms
        rows between unbounded preceding and current row
    )

)

select
    organization_id,
    warehouse_id,
    service_name,
    action_name,
    unix_time_ms,
    timestamp_millis(unix_time_ms) as action_timestamp,
    to_date(timestamp_millis(unix_time_ms)) as action_date,
    user_email,
    {%- for column_name in carried_columns + snapshot_only_columns + snapshot_state_columns %}
        {{ column_name }},
    {%- endfor %}
    created_by,
    -- An edit that changes the size of a warehouse: its DBU rate changes from here on.
    action_name in ('editEndpoint', 'editWarehouse')
    and coalesce(
        cluster_size != lag(cluster_size) over (
            partition by organization_id, warehouse_id order by unix_time_ms
        ),
        false
    ) as is_resize
from warehouse_spec_carried
