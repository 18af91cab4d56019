{#- The first command start (epoch ms) an incremental run of notebook_commands reads, so that its reads of
    the audit log, the cluster states and the runs' shares prune to the days from then on. The run recomputes
    the commands that started within the look-back of the newest one it holds (var lookback_days, the
    earliest such point of any workspace), those on a cluster state ending since, and those of a notebook
    whose first path came since; and it counts every command on their states. So the read starts at the
    earliest of: that point, the start of every command this table holds that the run recomputes, and the
    start of every command it holds on a state one of those overlaps. Read from this table, the notebooks'
    first paths and the states the commands overlap (from the earliest recomputed command on). None (read
    everything) in a full build, while the table is empty, and when the audit log since the look-back names
    a workspace the table has no command of. -#}
{% macro notebook_commands_read_from_ms() -%}
    {%- if not (execute and is_incremental() and model.resource_type == 'model') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set reread_from_ms = run_query(
        'select min(newest_ms) - ' ~ var('lookback_days') * 86400000
        ~ ' from (select max(unixTimeMS) as newest_ms from ' ~ this ~ ' group by organization_id)'
    ).columns[0].values()[0] -%}
    {%- if reread_from_ms is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A workspace this table has no command of yet has all its commands read, as in a full build. -#}
    {%- set reread_from_date = epoch_ms_date(reread_from_ms) -%}
    {%- set new_workspaces = run_query(
        'select count(*) from ' ~ ref('stg_audit__notebook') ~ ' as audit_events'
        ~ " left anti join (select distinct organization_id from " ~ this ~ ") as held"
        ~ ' on audit_events.organization_id = held.organization_id'
        ~ " where audit_events.delivery_date >= date'" ~ reread_from_date.isoformat() ~ "'"
        ~ " and audit_events.action_name = 'runCommand'"
    ).columns[0].values()[0] -%}
    {%- if new_workspaces > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set held_commands -%}
        select
            organization_id,
            cluster_id,
            notebook_id,
            unixTimeMS as command_start_ms,
            {{ command_end_ms('unixTimeMS', 'execution_time_s') }} as command_end_ms
        from {{ this }}
    {%- endset -%}
    {%- set recomputed_query -%}
        with held_commands as ({{ held_commands }}),
        notebook_first_paths as (
            select organization_id, notebook_id, min(unixTimeMS) as first_path_ms
            from {{ ref('notebook') }}
            where notebook_path is not null
            group by organization_id, notebook_id
        ),
        recent_states as (
            select organization_id, cluster_id, unixTimeMS_state_start, unixTimeMS_state_end
            from {{ ref('cluster_state_fact') }}
            where unixTimeMS_state_end >= {{ reread_from_ms }} and unixTimeMS_state_end > unixTimeMS_state_start
        )
        {{ earliest_held_command_on('recent_states') }}
        union all
        select min(held_commands.command_start_ms)
        from held_commands
        left semi join notebook_first_paths
            on
                held_commands.organization_id = notebook_first_paths.organization_id
                and held_commands.notebook_id = notebook_first_paths.notebook_id
                and notebook_first_paths.first_path_ms >= {{ reread_from_ms }}
    {%- endset -%}
    {%- set starts = [reread_from_ms] -%}
    {%- for row in run_query(recomputed_query).rows if row[0] is not none -%}
        {%- do starts.append(row[0]) -%}
    {%- endfor -%}
    {%- set recomputed_from_ms = starts | min -%}
    {%- if recomputed_from_ms < reread_from_ms -%}
        {#- Recomputed commands from before the look-back: every command on one of their states counts. -#}
        {%- set sharing_query -%}
            with held_commands as ({{ held_commands }}),
            states_of_recomputed as (
                select distinct states.organization_id, states.cluster_id, states.unixTimeMS_state_start,
                    states.unixTimeMS_state_end
                from {{ ref('cluster_state_fact') }} as states
                inner join held_commands
                    on
                        states.organization_id = held_commands.organization_id
                        and states.cluster_id = held_commands.cluster_id
                        and held_commands.command_start_ms >= {{ recomputed_from_ms }}
                        and {{ command_overlaps_state(
                            'held_commands.command_start_ms', 'held_commands.command_end_ms',
                            'states.unixTimeMS_state_start', 'states.unixTimeMS_state_end'
                        ) }}
                where states.unixTimeMS_state_end >= {{ recomputed_from_ms }}
            )
            {{ earliest_held_command_on('states_of_recomputed') }}
        {%- endset -%}
        {%- set sharing_from_ms = run_query(sharing_query).columns[0].values()[0] -%}
        {%- if sharing_from_ms is not none and sharing_from_ms < recomputed_from_ms -%}
            {%- set recomputed_from_ms = sharing_from_ms -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(recomputed_from_ms | int) }}
{%- endmacro %}

{#- The start of the earliest command of the CTE held_commands (notebook_commands_read_from_ms) that overlaps
    a cluster state of the relation `states` (cluster_state_fact's key and time columns). -#}
{% macro earliest_held_command_on(states) -%}
    select min(held_commands.command_start_ms)
    from held_commands
    left semi join {{ states }}
        on
            held_commands.organization_id = {{ states }}.organization_id
            and held_commands.cluster_id = {{ states }}.cluster_id
            and {{ command_overlaps_state(
                'held_commands.command_start_ms', 'held_commands.command_end_ms',
                states ~ '.unixTimeMS_state_start', states ~ '.unixTimeMS_state_end'
            ) }}
{%- endmacro %}
