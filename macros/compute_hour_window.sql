{#- The incremental window of compute_hour_cost_allocation: the first clock hour (epoch ms) it recomputes.
    An hour's row changes when a state in it changes, when the share task runs and notebook commands take
    of a running state in it changes (which changes every hour of that state, however early it started),
    and when the bill of the hour changes. So the window starts at the earliest of: the checkpoint the state
    facts recompute from (this table's newest hour's end, the previous run's until-time at the latest,
    less var lookback_days), the start of every running cluster state ending after it that task runs or
    notebook commands share (or shared at the last run), and the look-back of the bill (the newest billed
    hour's day less var lookback_days), floored to its hour. A running state nothing shares (a cluster left
    idle for weeks) or a warehouse state (its time is all idle here) changes only in its recent hours as it
    grows, so it does not move the window. Read from the tables' newest rows, the facts' recent and open
    states, the runs' shares of those, and the commands. None in a full build. -#}
{% macro compute_hour_recompute_from_ms() -%}
    {%- if not (execute and is_incremental() and model.resource_type == 'model') -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A bare max is answered from file statistics: it reads no rows. -#}
    {%- set newest_hour_ms = run_query(
        'select unix_millis(max(hour_start)) from ' ~ this
    ).columns[0].values()[0] -%}
    {%- if newest_hour_ms is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lookback_ms = var('lookback_days') * 86400000 -%}
    {%- set checkpoint_ms = newest_hour_ms + 3600000 - lookback_ms -%}
    {%- set starts = [checkpoint_ms] -%}
    {#- The newest billed hour is looked for in the days before the checkpoint first (the bill lags by hours),
        which the day partitions prune to; in all the table only if the bill lags more. -#}
    {%- set billed_hour_query = 'select unix_millis(max(hour_start)) from ' ~ this ~ ' where is_billed_hour' -%}
    {%- set newest_billed_ms = run_query(
        billed_hour_query ~ ' and hour_start >= timestamp_millis(' ~ (checkpoint_ms - lookback_ms) ~ ')'
    ).columns[0].values()[0] -%}
    {%- if newest_billed_ms is none -%}
        {%- set newest_billed_ms = run_query(billed_hour_query).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if newest_billed_ms is not none -%}
        {%- do starts.append((newest_billed_ms // 86400000) * 86400000 - lookback_ms) -%}
    {%- endif -%}
    {#- Running states that task runs or commands share, or whose hours had their shares at the last run
        (a state whose runs or commands are gone, as a corrected run, drops them from every hour). -#}
    {%- set shared_since_query -%}
        with running_states as (
            select organization_id, cluster_id, unixTimeMS_state_start, unixTimeMS_state_end
            from {{ ref('cluster_state_fact') }}
            where cloud_billable and unixTimeMS_state_end >= {{ checkpoint_ms - 1 }}
        )
        select min(running_states.unixTimeMS_state_start)
        from running_states
        left semi join {{ ref('job_run_cluster_state_share') }} as shares
            on
                shares.unixTimeMS_state_end >= {{ checkpoint_ms - 1 }}
                and running_states.organization_id = shares.organization_id
                and running_states.cluster_id = shares.cluster_id
                and running_states.unixTimeMS_state_start = shares.unixTimeMS_state_start
        union all
        select min(running_states.unixTimeMS_state_start)
        from running_states
        left semi join {{ ref('notebook_commands') }} as commands
            on
                running_states.organization_id = commands.organization_id
                and running_states.cluster_id = commands.cluster_id
                and {{ command_overlaps_state(
                    'commands.unixTimeMS', command_end_ms('commands.unixTimeMS', 'commands.execution_time_s'),
                    'running_states.unixTimeMS_state_start', 'running_states.unixTimeMS_state_end'
                ) }}
        union all
        select min(running_states.unixTimeMS_state_start)
        from running_states
        left semi join {{ this }} as hours
            on
                hours.hour_start >= timestamp_millis({{ checkpoint_ms - 1 }})
                and hours.compute_kind = 'cluster'
                and running_states.organization_id = hours.organization_id
                and running_states.cluster_id = hours.compute_id
                and (hours.job_run_dbu_cost != 0 or hours.notebook_command_dbu_cost != 0)
    {%- endset -%}
    {%- set running_since = run_query(shared_since_query) -%}
    {%- for row in running_since.rows if row[0] is not none -%}
        {%- do starts.append(row[0]) -%}
    {%- endfor -%}
    {{ return(((starts | min) // 3600000 * 3600000) | int) }}
{%- endmacro %}

{#- The pre-hook of compute_hour_cost_allocation: in an incremental run, delete its hours from the window
    start on (macro compute_hour_recompute_from_ms), which the run inserts afresh; a day-partitioned table
    drops whole files. Empty in a full build. -#}
{% macro delete_compute_hours_to_recompute() -%}
    {%- set recompute_from_ms = compute_hour_recompute_from_ms() -%}
    {%- if recompute_from_ms is not none %}
    delete from {{ this }} where hour_start >= timestamp_millis({{ recompute_from_ms }})
    {%- endif %}
{%- endmacro %}
