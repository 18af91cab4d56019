{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'command_id', 'unixTimeMS'],
        on_schema_change='fail',
        partition_by=date_partitioning('date'),
        merge_window_column='date',
        post_hook=["{{ record_processed_until() }}"],
    )
}}

{#- Overwatch's notebookCommands: each notebook command run (verbose audit `runCommand` events) with an
    ESTIMATED DBU cost: for every cluster state the command overlaps, that state's DBU cost times the
    share of the state the command's run covers (overlap / state duration), summed. It is an estimate,
    not a bill: concurrent commands on one cluster are each charged the whole cluster for their time, and
    idle time between commands is charged to none. Beside it, billed_*: the command's part of the states'
    bill-calibrated cost, where commands share only what task runs left of a state, so runs, commands and
    idle time add up to the bill (macro notebook_commands_claim). The audit event time is taken as the command start, as
    Overwatch does. Without verbose audit logs there are no runCommand events and this model is empty.
    Incremental: a run recomputes and merges, on the command's key, the commands that started within the
    look-back (var lookback_days) of the later of the newest command this table holds and the last run's
    until-time, those overlapping a cluster state that ended within it (a state open at the last run, or one
    a newer command shares), those of notebooks whose first path came within it (a later path changes no
    earlier command's); a workspace the table holds no command of within the look-back but whose commands
    the audit log delivered since (a new one, one resuming after a quiet spell, one whose log lags) has its
    own look-back, from its newest command held (macro notebook_commands_resumed_workspaces). The share a
    state gives each command still counts every command on it. Its reads of the audit log, the states and
    the runs' shares start at the earliest command that needs (macro notebook_commands_read_from_ms). One
    look-back point for the active workspaces, not each one's newest command, so that a workspace without
    commands for months does not hold every run's reads there. -#}
{%- set reread_from_ms = incremental_window_start_ms('unixTimeMS', processed_until=true) -%}
{%- set resumed_workspaces = notebook_commands_resumed_workspaces(reread_from_ms) -%}
{%- set read_from_ms = notebook_commands_read_from_ms(reread_from_ms, resumed_workspaces) -%}
{%- if read_from_ms is not none -%}
    {%- set read_from_date = epoch_ms_date(read_from_ms) -%}
{%- endif %}

with

run_command_events as (

    select
        organization_id,
        event_time_ms as command_start_ms,
        notebook_id,
        cluster_id,
        command_id,
        command_text,
        command_language,
        execution_time_s,
        command_status as status,
        source_ip_address,
        user_email,
        user_agent,
        request_id,
        response
    from {{ ref('stg_audit__notebook') }}
    where action_name = 'runCommand' and notebook_id is not null
    {%- if read_from_ms is not none %}
        -- An event is delivered on or after its day: both dates prune.
        and delivery_date >= date'{{ read_from_date.isoformat() }}'
        and event_date >= date'{{ read_from_date.isoformat() }}'
        and event_time_ms >= {{ read_from_ms }}
    {%- endif %}

),

all_commands as (

    select
        *,
        {{ command_end_ms('command_start_ms', 'execution_time_s') }} as command_end_ms
    from run_command_events

),

cluster_states as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        cluster_name,
        custom_tags,
        node_type_id,
        current_num_workers,
        total_dbus,
        total_DBU_cost,
        billed_dbus,
        billed_dbu_cost,
        cost_basis
    from {{ ref('cluster_state_fact') }}
    where unixTimeMS_state_end > unixTimeMS_state_start
    {%- if read_from_ms is not none %}
        and unixTimeMS_state_end >= {{ read_from_ms }}
    {%- endif %}

),

command_state_overlaps as (

    -- Every command read, with each state it overlaps (none: one row without a state). A command of zero
    -- duration still falls in the state running at its start. One read of the commands and the states: the
    -- CTEs below derive from it by window functions and aggregates, never by a join back to it.
    select
        all_commands.*,
        cluster_states.state_start_ms,
        cluster_states.state_end_ms,
        cluster_states.cluster_name,
        cluster_states.custom_tags,
        cluster_states.node_type_id,
        cluster_states.current_num_workers,
        cluster_states.total_dbus,
        cluster_states.total_DBU_cost,
        cluster_states.billed_dbus,
        cluster_states.billed_dbu_cost,
        cluster_states.cost_basis as state_cost_basis,
        {{ command_state_share(
            'all_commands.command_start_ms', 'all_commands.command_end_ms',
            'cluster_states.state_start_ms', 'cluster_states.state_end_ms'
        ) }} as state_share
    from all_commands
    left join cluster_states
        on
            all_commands.organization_id = cluster_states.organization_id
            and all_commands.cluster_id = cluster_states.cluster_id
            and {{ command_overlaps_state(
                'all_commands.command_start_ms', 'all_commands.command_end_ms',
                'cluster_states.state_start_ms', 'cluster_states.state_end_ms'
            ) }}

),

shared_overlaps as (

    -- Every command on a state counts in its commands' share, also one this run does not recompute.
    select
        *,
        sum(state_share) over (partition by organization_id, cluster_id, state_start_ms) as commands_share,
        {%- if is_incremental() %}
            -- On a state that ended within the look-back (open at the last run, or shared by a newer command).
            bool_or(
                state_end_ms >= {{ notebook_commands_reread_from('organization_id', reread_from_ms, resumed_workspaces) }}
            ) over (partition by organization_id, command_id, command_start_ms) as is_on_recent_state
        {%- else %}
            cast(null as boolean) as is_on_recent_state
        {%- endif %}
    from command_state_overlaps

),

{%- if is_incremental() %}

notebooks_first_named_recently as (

    -- A notebook's first path names its earlier commands too; a later path changes no earlier command's.
    select
        notebook_events.organization_id,
        notebook_events.notebook_id
    from {{ ref('notebook') }} as notebook_events
    where notebook_events.notebook_path is not null
    group by notebook_events.organization_id, notebook_events.notebook_id
    having min(notebook_events.unixTimeMS) >= {{ notebook_commands_reread_from(
        'notebook_events.organization_id', reread_from_ms, resumed_workspaces
    ) }}

),
{%- endif %}

recomputed_overlaps as (

    select shared_overlaps.*
    from shared_overlaps
    {%- if is_incremental() %}
    left join notebooks_first_named_recently
        on
            shared_overlaps.organization_id = notebooks_first_named_recently.organization_id
            and shared_overlaps.notebook_id = notebooks_first_named_recently.notebook_id
    where
        shared_overlaps.command_start_ms >= {{ notebook_commands_reread_from(
            'shared_overlaps.organization_id', reread_from_ms, resumed_workspaces
        ) }}
        or shared_overlaps.is_on_recent_state
        or notebooks_first_named_recently.notebook_id is not null
    {%- endif %}

),

state_run_shares as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start as state_start_ms,
        sum(cluster_share) as runs_share
    from {{ ref('job_run_cluster_state_share') }}
    {%- if read_from_ms is not none %}
    where unixTimeMS_state_end >= {{ read_from_ms }}
    {%- endif %}
    group by organization_id, cluster_id, unixTimeMS_state_start

),

overlap_costs as (

    -- Against the bill, commands share what task runs left of each state (macro notebook_commands_claim),
    -- so runs, commands and idle time add up to the billed cost.
    select
        recomputed_overlaps.*,
        recomputed_overlaps.billed_dbus * recomputed_overlaps.state_share
        * {{ notebook_commands_claim('recomputed_overlaps.commands_share', 'state_run_shares.runs_share') }}
        / nullif(recomputed_overlaps.commands_share, 0) as command_billed_dbus,
        recomputed_overlaps.billed_dbu_cost * recomputed_overlaps.state_share
        * {{ notebook_commands_claim('recomputed_overlaps.commands_share', 'state_run_shares.runs_share') }}
        / nullif(recomputed_overlaps.commands_share, 0) as command_billed_dbu_cost
    from recomputed_overlaps
    left join state_run_shares
        on
            recomputed_overlaps.organization_id = state_run_shares.organization_id
            and recomputed_overlaps.cluster_id = state_run_shares.cluster_id
            and recomputed_overlaps.state_start_ms = state_run_shares.state_start_ms

),

commands as (

    -- One row per command: its states' costs summed; the cluster as it was when the command started.
    select
        organization_id,
        command_id,
        command_start_ms,
        any_value(notebook_id) as notebook_id,
        any_value(cluster_id) as cluster_id,
        any_value(command_text) as command_text,
        any_value(command_language) as command_language,
        any_value(execution_time_s) as execution_time_s,
        any_value(status) as status,
        any_value(source_ip_address) as source_ip_address,
        any_value(user_email) as user_email,
        any_value(user_agent) as user_agent,
        any_value(request_id) as request_id,
        any_value(response) as response,
        count(state_start_ms) as overlapping_states,
        sum(total_dbus * state_share) as estimated_dbus,
        sum(total_DBU_cost * state_share) as estimated_dbu_cost,
        min_by(cluster_name, state_start_ms) as cluster_name,
        min_by(custom_tags, state_start_ms) as custom_tags,
        min_by(node_type_id, state_start_ms) as node_type_id,
        min_by(current_num_workers, state_start_ms) as node_count,
        sum(command_billed_dbus) as billed_dbus,
        sum(command_billed_dbu_cost) as billed_dbu_cost,
        case
            when count(state_start_ms) = 0 then null
            when bool_and(state_cost_basis = 'bill') then 'bill'
            when bool_and(state_cost_basis = 'estimate') then 'estimate'
            else 'partial'
        end as cost_basis
    from overlap_costs
    group by organization_id, command_id, command_start_ms

),

notebook_paths as (

    select
        organization_id,
        notebook_id,
        unixTimeMS as path_time_ms,
        notebook_path,
        notebook_name
    from {{ ref('notebook') }}
    where notebook_path is not null

),

commands_with_path_candidates as (

    -- The notebook's path as of the command: its latest known path at or before it, else its first one after.
    select
        commands.*,
        notebook_paths.notebook_path,
        notebook_paths.notebook_name,
        row_number() over (
            partition by commands.organization_id, commands.command_id, commands.command_start_ms
            order by
                case when notebook_paths.path_time_ms <= commands.command_start_ms then 0 else 1 end,
                case
                    when notebook_paths.path_time_ms <= commands.command_start_ms then -notebook_paths.path_time_ms
                    else notebook_paths.path_time_ms
                end
        ) as path_rank
    from commands
    left join notebook_paths
        on
            commands.organization_id = notebook_paths.organization_id
            and commands.notebook_id = notebook_paths.notebook_id

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    cluster_id,
    notebook_id,
    to_date(timestamp_millis(command_start_ms)) as date,
    timestamp_millis(command_start_ms) as timestamp,
    notebook_path,
    notebook_name,
    command_id,
    command_text,
    command_language,
    execution_time_s,
    source_ip_address,
    user_email,
    estimated_dbus,
    estimated_dbu_cost,
    overlapping_states,
    status,
    cluster_name,
    custom_tags,
    node_type_id,
    node_count,
    response,
    user_agent,
    request_id,
    command_start_ms as unixTimeMS,
    billed_dbus,
    billed_dbu_cost,
    cost_basis
from commands_with_path_candidates
where path_rank = 1
