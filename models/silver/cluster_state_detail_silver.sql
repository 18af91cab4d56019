{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'cluster_id', 'state_start_ms'],
) }}

{#- Overwatch's cluster state machine over the cluster events: one row per event (state) of a cluster, with the
    running flag and worker counts carried forward, the state's start and end, and its uptime.
    Incremental: a run recomputes every cluster that has events in the look-back window (var lookback_days,
    counted back from the until-time), an open state in this table, or a permanent delete in the window,
    from that cluster's first event, and merges on (organization_id, cluster_id, state_start_ms): open states
    are closed in place and closed states come out unchanged. -#}
{%- set until_time_ms = var('until_time_ms', none) -%}
{%- set lookback_ms = var('lookback_days') * 86400000 -%}
with

cluster_events as (

    select
        organization_id,
        cluster_id,
        type as event_type,
        timestamp as event_ms,
        details
    from {{ source('overwatch_bronze', 'cluster_events_bronze') }}

),

run_window as (

    -- Open states end at the load window's end; without the var, at the newest event.
    select
    {%- if until_time_ms is not none %}
        cast({{ until_time_ms }} as bigint) as until_time_ms
        {%- else %}
            max(event_ms) + 1 as until_time_ms
        from cluster_events
    {%- endif %}

),

permanent_delete_actions as (

    select
        audit_log_bronze.organization_id,
        audit_log_bronze.requestParams['cluster_id'] as cluster_id,
        audit_log_bronze.timestamp as delete_ms
    from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
    where
        audit_log_bronze.serviceName = 'clusters'
        and audit_log_bronze.actionName = 'permanentDelete'
        and audit_log_bronze.response.statusCode = 200

),

permanent_deletes as (

    select
        organization_id,
        cluster_id,
        min(delete_ms) as delete_ms
    from permanent_delete_actions
    where cluster_id is not null
    group by organization_id, cluster_id

),

{% if is_incremental() %}
    previous_run as (

        -- How far the previous run got: events after it (less the look-back, for late ones) are new.
        select coalesce(max(state_end_ms), 0) as processed_until_ms
        from {{ this }}

    ),

    clusters_to_recompute as (

        select
            cluster_events.organization_id,
            cluster_events.cluster_id
        from cluster_events
        cross join previous_run
        where cluster_events.event_ms >= previous_run.processed_until_ms - {{ lookback_ms }}
        union
        select
            organization_id,
            cluster_id
        from {{ this }}
        where is_open
        union
        select
            permanent_deletes.organization_id,
            permanent_deletes.cluster_id
        from permanent_deletes
        cross join previous_run
        where permanent_deletes.delete_ms >= previous_run.processed_until_ms - {{ lookback_ms }}

    ),

{% endif %}
events_in_scope as (

    -- Events before the until-time and not after the cluster's permanent delete.
    select
        cluster_events.organization_id,
        cluster_events.cluster_id,
        cluster_events.event_type,
        cluster_events.event_ms,
        cluster_events.details
    from cluster_events
    cross join run_window
    left join permanent_deletes
        on
            cluster_events.organization_id = permanent_deletes.organization_id
            and cluster_events.cluster_id = permanent_deletes.cluster_id
    {%- if is_incremental() %}
        left semi join clusters_to_recompute
            on
                cluster_events.organization_id = clusters_to_recompute.organization_id
                and cluster_events.cluster_id = clusters_to_recompute.cluster_id
    {%- endif %}
    where
        cluster_events.event_ms < run_window.until_time_ms
        and (permanent_deletes.delete_ms is null or cluster_events.event_ms < permanent_deletes.delete_ms)

),

event_signals as (

    -- What each event says, null where it says nothing (the value then carries forward).
    select
        organization_id,
        cluster_id,
        event_type,
        event_ms,
        details,
        case
            when
                event_type in (
                    'CREATING', 'STARTING', 'RESTARTING', 'RUNNING', 'RESIZING', 'UPSIZE_COMPLETED', 'DRIVER_HEALTHY'
                )
                then true
            when event_type = 'TERMINATING' then false
        end as running_signal,
        case
            when event_type in ('RUNNING', 'RESIZING', 'UPSIZE_COMPLETED')
                then cast(get_json_object(details, '$.current_num_workers') as int)
            when event_type in ('CREATING', 'STARTING', 'TERMINATING') then 0
        end as current_workers_signal,
        case
            when event_type in ('RUNNING', 'RESIZING', 'UPSIZE_COMPLETED')
                then cast(get_json_object(details, '$.target_num_workers') as int)
            when event_type = 'TERMINATING' then 0
        end as target_workers_signal,
        -- The size the cluster asks for when it starts: from its create or edit, or a user's resize.
        case
            when event_type in ('CREATING', 'EDITED')
                then coalesce(
                        cast(get_json_object(details, '$.cluster_size.num_workers') as int),
                        cast(get_json_object(details, '$.cluster_size.autoscale.min_workers') as int)
                    )
            when event_type = 'RESIZING' and get_json_object(details, '$.cause') = 'USER_REQUEST'
                then cast(get_json_object(details, '$.target_num_workers') as int)
        end as requested_workers_signal,
        case when event_type in ('CREATING', 'STARTING', 'RESTARTING') then event_ms end as start_signal_ms
    from events_in_scope

),

events_carried as (

    select
        organization_id,
        cluster_id,
        event_type,
        event_ms,
        details,
        current_workers_signal,
        coalesce(last_value(running_signal, true) over events_so_far, false) as is_running,
        case
            when event_type in ('CREATING', 'STARTING')
                then coalesce(last_value(requested_workers_signal, true) over events_so_far, 0)
            else target_workers_signal
        end as target_workers_signal,
        last_value(start_signal_ms, true) over events_so_far as last_start_ms
    from event_signals
    window events_so_far as (
        partition by organization_id, cluster_id
        order by event_ms
        rows between unbounded preceding and current row
    )

),

event_states as (

    select
        organization_id,
        cluster_id,
        event_type as state,
        event_ms as state_start_ms,
        details as event_details,
        false as is_imputed,
        is_running,
        case
            when is_running then coalesce(last_value(current_workers_signal, true) over events_so_far, 0)
            else 0
        end as current_num_workers,
        case
            when is_running then coalesce(last_value(target_workers_signal, true) over events_so_far, 0)
            else 0
        end as target_num_workers,
        case when is_running then last_start_ms end as last_start_ms,
        event_type in ('CREATING', 'STARTING')
        and coalesce(lag(is_running) over events_in_order, false) as follows_running_state
    from events_carried
    window
        events_so_far as (
            partition by organization_id, cluster_id
            order by event_ms
            rows between unbounded preceding and current row
        ),
        events_in_order as (
            partition by organization_id, cluster_id
            order by event_ms
        )

),

imputed_terminations as (

    -- A start right after a running state: the terminate between them was never logged.
    select
        organization_id,
        cluster_id,
        'TERMINATING' as state,
        state_start_ms - 1 as state_start_ms,
        cast(null as string) as event_details,
        true as is_imputed,
        false as is_running,
        0 as current_num_workers,
        0 as target_num_workers,
        cast(null as bigint) as last_start_ms
    from event_states
    where follows_running_state

),

permanent_delete_states as (

    select
        permanent_deletes.organization_id,
        permanent_deletes.cluster_id,
        'PERMANENT_DELETE' as state,
        permanent_deletes.delete_ms as state_start_ms,
        cast(null as string) as event_details,
        false as is_imputed,
        false as is_running,
        0 as current_num_workers,
        0 as target_num_workers,
        cast(null as bigint) as last_start_ms
    from permanent_deletes
    cross join run_window
    {%- if is_incremental() %}
        left semi join clusters_to_recompute
            on
                permanent_deletes.organization_id = clusters_to_recompute.organization_id
                and permanent_deletes.cluster_id = clusters_to_recompute.cluster_id
    {%- endif %}
    where
        permanent_deletes.delete_ms < run_window.until_time_ms

),

all_states as (

    select
        organization_id,
        cluster_id,
        state,
        state_start_ms,
        event_details,
        is_imputed,
        is_running,
        current_num_workers,
        target_num_workers,
        last_start_ms
    from event_states
    union all
    select
        organization_id,
        cluster_id,
        state,
        state_start_ms,
        event_details,
        is_imputed,
        is_running,
        current_num_workers,
        target_num_workers,
        last_start_ms
    from imputed_terminations
    union all
    select
        organization_id,
        cluster_id,
        state,
        state_start_ms,
        event_details,
        is_imputed,
        is_running,
        current_num_workers,
        target_num_workers,
        last_start_ms
    from permanent_delete_states

),

bounded_states as (

    -- A state ends 1 ms before the next one starts (its end is inclusive); the last state stays open
    -- until the until-time, unless it is the permanent delete, which closes the cluster.
    select
        all_states.*,
        case
            when all_states.state = 'PERMANENT_DELETE' then all_states.state_start_ms
            when lead(all_states.state_start_ms) over cluster_states is not null
                then lead(all_states.state_start_ms) over cluster_states - 1
            else run_window.until_time_ms - 1
        end as state_end_ms,
        all_states.state != 'PERMANENT_DELETE'
        and lead(all_states.state_start_ms) over cluster_states is null as is_open
    from all_states
    cross join run_window
    window cluster_states as (
        partition by all_states.organization_id, all_states.cluster_id
        order by all_states.state_start_ms
    )

),

measured_states as (

    select
        *,
        case
            when state = 'PERMANENT_DELETE' then 0
            else state_end_ms - state_start_ms + 1
        end as uptime_in_state_ms,
        date_from_unix_date(cast(floor(state_start_ms / 86400000) as int)) as state_start_date,
        date_from_unix_date(cast(floor(state_end_ms / 86400000) as int)) as state_end_date
    from bounded_states

)

select
    organization_id,
    cluster_id,
    state,
    state_start_ms,
    state_end_ms,
    timestamp_millis(state_start_ms) as timestamp_state_start,
    timestamp_millis(state_end_ms) as timestamp_state_end,
    state_start_date,
    is_running,
    current_num_workers,
    target_num_workers,
    case
        when is_running then (state_end_ms + 1 - last_start_ms) / 1000
        else cast(0 as double)
    end as uptime_since_restart_s,
    uptime_in_state_ms / 1000 as uptime_in_state_s,
    uptime_in_state_ms / 3600000 as uptime_in_state_h,
    is_running as cloud_billable,
    is_running as databricks_billable,
    sequence(state_start_date, state_end_date, interval 1 day) as state_dates,
    datediff(state_end_date, state_start_date) + 1 as days_in_state,
    is_imputed,
    is_open,
    event_details
from measured_states
