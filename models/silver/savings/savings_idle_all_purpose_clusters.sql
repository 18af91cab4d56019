{#- Savings rule idle_all_purpose_cluster: all-purpose clusters' running states in which no job run and no
    notebook command ran. The saving is what those idle states cost, scaled to a month. -#}
with

all_purpose_running_states as (

    select
        organization_id,
        cluster_id,
        cluster_name,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        uptime_in_state_H as state_hours,
        total_cost
    from {{ ref('cluster_state_fact') }}
    where not isAutomated and sku = 'interactive' and databricks_billable

),

cluster_activity as (

    select
        organization_id,
        cluster_id,
        activity_start_ms,
        activity_end_ms
    from {{ ref('savings_cluster_activity') }}

),

idle_states as (

    select
        all_purpose_running_states.organization_id,
        all_purpose_running_states.cluster_id,
        all_purpose_running_states.cluster_name,
        all_purpose_running_states.state_start_ms,
        all_purpose_running_states.state_hours,
        all_purpose_running_states.total_cost
    from all_purpose_running_states
    left anti join cluster_activity
        on
            all_purpose_running_states.organization_id = cluster_activity.organization_id
            and all_purpose_running_states.cluster_id = cluster_activity.cluster_id
            and all_purpose_running_states.state_end_ms >= cluster_activity.activity_start_ms
            and all_purpose_running_states.state_start_ms <= cluster_activity.activity_end_ms

),

idle_clusters as (

    select
        organization_id,
        cluster_id,
        max_by(cluster_name, state_start_ms) as cluster_name,
        count(*) as idle_states,
        sum(state_hours) as idle_hours,
        sum(total_cost) as idle_cost
    from idle_states
    group by organization_id, cluster_id
    having sum(state_hours) >= {{ var('savings_idle_min_hours') }}

)

select
    idle_clusters.organization_id,
    'idle_all_purpose_cluster' as finding_type,
    'cluster' as entity_type,
    idle_clusters.cluster_id as entity_id,
    idle_clusters.cluster_name as entity_name,
    format_string(
        '%d running states, %.1f h in all, with no job run or notebook command',
        idle_clusters.idle_states,
        idle_clusters.idle_hours
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    idle_clusters.idle_cost as observed_cost,
    {{ monthly_saving(
        'idle_clusters.idle_cost', 'observed_period.observed_from_ms', 'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from idle_clusters
inner join {{ ref('savings_observed_period') }} as observed_period
    on idle_clusters.organization_id = observed_period.organization_id
