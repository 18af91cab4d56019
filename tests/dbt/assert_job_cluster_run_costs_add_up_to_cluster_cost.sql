{#- The task runs of a job cluster are given its whole cost: per job cluster, the sum of the run costs in
    jobRunCostPotentialFact equals the clusterStateFact cost within 0.5%. Clusters with an unknown node
    type have null costs on both sides and are skipped. -#}
{{ config(severity='error') }}

with

run_costs_by_cluster as (

    select
        organization_id,
        cluster_id,
        sum(total_cost) as run_total_cost
    from {{ ref('job_run_cost_potential_fact') }}
    group by organization_id, cluster_id

),

job_cluster_costs as (

    select
        organization_id,
        cluster_id,
        sum(total_cost) as cluster_total_cost
    from {{ ref('cluster_state_fact') }}
    where isAutomated
    group by organization_id, cluster_id
    having count(total_cost) = count(*)

)

select
    job_cluster_costs.organization_id,
    job_cluster_costs.cluster_id,
    job_cluster_costs.cluster_total_cost,
    run_costs_by_cluster.run_total_cost
from job_cluster_costs
inner join run_costs_by_cluster
    on
        job_cluster_costs.organization_id = run_costs_by_cluster.organization_id
        and job_cluster_costs.cluster_id = run_costs_by_cluster.cluster_id
where
    abs(run_costs_by_cluster.run_total_cost - job_cluster_costs.cluster_total_cost)
    > 0.005 * job_cluster_costs.cluster_total_cost
