{#- Bill calibration: the estimate of each cluster or warehouse state, split at hour boundaries, is scaled
    within each (compute, hour) so the hour's states add up to the DBUs the bill (system.billing.usage)
    charged for that hour. README "Bill-calibrated costs" explains the design. -#}

{#- The contract SKU (the keys of var dbu_contract_prices) of a billing SKU name such as
    PREMIUM_JOBS_COMPUTE_(PHOTON) or ENTERPRISE_SERVERLESS_SQL_COMPUTE_US_EAST; null when the contract has
    no price for it (DLT, model serving, ...), so its cost stays unknown rather than mispriced. -#}
{% macro contract_sku_of_billing_sku(sku_name) -%}
    case
        when upper({{ sku_name }}) like '%SERVERLESS_SQL%' then 'serverless'
        when upper({{ sku_name }}) like '%SQL_PRO%' then 'sql_pro'
        when upper({{ sku_name }}) like '%SQL_COMPUTE%' then 'sql_compute'
        when upper({{ sku_name }}) like '%JOBS_LIGHT%' then 'jobs_light'
        when upper({{ sku_name }}) like '%SERVERLESS%' then cast(null as string)
        when upper({{ sku_name }}) like '%JOBS_COMPUTE%' then 'automated'
        when upper({{ sku_name }}) like '%ALL_PURPOSE%' then 'interactive'
    end
{%- endmacro %}

{#- One row per state and clock hour it spans: the slice of the state in the hour [slice_start_ms,
    slice_end_ms) and its share of the state's uptime. A state's end is inclusive (it ends 1 ms before the
    next starts), so it covers [state_start_ms, state_end_ms + 1). States of no uptime (a permanent delete)
    have no hours, nor, given `running_column`, states where it is false, nor, given `predicate`, states
    where it is false (an incremental run's states to recompute). `key_columns` identify a state in
    `relation`; its state_end_ms is kept beside them. -#}
{% macro state_hour_slices(relation, key_columns, running_column=none, predicate=none) -%}
    with

    states as (

        select
            {% for column in key_columns %}{{ column }},
            {% endfor -%}
            state_end_ms,
            state_end_ms + 1 as state_stop_ms
        from {{ relation }}
        where
            uptime_in_state_s > 0
            {%- if running_column %}
                and {{ running_column }}
            {%- endif %}
            {%- if predicate %}
                and {{ predicate }}
            {%- endif %}

    ),

    state_hours as (

        select
            states.*,
            state_hour.hour_start_ms
        from states
            lateral view explode(
                sequence(
                    cast(floor(state_start_ms / 3600000) as bigint) * 3600000,
                    cast(floor((state_stop_ms - 1) / 3600000) as bigint) * 3600000,
                    cast(3600000 as bigint)
                )
            ) state_hour as hour_start_ms

    )

    select
        {% for column in key_columns %}{{ column }},
        {% endfor -%}
        state_end_ms,
        timestamp_millis(hour_start_ms) as hour_start,
        greatest(state_start_ms, hour_start_ms) as slice_start_ms,
        least(state_stop_ms, hour_start_ms + 3600000) as slice_end_ms,
        least(state_stop_ms, hour_start_ms + 3600000) - greatest(state_start_ms, hour_start_ms) as slice_ms,
        cast(least(state_stop_ms, hour_start_ms + 3600000) - greatest(state_start_ms, hour_start_ms) as double)
        / (state_stop_ms - state_start_ms) as hour_share
    from state_hours
{%- endmacro %}

{#- Each state's estimate per clock hour, calibrated to the bill. `states` is a relation or CTE with the
    state key (`key_columns`, starting organization_id, `id_column`), total_dbus and total_dbu_cost (the
    estimate); `state_hours` its state_hour_slices model; `compute_kind` 'cluster' or 'warehouse'.
    In an hour the bill knows, each state gets the hour's billed DBUs and billed cost in proportion to its
    estimated DBUs in the hour; where the hour's states were estimated at no DBUs (unknown node types, lost
    events) nothing is given to them and the whole bill of the hour is unallocated. In an hour the bill
    does not know, the estimate stands. A state of unknown cost (null estimate) stays null.
    Given `hours_from_ms` (epoch ms, an incremental run's window), only the hours from then on (whole hours,
    so each hour's split is as without it). Given `billed_hours_predicate` (over the alias billed_hours, macro
    billed_hours_to_read), only those bill rows are read: it must hold for every billed hour of `state_hours`. -#}
{% macro calibrated_state_hours(
    states, state_hours, compute_kind, id_column, key_columns, hours_from_ms=none, billed_hours_predicate=none
) -%}
    select
        state_hour_estimates.*,
        case
            when not state_hour_estimates.is_billed_hour then state_hour_estimates.estimated_dbus
            when state_hour_estimates.hour_estimated_dbus > 0
                then state_hour_estimates.hour_billed_dbus * state_hour_estimates.estimated_dbus
                / state_hour_estimates.hour_estimated_dbus
            else state_hour_estimates.estimated_dbus * 0
        end as calibrated_dbus,
        case
            when not state_hour_estimates.is_billed_hour then state_hour_estimates.estimated_dbu_cost
            when state_hour_estimates.hour_estimated_dbus > 0
                then state_hour_estimates.hour_billed_dbu_cost * state_hour_estimates.estimated_dbus
                / state_hour_estimates.hour_estimated_dbus
            else state_hour_estimates.estimated_dbus * 0
        end as calibrated_dbu_cost
    from (
        select
            {% for column in key_columns %}state_hours.{{ column }},
            {% endfor -%}
            state_hours.hour_start,
            state_hours.hour_share,
            states.total_dbus * state_hours.hour_share as estimated_dbus,
            states.total_dbu_cost * state_hours.hour_share as estimated_dbu_cost,
            sum(states.total_dbus * state_hours.hour_share) over (
                partition by state_hours.organization_id, state_hours.{{ id_column }}, state_hours.hour_start
            ) as hour_estimated_dbus,
            billed_hours.billed_dbus as hour_billed_dbus,
            billed_hours.billed_dbu_cost as hour_billed_dbu_cost,
            billed_hours.hour_start is not null as is_billed_hour
        from {{ state_hours }} as state_hours
        inner join {{ states }} as states
            on
                {% for column in key_columns %}state_hours.{{ column }} = states.{{ column }}
                {%- if not loop.last %}
                and {% endif %}{% endfor %}
        left join {{ ref('billed_compute_hours') }} as billed_hours
            on
                state_hours.organization_id = billed_hours.organization_id
                and billed_hours.compute_kind = '{{ compute_kind }}'
                and state_hours.{{ id_column }} = billed_hours.compute_id
                and state_hours.hour_start = billed_hours.hour_start
                {%- if billed_hours_predicate is not none %}
                and {{ billed_hours_predicate }}
                {%- endif %}
        {%- if hours_from_ms is not none %}
            where state_hours.hour_start >= timestamp_millis({{ hours_from_ms | int }})
        {%- endif %}
    ) as state_hour_estimates
{%- endmacro %}

{#- Per state, its calibrated hours summed back (from calibrated_state_hours): billed DBUs and cost
    (null when any hour is unknown), and the basis, 'bill' when every hour of the state is in the bill,
    'estimate' when none is, 'partial' when some are. -#}
{% macro bill_calibrated_state_totals(calibrated_hours, key_columns) -%}
    select
        {% for column in key_columns %}{{ column }},
        {% endfor -%}
        if(count(calibrated_dbus) = count(*), sum(calibrated_dbus), null) as billed_dbus,
        if(count(calibrated_dbu_cost) = count(*), sum(calibrated_dbu_cost), null) as billed_dbu_cost,
        case
            when bool_and(is_billed_hour) then 'bill'
            when bool_or(is_billed_hour) then 'partial'
            else 'estimate'
        end as cost_basis
    from {{ calibrated_hours }}
    group by {{ key_columns | join(', ') }}
{%- endmacro %}

{#- Whether a notebook command (start and end in epoch ms) overlaps a cluster state (inclusive end): a
    command of zero duration still falls in the state running at its start. -#}
{% macro command_overlaps_state(command_start_ms, command_end_ms, state_start_ms, state_end_ms) -%}
    {{ state_start_ms }} <= {{ command_start_ms }} + greatest({{ command_end_ms }} - {{ command_start_ms }} - 1, 0)
    and {{ command_start_ms }} < {{ state_end_ms }}
{%- endmacro %}

{#- The share of a cluster state a notebook command's run covers: overlap / state duration. -#}
{% macro command_state_share(command_start_ms, command_end_ms, state_start_ms, state_end_ms) -%}
    cast(
        least({{ state_end_ms }}, {{ command_end_ms }}) - greatest({{ state_start_ms }}, {{ command_start_ms }})
        as double
    ) / ({{ state_end_ms }} - {{ state_start_ms }})
{%- endmacro %}

{#- The share of a cluster state its notebook commands are given against the bill: what the task runs
    (job_run_cluster_state_share) left of the state, at most; commands that together cover more than
    that share it in proportion to their own share. -#}
{% macro notebook_commands_claim(commands_share, runs_share) -%}
    least({{ commands_share }}, greatest(1 - coalesce({{ runs_share }}, 0), 0))
{%- endmacro %}

{#- When a notebook command's run ends (epoch ms): its audit event time, taken as its start as Overwatch
    does, plus its executionTime in seconds. -#}
{% macro command_end_ms(command_start_ms, execution_time_s) -%}
    {{ command_start_ms }} + cast(round(coalesce({{ execution_time_s }}, 0) * 1000) as bigint)
{%- endmacro %}

{#- Incremental state facts (cluster_state_fact, warehouse_state_fact) recompute some states and keep the
    rest, but a recomputed state's calibration splits each of its hours among every state in the hour: a
    kept state sharing an hour with a recomputed one counts at its kept estimate. The first clock hour
    (epoch ms) a recomputed running state starts in, from `states` (the silver relation) where `predicate`
    (the states to recompute) holds; none without one (a state not running is estimated at 0 DBUs, which no
    split changes). A literal, so the read of the kept states prunes by it. (cluster_state_fact reads fewer:
    macro recomputed_running_states_started_before.) -#}
{% macro first_recomputed_running_hour_ms(states, predicate) -%}
    {%- set first_start_ms = run_query(
        'select min(state_start_ms) from ' ~ states ~ ' where is_running and (' ~ predicate ~ ')'
    ).columns[0].values()[0] -%}
    {{ return(none if first_start_ms is none else (first_start_ms // 3600000) * 3600000) }}
{%- endmacro %}

{#- The estimates of the kept states a calibration counts beside the recomputed ones: the model's own rows
    (`this`, Overwatch's column names) ending from `kept_from_ms` (macro first_recomputed_running_hour_ms)
    on that are not in `recomputed_states` (the CTE of the states the run recomputes, keyed by
    organization_id, `id_column`, state_start_ms and `more_key_columns`), with the estimated_states
    columns of calibrated_state_hours. Given `earlier_states` (macro recomputed_running_states_started_before
    `kept_from_ms`), also the kept states ending in the hour each of them started in, before it. -#}
{% macro kept_state_estimates(recomputed_states, id_column, more_key_columns, kept_from_ms, earlier_states=[]) -%}
    select
        kept_states.organization_id,
        kept_states.{{ id_column }},
        kept_states.unixTimeMS_state_start as state_start_ms,
        {%- for column in more_key_columns %}
        kept_states.{{ column }},
        {%- endfor %}
        kept_states.total_dbus,
        kept_states.total_DBU_cost as total_dbu_cost
    from {{ this }} as kept_states
    left anti join {{ recomputed_states }} as recomputed_states
        on
            kept_states.organization_id = recomputed_states.organization_id
            and kept_states.{{ id_column }} = recomputed_states.{{ id_column }}
            and kept_states.unixTimeMS_state_start = recomputed_states.state_start_ms
            {%- for column in more_key_columns %}
            and kept_states.{{ column }} = recomputed_states.{{ column }}
            {%- endfor %}
    where
        kept_states.unixTimeMS_state_end >= {{ kept_from_ms | int }}
        {%- for state in earlier_states %}
        or (
            kept_states.organization_id = '{{ state[0] }}'
            and kept_states.{{ id_column }} = '{{ state[1] }}'
            and kept_states.unixTimeMS_state_end >= {{ (state[2] // 3600000 * 3600000) | int }}
            and kept_states.unixTimeMS_state_end < {{ state[2] | int }}
        )
        {%- endfor %}
{%- endmacro %}

{#- The running states an incremental state fact recomputes that started before the clock hour `hour_ms`
    (epoch ms), as rows (organization_id, id, state start ms) from `states` (the silver relation) where
    `predicate` (the states to recompute) holds: states running for days, open ones among them, and those
    spanning the checkpoint. Of the hours before `hour_ms`, a calibration needs only theirs, and in the hour
    each started in, the kept states that end in it (kept_state_estimates' `earlier_states`). -#}
{% macro recomputed_running_states_started_before(states, predicate, id_column, hour_ms) -%}
    {{ return(run_query(
        'select organization_id, ' ~ id_column ~ ', state_start_ms from ' ~ states
        ~ ' where is_running and (' ~ predicate ~ ') and state_start_ms < ' ~ hour_ms
    ).rows) }}
{%- endmacro %}

{#- The rows of billed_compute_hours (as `alias`) an incremental run of a cluster state model needs, as a
    predicate with literal bounds: every cluster's from the day of `from_ms` (epoch ms) on, and the clusters of
    `earlier_states` (rows organization_id, cluster_id, state start ms: the running states it recomputes that
    started before) from the day each started; every row without `from_ms` (a full build). The table is laid
    out by usage date and by buckets of compute id (locally), so a running state that began weeks ago has its
    own cluster's hours read, not every cluster's. -#}
{% macro billed_hours_to_read(from_ms, earlier_states, alias='billed_hours') -%}
    {%- if from_ms is none -%}
        {{ return('true') }}
    {%- endif -%}
    (
        {{ alias }}.usage_date >= date'{{ epoch_ms_date(from_ms) }}'
        {%- for state in earlier_states %}
        or (
            {{ alias }}.organization_id = '{{ state[0] }}'
            and {{ alias }}.compute_id = '{{ state[1] }}'
            and {{ alias }}.usage_date >= date'{{ epoch_ms_date(state[2]) }}'
        )
        {%- endfor %}
    )
{%- endmacro %}
