{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'instance_pool_id', 'action_name', 'unix_time_ms'],
    post_hook=["{{ delete_superseded_snapshot_imputations(['organization_id', 'instance_pool_id'], 'action_name') }}"],
) }}

{#- Overwatch's pools_silver: one row per successful create, edit or delete of an instance pool, plus a
    snapImpute row from the first API snapshot of each pool with no create in the audit logs. An edit or
    delete states only what it changes: every other attribute carries over from the pool's earlier
    actions, and where none stated it, from the pool's first snapshot. Incremental: a run takes the actions of
    the look-back window (var lookback_days, back from the newest action in this table) and carries each
    pool's attributes forward from its state before the window (per attribute its last stated value, and its
    create) instead of replaying the pool's rows. -#}
{%- set lookback_ms = var('lookback_days') * 86400000 -%}
{%- set carried_columns = [
    'instance_pool_name', 'node_type_id', 'idle_instance_autotermination_minutes', 'min_idle_instances',
    'max_capacity', 'preloaded_spark_versions', 'aws_attributes', 'azure_attributes', 'gcp_attributes',
    'custom_tags',
] %}

with

{% if is_incremental() %}
window_start as (

    select coalesce(max(unix_time_ms), 0) - {{ lookback_ms }} as window_start_ms
    from {{ this }}

),
{% endif %}

pool_audit_events as (

    select
        organization_id,
        'instancePools' as service_name,
        action_name,
        event_time_ms as unix_time_ms,
        instance_pool_id,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        user_email,
        request_id,
        named_struct(
            'requestId', request_id,
            'response', response,
            'sessionId', session_id,
            'sourceIPAddress', source_ip_address,
            'userAgent', user_agent
        ) as request_details
    from {{ ref('stg_audit__instance_pools') }}
    where
        action_name in ('create', 'edit', 'delete')
        and response_status_code = 200

),

first_pool_snapshots as (

    {{ first_snapshots(
        ref('stg_api__instance_pools'), ['organization_id', 'instance_pool_id'], 'snapshot_time_ms',
        ['organization_id', 'instance_pool_id', 'snapshot_time_ms'] + carried_columns
    ) }}

),

-- Pools that predate the audit logs have no create event: their first API snapshot stands for it.
pools_without_create_event as (

    {{ without_create_action(
        'first_pool_snapshots', 'pool_audit_events', ['organization_id', 'instance_pool_id'], 'action_name'
    ) }}

),

pool_actions_imputed_from_snapshots as (

    select
        pools_without_create_event.organization_id,
        'instancePools' as service_name,
        'snapImpute' as action_name,
        pools_without_create_event.snapshot_time_ms as unix_time_ms,
        pools_without_create_event.instance_pool_id,
        {%- for column_name in carried_columns %}
            pools_without_create_event.{{ column_name }},
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
    from pools_without_create_event

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
    select
        organization_id,
        instance_pool_id,
        service_name,
        action_name,
        unix_time_ms,
        {%- for column_name in carried_columns %}
            {{ column_name }},
        {%- endfor %}
        case
            when action_name = 'create'
                then named_struct(
                        'created_by', user_email,
                        'created_at_epochMillis', unix_time_ms,
                        'created_at', timestamp_millis(unix_time_ms)
                    )
        end as create_details,
        user_email,
        request_details
    from pool_actions_ranked
    where delivery_number = 1

),

pool_actions_in_window as (

    select
        *,
        false as is_carried_state
    from unique_pool_actions
    {%- if is_incremental() %}
    where unix_time_ms >= (select window_start.window_start_ms from window_start)
    {%- endif %}

),

{% if is_incremental() %}
carried_state_before_window as (

    -- The attributes of each pool with actions in the window as they stood before: per attribute the last
    -- value its earlier actions stated, and its create.
    select
        unique_pool_actions.organization_id,
        unique_pool_actions.instance_pool_id,
        'instancePools' as service_name,
        'carried' as action_name,
        max(unique_pool_actions.unix_time_ms) as unix_time_ms,
        {%- for column_name in carried_columns + ['create_details'] %}
        max_by(
            unique_pool_actions.{{ column_name }},
            case when unique_pool_actions.{{ column_name }} is not null then unique_pool_actions.unix_time_ms end
        ) as {{ column_name }},
        {%- endfor %}
        cast(null as string) as user_email,
        first(unique_pool_actions.request_details) as request_details,
        true as is_carried_state
    from unique_pool_actions
    left semi join pool_actions_in_window
        on
            unique_pool_actions.organization_id = pool_actions_in_window.organization_id
            and unique_pool_actions.instance_pool_id = pool_actions_in_window.instance_pool_id
    where unique_pool_actions.unix_time_ms < (select window_start.window_start_ms from window_start)
    group by unique_pool_actions.organization_id, unique_pool_actions.instance_pool_id

),
{% endif %}

pool_actions_with_state as (

    select * from pool_actions_in_window
    {%- if is_incremental() %}
    union all
    select * from carried_state_before_window
    {%- endif %}

),

pool_spec as (

    select
        pool_actions_with_state.organization_id,
        pool_actions_with_state.instance_pool_id,
        pool_actions_with_state.service_name,
        pool_actions_with_state.action_name,
        pool_actions_with_state.unix_time_ms,
        timestamp_millis(pool_actions_with_state.unix_time_ms) as action_timestamp,
        to_date(timestamp_millis(pool_actions_with_state.unix_time_ms)) as action_date,
        {%- for column_name in carried_columns %}
            coalesce(
                last_value(pool_actions_with_state.{{ column_name }}, true) over actions_so_far,
                first_pool_snapshots.{{ column_name }}
            ) as {{ column_name }},
        {%- endfor %}
        last_value(pool_actions_with_state.create_details, true) over actions_so_far as create_details,
        case
            when pool_actions_with_state.action_name = 'delete'
                then named_struct(
                        'deleted_by', pool_actions_with_state.user_email,
                        'deleted_at_epochMillis', pool_actions_with_state.unix_time_ms,
                        'deleted_at', timestamp_millis(pool_actions_with_state.unix_time_ms)
                    )
        end as delete_details,
        pool_actions_with_state.request_details,
        pool_actions_with_state.user_email as action_by,
        pool_actions_with_state.is_carried_state
    from pool_actions_with_state
    left join first_pool_snapshots
        on
            pool_actions_with_state.organization_id = first_pool_snapshots.organization_id
            and pool_actions_with_state.instance_pool_id = first_pool_snapshots.instance_pool_id
    window actions_so_far as (
        partition by pool_actions_with_state.organization_id, pool_actions_with_state.instance_pool_id
        order by pool_actions_with_state.unix_time_ms
        rows between unbounded preceding and current row
    )

)

select
    organization_id,
    instance_pool_id,
    service_name,
    action_name,
    unix_time_ms,
    action_timestamp,
    action_date,
    {{ carried_columns | join(',\n    ') }},
    create_details,
    delete_details,
    request_details,
    action_by
from pool_spec
-- The state carried from before the window is no row of its own.
where not is_carried_state
