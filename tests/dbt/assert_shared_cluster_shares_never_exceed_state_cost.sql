{#- On an all-purpose cluster, the shares given to overlapping runs never add up to more than the state's
    cost (a rounding tolerance of 1e-9 relative). -#}
with

allocated_by_state as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start,
        sum(cluster_share) as total_share,
        sum(driver_compute_cost + worker_compute_cost + driver_dbu_cost + worker_dbu_cost) as allocated_cost
    from {{ ref('job_run_cluster_state_share') }}
    where not isAutomated
    group by organization_id, cluster_id, unixTimeMS_state_start

)

select
    allocated_by_state.organization_id,
    allocated_by_state.cluster_id,
    allocated_by_state.unixTimeMS_state_start,
    allocated_by_state.total_share,
    allocated_by_state.allocated_cost,
    cluster_state_fact.total_cost as state_cost
from allocated_by_state
inner join {{ ref('cluster_state_fact') }} as cluster_state_fact
    on
        allocated_by_state.organization_id = cluster_state_fact.organization_id
        and allocated_by_state.cluster_id = cluster_state_fact.cluster_id
        and allocated_by_state.unixTimeMS_state_start = cluster_state_fact.unixTimeMS_state_start
where
    allocated_by_state.total_share > 1 + 1e-9
    or allocated_by_state.allocated_cost > cluster_state_fact.total_cost * (1 + 1e-9)
