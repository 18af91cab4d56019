{#- The first command start (epoch ms) an incremental run of notebook_commands reads, so that its reads of
    the audit log, the cluster states and the runs' shares prune to the days from then on. The run recomputes
    the commands that started from `reread_from_ms` (the look-back point), those on a cluster state ending
    since, and those of a notebook whose first path came since; and it counts every command on their states.
    So the read starts at the earliest of: that point, the start of every command this table holds that the
    run recomputes, and the start of every command it holds on a state one of those overlaps. Read from this
    table, the notebooks' first paths and the states the commands overlap (from the earliest recomputed command
    on). None (read everything) in a full build, and when a workspace is new (macro
    notebook_commands_resumed_workspaces). -#}
{% macro notebook_commands_read_from_ms(reread_from_ms, resumed_workspaces) -%}
    {%- if not (execute and is_incremental() and model.resource_type == 'model') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if none in resumed_workspaces.values() -%}
        {{ return(none) }}
    {%- endif -%}
    {#- The earliest look-back point of any workspace bounds the reads of all. -#}
    {%- set reread_from_ms = ([reread_from_ms] + resumed_workspaces.values() | list) | min -%}
    {%- set held_commands -%}
        select
            organization_id,
            cluster_id,
            notebook_id,
            unixTimeMS as command_start_ms,
            {{ command_end_ms('unixTimeMS', 'execution_time_s') }} as command_end_ms
        from {{ this }}
    {%- endset -%}
    {#- One scan of the held commands finds both kinds recomputed from before the look-back. -#}
    {%- set recomputed_query -%}
        with held_commands as ({{ held_commands }}),
        notebooks_first_named_recently as (
            select organization_id, notebook_id
            from {{ ref('notebook') }}
            where notebook_path is not null
            group by organization_id, notebook_id
            having min(unixTimeMS) >= {{ reread_from_ms }}
        ),
        recent_states as (
            select organization_id, cluster_id, unixTimeMS_state_start, unixTimeMS_state_end
            from {{ ref('cluster_state_fact') }}
            where unixTimeMS_state_end >= {{ reread_from_ms }} and unixTimeMS_state_end > unixTimeMS_state_start
        )
        select min(held_commands.command_start_ms)
        from held_commands
        where
            exists (
                select 1 from recent_states
                where
                    held_commands.organization_id = recent_states.organization_id
                    and held_commands.cluster_id = recent_states.cluster_id
                    and {{ command_overlaps_state(
                        'held_commands.command_start_ms', 'held_commands.command_end_ms',
                        'recent_states.unixTimeMS_state_start', 'recent_states.unixTimeMS_state_end'
                    ) }}
            )
            or exists (
                select 1 from notebooks_first_named_recently
                where
                    held_commands.organization_id = notebooks_first_named_recently.organization_id
                    and held_commands.notebook_id = notebooks_first_named_recently.notebook_id
            )
    {%- endset -%}
    {%- set recomputed_start_ms = run_query(recomputed_query).columns[0].values()[0] -%}
    {%- set recomputed_from_ms = [reread_from_ms, recomputed_start_ms or reread_from_ms] | min -%}
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

{#- The workspaces whose runCommand events the audit log delivered since the look-back point
    (`reread_from_ms`, epoch ms), though this table holds no command of theirs since then: a new workspace,
    one whose commands resume after a quiet spell, or one whose audit log lags. A dict from workspace id to
    its own look-back point: its newest command held less var lookback_days, or none (read all its commands,
    as in a full build) for a workspace the table holds no command of. Reads this table whole only when
    there is such a workspace. Empty in a full build and in unit tests. -#}
{% macro notebook_commands_resumed_workspaces(reread_from_ms) -%}
    {%- set points = {} -%}
    {%- if not (execute and is_incremental() and model.resource_type == 'model') -%}
        {{ return(points) }}
    {%- endif -%}
    {%- set resumed = run_query(
        'select distinct audit_events.organization_id from ' ~ ref('stg_audit__notebook') ~ ' as audit_events'
        ~ ' left anti join (select distinct organization_id from ' ~ this
        ~ ' where unixTimeMS >= ' ~ reread_from_ms ~ ') as held'
        ~ ' on audit_events.organization_id = held.organization_id'
        ~ " where audit_events.delivery_date >= date'" ~ epoch_ms_date(reread_from_ms).isoformat() ~ "'"
        ~ " and audit_events.action_name = 'runCommand'"
    ).columns[0].values() -%}
    {%- for organization_id in resumed -%}
        {%- do points.update({organization_id: none}) -%}
    {%- endfor -%}
    {%- if points -%}
        {%- set newest = run_query(
            'select organization_id, max(unixTimeMS) from ' ~ this ~ " where organization_id in ('"
            ~ resumed | join("', '") ~ "') group by organization_id"
        ) -%}
        {%- for row in newest.rows -%}
            {%- do points.update({row[0]: (row[1] - var('lookback_days') * 86400000) | int}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(points) }}
{%- endmacro %}

{#- The look-back point (epoch ms) of the workspace in `organization_id`: its own for a resumed workspace
    (macro notebook_commands_resumed_workspaces; every command for a new one), else `reread_from_ms`. -#}
{% macro notebook_commands_reread_from(organization_id, reread_from_ms, resumed_workspaces) -%}
    {%- if not resumed_workspaces -%}
        {{ return(reread_from_ms) }}
    {%- endif -%}
    {%- set cases -%}
        case {{ organization_id }}
        {%- for workspace, point in resumed_workspaces.items() %}
            when '{{ workspace }}' then {{ -9223372036854775807 if point is none else point }}
        {%- endfor %}
            else {{ reread_from_ms }}
        end
    {%- endset -%}
    {{ return(cases) }}
{%- endmacro %}
