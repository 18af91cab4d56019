{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'warehouse_id', 'state_start_ms', 'state'],
        partition_by=date_partitioning('state_start_date'),
        merge_window_column='state_start_date',
    )
}}

{#- Overwatch's warehouse state detail: one row per SQL warehouse state, from the warehouse events
    (system.compute.warehouse_events) and the warehouse's resizes (edits of its size, state RESIZED, which
    keep the running flag and cluster count), with the running flag and cluster count carried forward, the
    state's start and end, and its uptime. STARTING, RUNNING, SCALED_UP and SCALED_DOWN run; STOPPING and
    STOPPED do not. Open states end at the until-time (var until_time_ms; without it, the newest event + 1 ms).
    Incremental: a run reads the events from the window start on (the newest state start date less the
    look-back, macro incremental_window_start) and, of this table, the states in force at the window start
    (those ending at or after it, open states included, wherever they start): each warehouse's state machine
    restarts from that state, whose row carries every value the machine carries forward (running, clusters,
    last restart), and re-merges it (its end moves) with the states after it. -#}
{%- set until_time_ms = var('until_time_ms', none) -%}
{%- set window_start = incremental_window_start('state_start_date') -%}
{%- set window_start_ms = 'unix_millis(cast(' ~ window_start ~ ' as timestamp))' if window_start else none -%}

with

warehouse_events as (

    select
        organization_id,
        warehouse_id,
        event_type,
        cluster_count,
        event_time_ms as event_ms
    from {{ ref('stg_api__warehouse_events') }}
    {%- if window_start %}
    where event_time >= cast({{ window_start }} as timestamp)
    {%- endif %}

),

warehouse_resizes as (

    select
        organization_id,
        warehouse_id,
        'RESIZED' as event_type,
        cast(null as int) as cluster_count,
        unix_time_ms as event_ms
    from {{ ref('warehouse_silver') }}
    where
        is_resize
    {% if window_start %}
        and unix_time_ms >= {{ window_start_ms }}
    {% endif %}

),

{%- if window_start %}

states_at_window_start as (

    -- The state each warehouse is in just before the window start: it began before and ends 1 ms before it
    -- or later (the next state starts at or after the window start; an open state ends at the until-time).
    -- File statistics (state_end_ms) confine the read to the files that hold such states.
    select
        organization_id,
        warehouse_id,
        state,
        state_start_ms,
        state_end_ms,
        is_running,
        current_num_clusters,
        last_start_ms,
        is_open
    from {{ this }}
    where
        state_end_ms >= {{ window_start_ms }} - 1
        and state_start_ms < {{ window_start_ms }}

),
{%- endif %}

run_window as (

    select
    {%- if until_time_ms is not none %}
        cast({{ until_time_ms }} as bigint) as until_time_ms
    {%- elif window_start %}
        -- The newest event + 1 ms; without an event since the window start, the until-time of the open states.
        coalesce(
            (select max(event_ms) + 1 from warehouse_events),
            (select max(state_end_ms) + 1 from states_at_window_start where is_open)
        ) as until_time_ms
    {%- else %}
            max(event_ms) + 1 as until_time_ms
        from warehouse_events
    {%- endif %}

),

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
    where all_events.event_ms < run_window.until_time_ms

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
    {%- if window_start %}
    union all
    -- The state in force at the window start says what it carried (a stopped warehouse has no clusters).
    select
        organization_id,
        warehouse_id,
        state as event_type,
        state_start_ms as event_ms,
        is_running as running_signal,
        current_num_clusters as clusters_signal,
        last_start_ms as start_signal_ms
    from states_at_window_start
    {%- endif %}

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
        event_states.last_start_ms,
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
    last_start_ms,
    uptime_in_state_ms / 1000 as uptime_in_state_s,
    uptime_in_state_ms / 3600000 as uptime_in_state_h,
    is_running as cloud_billable,
    is_running and state not in ('STARTING', 'STOPPING', 'STOPPED') as databricks_billable,
    sequence(state_start_date, state_end_date, interval 1 day) as state_dates,
    datediff(state_end_date, state_start_date) + 1 as days_in_state,
    is_open
from measured_states
