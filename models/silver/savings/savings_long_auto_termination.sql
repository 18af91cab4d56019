{#- Savings rule long_auto_termination: all-purpose clusters whose spec in force has no auto-termination
    (0) or one longer than the threshold. A session (consecutive billable states) has an idle tail from
    its last job run or notebook command (else its start) to its end; the saving is what the tails cost
    beyond the threshold after the last activity, as an auto-termination at the threshold would have cut
    them, scaled to a month. -#}
{%- set threshold_ms = var('savings_long_auto_termination_minutes') * 60000 -%}
with

ranked_specs as (

    select
        organization_id,
        cluster_id,
        cluster_name,
        coalesce(auto_termination_minutes, 0) as auto_termination_minutes,
        row_number() over (partition by organization_id, cluster_id order by unixTimeMS desc) as spec_rank
    from {{ ref('cluster') }}
    where not coalesce(is_automated, false)

),

flagged_clusters as (

    -- The spec in force now: the cluster's latest spec change.
    select
        organization_id,
        cluster_id,
        cluster_name,
        auto_termination_minutes
    from ranked_specs
    where
        spec_rank = 1
        and (
            auto_termination_minutes = 0
            or auto_termination_minutes > {{ var('savings_long_auto_termination_minutes') }}
        )

),

cluster_states as (

    select
        cluster_state_fact.organization_id,
        cluster_state_fact.cluster_id,
        cluster_state_fact.unixTimeMS_state_start as state_start_ms,
        cluster_state_fact.unixTimeMS_state_end as state_end_ms,
        cluster_state_fact.databricks_billable,
        cluster_state_fact.total_cost
    from {{ ref('cluster_state_fact') }} as cluster_state_fact
    inner join flagged_clusters
        on
            cluster_state_fact.organization_id = flagged_clusters.organization_id
            and cluster_state_fact.cluster_id = flagged_clusters.cluster_id
    where cluster_state_fact.sku = 'interactive'

),

states_with_session_starts as (

    select
        *,
        case
            when
                coalesce(
                    lag(databricks_billable) over (partition by organization_id, cluster_id order by state_start_ms),
                    false
                )
                then 0
            else 1
        end as is_session_start
    from cluster_states

),

session_states as (

    select
        organization_id,
        cluster_id,
        state_start_ms,
        state_end_ms,
        total_cost,
        sum(is_session_start) over (
            partition by organization_id, cluster_id
            order by state_start_ms
            rows between unbounded preceding and current row
        ) as session_number
    from states_with_session_starts
    where databricks_billable

),

session_bounds as (

    -- Window functions, not a join back to the states: the states are read once.
    select
        *,
        min(state_start_ms) over (partition by organization_id, cluster_id, session_number) as session_start_ms,
        max(state_end_ms) over (partition by organization_id, cluster_id, session_number) as session_end_ms
    from session_states

),

state_last_activity as (

    -- An activity overlaps a session where it overlaps one of its states: a session's states are contiguous.
    select
        session_bounds.organization_id,
        session_bounds.cluster_id,
        session_bounds.session_number,
        session_bounds.state_start_ms,
        session_bounds.state_end_ms,
        session_bounds.total_cost,
        session_bounds.session_start_ms,
        session_bounds.session_end_ms,
        -- least() skips nulls: a state no activity overlaps would count as busy to the session's end.
        max(
            case
                when cluster_activity.activity_end_ms is not null
                    then least(cluster_activity.activity_end_ms, session_bounds.session_end_ms)
            end
        ) as last_activity_ms
    from session_bounds
    left join {{ ref('savings_cluster_activity') }} as cluster_activity
        on
            session_bounds.organization_id = cluster_activity.organization_id
            and session_bounds.cluster_id = cluster_activity.cluster_id
            and session_bounds.state_end_ms >= cluster_activity.activity_start_ms
            and session_bounds.state_start_ms <= cluster_activity.activity_end_ms
    group by
        session_bounds.organization_id,
        session_bounds.cluster_id,
        session_bounds.session_number,
        session_bounds.state_start_ms,
        session_bounds.state_end_ms,
        session_bounds.total_cost,
        session_bounds.session_start_ms,
        session_bounds.session_end_ms

),

state_tails as (

    -- A session idles from its last activity (else its start) to its end.
    select
        *,
        greatest(
            coalesce(
                max(last_activity_ms) over (partition by organization_id, cluster_id, session_number),
                session_start_ms
            ),
            session_start_ms
        ) as tail_start_ms
    from state_last_activity

),

tail_costs as (

    select
        organization_id,
        cluster_id,
        session_number,
        max(session_end_ms - tail_start_ms) as tail_ms,
        sum(
            {{ cost_in_window(
                'total_cost', 'state_start_ms', 'state_end_ms', 'tail_start_ms', 'session_end_ms'
            ) }}
        ) as tail_cost,
        sum(
            {{ cost_in_window(
                'total_cost', 'state_start_ms', 'state_end_ms', 'tail_start_ms + ' ~ threshold_ms, 'session_end_ms'
            ) }}
        ) as avoidable_cost
    from state_tails
    group by organization_id, cluster_id, session_number

),

cluster_tails as (

    select
        organization_id,
        cluster_id,
        count(*) as sessions,
        sum(tail_ms) / cast(3600000 as double) as tail_hours,
        sum(greatest(tail_ms - {{ threshold_ms }}, 0)) / cast(3600000 as double) as avoidable_hours,
        sum(tail_cost) as tail_cost,
        sum(avoidable_cost) as avoidable_cost
    from tail_costs
    group by organization_id, cluster_id
    having sum(avoidable_cost) > 0

)

select
    cluster_tails.organization_id,
    'long_auto_termination' as finding_type,
    'cluster' as entity_type,
    cluster_tails.cluster_id as entity_id,
    flagged_clusters.cluster_name as entity_name,
    format_string(
        'auto-termination %s; %d sessions idled %.1f h after their last activity, %.1f h of it beyond %d minutes',
        if(flagged_clusters.auto_termination_minutes = 0, 'off', flagged_clusters.auto_termination_minutes || ' min'),
        cluster_tails.sessions,
        cluster_tails.tail_hours,
        cluster_tails.avoidable_hours,
        {{ var('savings_long_auto_termination_minutes') }}
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    cluster_tails.tail_cost as observed_cost,
    {{ monthly_saving(
        'cluster_tails.avoidable_cost', 'observed_period.observed_from_ms', 'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from cluster_tails
inner join flagged_clusters
    on
        cluster_tails.organization_id = flagged_clusters.organization_id
        and cluster_tails.cluster_id = flagged_clusters.cluster_id
inner join {{ ref('savings_observed_period') }} as observed_period
    on cluster_tails.organization_id = observed_period.organization_id
