{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'cluster_id', 'state_start_ms'],
    merge_delete_column='is_replaced_state',
    partition_by=date_partitioning('state_start_date', ['is_open']),
    merge_window_predicate_macro='cluster_state_merge_window',
) }}

{#- Overwatch's cluster state machine over the cluster events: one row per event (state) of a cluster, with the
    running flag and worker counts carried forward, the state's start and end, and its uptime.
    Incremental from a checkpoint: the previous run's until-time less the look-back (var lookback_days, for
    late events). A run reads only the cluster events and permanent deletes from the checkpoint on, and from
    this table only the states ending at or after it (every cluster's last, open state among them). Each
    cluster's last real state starting before the checkpoint (its anchor) seeds the state machine with the
    values it carried (running flag, worker counts, requested workers, last start); the states after it are
    recomputed from the new events. States after an anchor that the new run no longer produces (an imputed
    TERMINATING a late event replaces, states after a late permanent delete) are deleted through the merge's
    delete flag (macro merge_deleting_flagged_rows_sql), so an incremental run gives what a full rebuild does.
    A job cluster whose TERMINATING event was lost gets one imputed at its last task's end, or at the end of its
    last billed hour after that (var impute_lost_job_cluster_termination). -#}
{%- set until_time_ms = var('until_time_ms', none) -%}
{%- set lookback_ms = var('lookback_days') * 86400000 -%}
{%- set impute_lost_terminations = var('impute_lost_job_cluster_termination') -%}
{%- set incremental = is_incremental() -%}
{#- The same checkpoint as a literal, so that the table formats skip data files (and audit-log date
    partitions) before it; the CTEs below apply it anyway (a unit test's `this` is a fixture, not a table). -#}
{%- set checkpoint_literal_ms = none -%}
{%- if incremental and execute and model.resource_type == 'model' -%}
    {%- set checkpoint_literal_ms = cluster_state_checkpoint_ms(this) -%}
{%- endif -%}
{#- A cluster whose last state is running may have lost its TERMINATING. Where that state started before the
    checkpoint, it is one this run reads again (open, or with an imputed end): the bill after the cluster's
    last task is read from the day it started for its cluster only, and from the checkpoint's day for the
    others (macro billed_hours_to_read). -#}
{%- set earlier_running_states = [] -%}
{%- if impute_lost_terminations and checkpoint_literal_ms is not none -%}
    {%- set earlier_running_states = recomputed_running_states_started_before(
        this, cluster_states_to_recompute(checkpoint_literal_ms), 'cluster_id', checkpoint_literal_ms
    ) -%}
{%- endif -%}
with

{% if incremental and checkpoint_literal_ms is not none -%}
    previous_run as (

        -- As below, from the literal checkpoint (read only where until_time_ms is unset, where they agree):
        -- the CTEs that use these are read several times, and each read of this table would scan it whole.
        select cast({{ (checkpoint_literal_ms + lookback_ms) | int }} as bigint) as processed_until_ms

    ),

    checkpoint as (

        select cast({{ checkpoint_literal_ms | int }} as bigint) as checkpoint_ms

    ),

{% elif incremental -%}
    previous_run as (

        -- How far the previous run got: its open states end 1 ms before its until-time.
        select coalesce(max(state_end_ms) + 1, 0) as processed_until_ms
        from {{ this }}

    ),

    checkpoint as (

        -- Events from here on are (re-)read: the previous run's end less the look-back, for late events.
        select
            {%- if until_time_ms is not none %}
                least(processed_until_ms, cast({{ until_time_ms }} as bigint)) - {{ lookback_ms }} as checkpoint_ms
            {%- else %}
                processed_until_ms - {{ lookback_ms }} as checkpoint_ms
            {%- endif %}
        from previous_run

    ),

{% endif -%}
cluster_events as (

    select
        stg_api__cluster_events.organization_id,
        stg_api__cluster_events.cluster_id,
        stg_api__cluster_events.event_type,
        stg_api__cluster_events.event_time_ms as event_ms,
        stg_api__cluster_events.details
    from {{ ref('stg_api__cluster_events') }} as stg_api__cluster_events
    {%- if incremental %}
        cross join checkpoint
        where
            stg_api__cluster_events.event_time_ms >= checkpoint.checkpoint_ms
            {%- if checkpoint_literal_ms is not none %}
                and stg_api__cluster_events.event_time_ms >= {{ checkpoint_literal_ms | int }}
            {%- endif %}
    {%- endif %}

),

run_window as (

    -- Open states end at the load window's end; without the var, at the newest event.
    select
    {%- if until_time_ms is not none %}
        cast({{ until_time_ms }} as bigint) as until_time_ms
        {%- elif incremental %}
            coalesce(max(cluster_events.event_ms) + 1, max(previous_run.processed_until_ms)) as until_time_ms
        from cluster_events
        cross join previous_run
    {%- else %}
            max(event_ms) + 1 as until_time_ms
        from cluster_events
    {%- endif %}

),

permanent_delete_actions as (

    select
        stg_audit__clusters.organization_id,
        stg_audit__clusters.cluster_id,
        stg_audit__clusters.event_time_ms as delete_ms
    from {{ ref('stg_audit__clusters') }} as stg_audit__clusters
    {%- if incremental %}
        cross join checkpoint
    {%- endif %}
    where
        stg_audit__clusters.action_name = 'permanentDelete'
        and stg_audit__clusters.response_status_code = 200
    {%- if incremental %}
        and stg_audit__clusters.event_time_ms >= checkpoint.checkpoint_ms
        {%- if checkpoint_literal_ms is not none %}
            and stg_audit__clusters.delivery_date >= date_from_unix_date({{ (checkpoint_literal_ms // 86400000) | int }})
        {%- endif %}
    {%- endif %}

),

{% if incremental -%}
    checkpoint_states as (

        -- The states this run may change: those ending at or after the checkpoint (every cluster's last,
        -- open state among them), and running states whose end an imputed lost termination set.
        select
            previous_states.organization_id,
            previous_states.cluster_id,
            previous_states.state,
            previous_states.state_start_ms,
            previous_states.event_details,
            previous_states.is_imputed,
            previous_states.is_running,
            previous_states.current_num_workers,
            previous_states.target_num_workers,
            previous_states.requested_num_workers,
            previous_states.last_start_ms,
            checkpoint.checkpoint_ms
        from {{ this }} as previous_states
        cross join checkpoint
        where
            (previous_states.state_end_ms >= checkpoint.checkpoint_ms - 1 or previous_states.is_end_imputed)
            {%- if checkpoint_literal_ms is not none %}
                and {{ cluster_states_to_recompute(checkpoint_literal_ms, 'previous_states') }}
            {%- endif %}

    ),

    anchor_candidates as (

        select
            *,
            row_number() over (
                partition by organization_id, cluster_id order by state_start_ms desc
            ) as recency
        from checkpoint_states
        where state_start_ms < checkpoint_ms and not is_imputed

    ),

    anchor_states as (

        -- Each cluster's last logged state before the checkpoint: it stays, and its values seed the states after it.
        select
            organization_id,
            cluster_id,
            state,
            state_start_ms,
            event_details,
            is_running,
            current_num_workers,
            target_num_workers,
            requested_num_workers,
            last_start_ms
        from anchor_candidates
        where recency = 1

    ),

    replaced_states as (

        -- Every other state read from this table is recomputed; the merge deletes those the run no longer produces.
        select
            checkpoint_states.organization_id,
            checkpoint_states.cluster_id,
            checkpoint_states.state_start_ms
        from checkpoint_states
        left anti join anchor_states
            on
                checkpoint_states.organization_id = anchor_states.organization_id
                and checkpoint_states.cluster_id = anchor_states.cluster_id
                and checkpoint_states.state_start_ms = anchor_states.state_start_ms

    ),

{% endif -%}
permanent_deletes as (

    select
        organization_id,
        cluster_id,
        min(delete_ms) as delete_ms
    from (
        select
            organization_id,
            cluster_id,
            delete_ms
        from permanent_delete_actions
        where cluster_id is not null
        {%- if incremental %}
            union all
            -- A cluster deleted before the checkpoint stays deleted: none of its later events count.
            select
                organization_id,
                cluster_id,
                state_start_ms as delete_ms
            from anchor_states
            where state = 'PERMANENT_DELETE'
        {%- endif %}
    ) as permanent_delete_sources
    group by organization_id, cluster_id

),

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
    {%- if incremental %}
        union all
        -- The anchor as the first event of its cluster, saying everything it carried.
        select
            organization_id,
            cluster_id,
            state as event_type,
            state_start_ms as event_ms,
            event_details as details,
            is_running as running_signal,
            current_num_workers as current_workers_signal,
            target_num_workers as target_workers_signal,
            requested_num_workers as requested_workers_signal,
            last_start_ms as start_signal_ms
        from anchor_states
        where state != 'PERMANENT_DELETE'
    {%- endif %}

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
        last_value(requested_workers_signal, true) over events_so_far as requested_num_workers,
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
        requested_num_workers,
        last_start_ms,
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
        cast(null as int) as requested_num_workers,
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
        cast(null as int) as requested_num_workers,
        cast(null as bigint) as last_start_ms
    from permanent_deletes
    cross join run_window
    where
        permanent_deletes.delete_ms < run_window.until_time_ms
    {%- if incremental %}
            -- One before the checkpoint is an anchor: it stays as it is.
            and not exists (
                select 1
                from anchor_states
                where
                    anchor_states.state = 'PERMANENT_DELETE'
                    and anchor_states.organization_id = permanent_deletes.organization_id
                    and anchor_states.cluster_id = permanent_deletes.cluster_id
            )
        {%- endif %}

),

logged_states as (

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
        requested_num_workers,
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
        requested_num_workers,
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
        requested_num_workers,
        last_start_ms
    from permanent_delete_states

),

{% if impute_lost_terminations -%}
    last_running_states as (

        -- Clusters whose last state is still running: a job cluster among them may have lost its TERMINATING.
        select
            organization_id,
            cluster_id,
            state_start_ms
        from (
            select
                organization_id,
                cluster_id,
                state_start_ms,
                is_running,
                row_number() over (
                    partition by organization_id, cluster_id order by state_start_ms desc
                ) as recency
            from logged_states
        ) as ranked_states
        where recency = 1 and is_running

    ),

    job_cluster_task_runs as (

        -- The task runs of each job cluster: when the last one ended, and whether every one has.
        select
            organization_id,
            cluster_id,
            max(end_ms) as last_task_end_ms,
            bool_and(end_ms is not null or terminal_state is not null) as all_tasks_ended
        from {{ ref('job_run_silver') }}
        where cluster_id is not null
        group by organization_id, cluster_id
        having bool_or(cluster_type in ('job_cluster', 'new'))

    ),

    task_end_terminations as (

        -- Overwatch's rule: the cluster ended with its last task (or just after its last event, if later).
        select
            last_running_states.organization_id,
            last_running_states.cluster_id,
            greatest(job_cluster_task_runs.last_task_end_ms, last_running_states.state_start_ms + 1) as task_end_ms
        from last_running_states
        inner join job_cluster_task_runs
            on
                last_running_states.organization_id = job_cluster_task_runs.organization_id
                and last_running_states.cluster_id = job_cluster_task_runs.cluster_id
        where job_cluster_task_runs.all_tasks_ended and job_cluster_task_runs.last_task_end_ms is not null

    ),

    billed_hours_after_last_task as (

        -- Unless the bill says otherwise: billed hours that start at or after the last task's end.
        select
            task_end_terminations.organization_id,
            task_end_terminations.cluster_id,
            max(unix_millis(billed_compute_hours.hour_start)) as last_billed_hour_start_ms
        from task_end_terminations
        inner join {{ ref('billed_compute_hours') }} as billed_compute_hours
            on
                task_end_terminations.organization_id = billed_compute_hours.organization_id
                and task_end_terminations.cluster_id = billed_compute_hours.compute_id
        where
            billed_compute_hours.compute_kind = 'cluster'
            and billed_compute_hours.billed_dbus > 0
            and unix_millis(billed_compute_hours.hour_start) >= task_end_terminations.task_end_ms
            and {{ billed_hours_to_read(checkpoint_literal_ms, earlier_running_states, 'billed_compute_hours') }}
        group by task_end_terminations.organization_id, task_end_terminations.cluster_id

    ),

    lost_terminations as (

        -- The imputed TERMINATING: at the end of the last billed hour if there is one, else at the task end;
        -- none while that is not before the until-time (the cluster may still run).
        select
            task_end_terminations.organization_id,
            task_end_terminations.cluster_id,
            'TERMINATING' as state,
            coalesce(
                billed_hours_after_last_task.last_billed_hour_start_ms + 3600000, task_end_terminations.task_end_ms
            ) as state_start_ms,
            cast(null as string) as event_details,
            true as is_imputed,
            false as is_running,
            0 as current_num_workers,
            0 as target_num_workers,
            cast(null as int) as requested_num_workers,
            cast(null as bigint) as last_start_ms
        from task_end_terminations
        left join billed_hours_after_last_task
            on
                task_end_terminations.organization_id = billed_hours_after_last_task.organization_id
                and task_end_terminations.cluster_id = billed_hours_after_last_task.cluster_id
        cross join run_window
        where
            coalesce(
                billed_hours_after_last_task.last_billed_hour_start_ms + 3600000, task_end_terminations.task_end_ms
            ) < run_window.until_time_ms

    ),

{% endif -%}
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
        requested_num_workers,
        last_start_ms,
        false as is_lost_termination
    from logged_states
    {%- if impute_lost_terminations %}
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
            requested_num_workers,
            last_start_ms,
            true as is_lost_termination
        from lost_terminations
    {%- endif %}

),

closing_states as (

    -- A state that closes the cluster for good: its permanent delete, or the TERMINATING of a job cluster
    -- whose job finished (reason JOB_FINISHED: a job cluster never starts again).
    select
        *,
        state = 'PERMANENT_DELETE'
        or (
            state = 'TERMINATING'
            and coalesce(get_json_object(event_details, '$.reason.code') = 'JOB_FINISHED', false)
        ) as closes_cluster
    from all_states

),

bounded_states as (

    -- A state ends 1 ms before the next one starts (its end is inclusive); the last state stays open
    -- until the until-time. A closing state ends where it starts, whatever follows (Databricks logs
    -- nothing after it): it never changes again, so no later run reads it, and a finished job cluster does
    -- not keep one open state for good.
    select
        closing_states.*,
        case
            when closing_states.closes_cluster then closing_states.state_start_ms
            when lead(closing_states.state_start_ms) over cluster_states is not null
                then lead(closing_states.state_start_ms) over cluster_states - 1
            else run_window.until_time_ms - 1
        end as state_end_ms,
        not closing_states.closes_cluster
        and lead(closing_states.state_start_ms) over cluster_states is null as is_open,
        coalesce(lead(closing_states.is_lost_termination) over cluster_states, false) as is_end_imputed
    from closing_states
    cross join run_window
    window cluster_states as (
        partition by closing_states.organization_id, closing_states.cluster_id
        order by closing_states.state_start_ms
    )

),

measured_states as (

    select
        *,
        case
            when closes_cluster then 0
            else state_end_ms - state_start_ms + 1
        end as uptime_in_state_ms,
        date_from_unix_date(cast(floor(state_start_ms / 86400000) as int)) as state_start_date,
        date_from_unix_date(cast(floor(state_end_ms / 86400000) as int)) as state_end_date
    from bounded_states

),

cluster_states as (

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
        is_end_imputed,
        requested_num_workers,
        last_start_ms,
        event_details
    from measured_states

)

{%- set state_columns = [
    'state', 'state_start_ms', 'state_end_ms', 'timestamp_state_start', 'timestamp_state_end',
    'state_start_date', 'is_running', 'current_num_workers', 'target_num_workers', 'uptime_since_restart_s',
    'uptime_in_state_s',
    'uptime_in_state_h', 'cloud_billable', 'databricks_billable', 'state_dates', 'days_in_state', 'is_imputed',
    'is_open', 'is_end_imputed', 'requested_num_workers', 'last_start_ms', 'event_details',
] %}
{%- if incremental %}

    -- States read from this table that the run no longer produces are flagged: the merge deletes them.
    -- (One full join, so that the state machine above is computed once.)
    select
        coalesce(cluster_states.organization_id, replaced_states.organization_id) as organization_id,
        coalesce(cluster_states.cluster_id, replaced_states.cluster_id) as cluster_id,
        {%- for column in state_columns %}
            {%- if column == 'state_start_ms' %}
                coalesce(cluster_states.state_start_ms, replaced_states.state_start_ms) as state_start_ms,
            {%- else %}
                cluster_states.{{ column }},
            {%- endif %}
        {%- endfor %}
        cluster_states.organization_id is null as is_replaced_state
    from cluster_states
    full outer join replaced_states
        on
            cluster_states.organization_id = replaced_states.organization_id
            and cluster_states.cluster_id = replaced_states.cluster_id
            and cluster_states.state_start_ms = replaced_states.state_start_ms
{%- else %}

    select
        organization_id,
        cluster_id,
        {%- for column in state_columns[:-1] %}
            {{ column }},
        {%- endfor %}
        event_details
    from cluster_states
{%- endif %}
