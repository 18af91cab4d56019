{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'warehouse_id', 'state_start_ms', 'state'],
    )
}}

{#- Overwatch's warehouse state detail: one row per SQL warehouse state, from the warehouse events
    (system.compute.warehouse_events) and the warehouse's resizes (edits of its size, state RESIZED, which
    keep the running flag and cluster count), with the running flag and cluster count carried forward, the
    state's start and end, and its uptime. STARTING, RUNNING, SCALED_UP and SCALED_DOWN run; STOPPING and
    STOPPED do not. Open states end at the until-time (var until_time_ms; without it, the newest event + 1 ms).
    Incremental: a warehouse's states are recomputed and merged from a checkpoint, its last restart (STARTING) at
    or before its open state and the look-back (var lookback_days) before its organization's newest state: a
    restart sets every carried value (running, no cluster, restart time), so no earlier event is needed. -#}
{%- set until_time_ms = var('until_time_ms', none) -%}
{%- set lookback_ms = var('lookback_days') * 86400000 -%}

with

warehouse_events as (

    select
        organization_id,
        warehouse_id,
        event_type,
        cluster_count,
        event_time_ms as event_ms
    from {{ ref('stg_api__warehouse_events') }}

),

warehouse_resizes as (

    select
        organization_id,
        warehouse_id,
        'RESIZED' as event_type,
        cast(null as int) as cluster_count,
        unix_time_ms as event_ms
    from {{ ref('warehouse_silver') }}
    where is_resize

),

run_window as (

    select
    {%- if until_time_ms is not none %}
        cast({{ until_time_ms }} as bigint) as until_time_ms
    {%- else %}
            max(event_ms) + 1 as until_time_ms
        from warehouse_events
    {%- endif %}

),

{%- if is_incremental() %}

organization_reread_points as (

    select
        organization_id,
        max(state_start_ms) - {{ lookback_ms }} as reread_from_ms
    from {{ this }}
    group by organization_id

),

warehouse_reread_points as (

    -- The earlier of the warehouse's open state and its organization's look-back.
    select
        known_states.organization_id,
        known_states.warehouse_id,
        least(
            min(case when known_states.is_open then known_states.state_start_ms end),
            max(organization_reread_points.reread_from_ms)
        ) as reread_from_ms
    from {{ this }} as known_states
    inner join organization_reread_points
        on known_states.organization_id = organization_reread_points.organization_id
    group by known_states.organization_id, known_states.warehouse_id

),

warehouse_checkpoints as (

    -- The last restart at or before the re-read point; none (re-read all) when the warehouse has not restarted.
    select
        warehouse_reread_points.organization_id,
        warehouse_reread_points.warehouse_id,
        max(known_starts.state_start_ms) as checkpoint_ms
    from warehouse_reread_points
    inner join {{ this }} as known_starts
        on
            warehouse_reread_points.organization_id = known_starts.organization_id
            and warehouse_reread_points.warehouse_id = known_starts.warehouse_id
            and known_starts.state = 'STARTING'
            and known_starts.state_start_ms <= warehouse_reread_points.reread_from_ms
    group by warehouse_reread_points.organization_id, warehouse_reread_points.warehouse_id

),
{%- endif %}

events_in_scope as (

    select
        all_events.organization_id,
        all_events.warehouse_id,
        all_events.event_type,
        all_events.cluster_count,
        all_events.event_ms
    from (
        select
            organization_id,
            warehouse_id,
            event_type,
            cluster_count,
            event_ms
        from warehouse_events
        union all
        select
            organization_id,
            warehouse_id,
            event_type,
            cluster_count,
            event_ms
        from warehouse_resizes
    ) as all_events
    cross join run_window
    {%- if is_incremental() %}
        left join warehouse_checkpoints
            on
                all_events.organization_id = warehouse_checkpoints.organization_id
                and all_events.warehouse_id = warehouse_checkpoints.warehouse_id
        where
            all_events.event_ms < run_window.until_time_ms
            -- From the restart on (an event of the same millisecond ordered before it belongs to the earlier states).
            and (
                warehouse_checkpoints.checkpoint_ms is null
                or all_events.event_ms > warehouse_checkpoints.checkpoint_ms
                or (all_events.event_ms = warehouse_checkpoints.checkpoint_ms and all_events.event_type >= 'STARTING')
            )
    {%- else %}
        where all_events.event_ms < run_window.until_time_ms
    {%- endif %}

),

event_signals as (

    -- What each event says, null where it says nothing (the value then carries forward).
    select
        organization_id,
        warehouse_id,
        event_type,
        event_ms,
        case
            when event_type in ('STARTING', 'RUNNING', 'SCALED_UP', 'SCALED_DOWN') then true
            when event_type in ('STOPPING', 'STOPPED') then false
        end as running_signal,
        case
            when event_type in ('RUNNING', 'SCALED_UP', 'SCALED_DOWN') then cluster_count
            when event_type in ('STARTING', 'STOPPING', 'STOPPED') then 0
        end as clusters_signal,
        case when event_type = 'STARTING' then event_ms end as start_signal_ms
    from events_in_scope

),

event_states as (

    select
        organization_id,
        warehouse_id,
        event_type as state,
        event_ms as state_start_ms,
        coalesce(last_value(running_signal, true) over events_so_far, false) as is_running,
        coalesce(last_value(clusters_signal, true) over events_so_far, 0) as carried_clusters,
        last_value(start_signal_ms, true) over events_so_far as last_start_ms
    from event_signals
    window events_so_far as (
        partition by organization_id, warehouse_id
        order by event_ms, event_type
        rows between unbounded preceding and current row
    )

),

bounded_states as (

    -- A state ends 1 ms before the next one starts (its end is inclusive); the last stays open.
    select
        event_states.organization_id,
        event_states.warehouse_id,
        event_states.state,
        event_states.state_start_ms,
        event_states.is_running,
        case when event_states.is_running then event_states.carried_clusters else 0 end as current_num_clusters,
        case when event_states.is_running then event_states.last_start_ms end as last_start_ms,
        greatest(
            coalesce(lead(event_states.state_start_ms) over warehouse_states - 1, run_window.until_time_ms - 1),
            event_states.state_start_ms
        ) as state_end_ms,
        lead(event_states.state_start_ms) over warehouse_states is null as is_open
    from event_states
    cross join run_window
    window warehouse_states as (
        partition by event_states.organization_id, event_states.warehouse_id
        order by event_states.state_start_ms, event_states.state
    )

),

measured_states as (

    select
        *,
        state_end_ms - state_start_ms + 1 as uptime_in_state_ms,
        date_from_unix_date(cast(floor(state_start_ms / 86400000) as int)) as state_start_date,
        date_from_unix_date(cast(floor(state_end_ms / 86400000) as int)) as state_end_date
    from bounded_states

)

select
    organization_id,
    warehouse_id,
    state,
    state_start_ms,
    state_end_ms,
    timestamp_millis(state_start_ms) as timestamp_state_start,
    timestamp_millis(state_end_ms) as timestamp_state_end,
    state_start_date,
    is_running,
    current_num_clusters,
    case
        when is_running then (state_end_ms + 1 - coalesce(last_start_ms, state_start_ms)) / 1000
        else cast(0 as double)
    end as uptime_since_restart_s,
    uptime_in_state_ms / 1000 as uptime_in_state_s,
    uptime_in_state_ms / 3600000 as uptime_in_state_h,
    is_running as cloud_billable,
    is_running and state not in ('STARTING', 'STOPPING', 'STOPPED') as databricks_billable,
    sequence(state_start_date, state_end_date, interval 1 day) as state_dates,
    datediff(state_end_date, state_start_date) + 1 as days_in_state,
    is_open
from measured_states
