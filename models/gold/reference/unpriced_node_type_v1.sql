{#- Node types clusters ran on that the instance_details catalog lacks (at the state's time), per workspace:
    what a user should add to the seeds (or the deployment's vm_prices and a seed row) so clusterStateFact can
    price those states, whose DBUs and costs stay null until then. States whose node type is not known at
    all (no spec) are flagged in clusterStateFact but cannot be listed here. -#}
with

unpriced_states as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start,
        timestamp_state_start,
        timestamp_state_end,
        uptime_in_state_H,
        driver_node_type_id,
        node_type_id,
        is_driver_unpriced,
        is_worker_unpriced
    from {{ ref('unpriced_cluster_states') }}

),

unpriced_nodes as (

    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start,
        timestamp_state_start,
        timestamp_state_end,
        uptime_in_state_H,
        driver_node_type_id as node_type_id,
        'driver' as node_role
    from unpriced_states
    where is_driver_unpriced and driver_node_type_id is not null
    union all
    select
        organization_id,
        cluster_id,
        unixTimeMS_state_start,
        timestamp_state_start,
        timestamp_state_end,
        uptime_in_state_H,
        node_type_id,
        'worker' as node_role
    from unpriced_states
    where is_worker_unpriced and node_type_id is not null

),

unpriced_state_node_types as (

    -- A state whose driver and workers share the missing type counts its hours once.
    select
        organization_id,
        node_type_id,
        cluster_id,
        unixTimeMS_state_start,
        min(timestamp_state_start) as timestamp_state_start,
        max(timestamp_state_end) as timestamp_state_end,
        max(uptime_in_state_H) as uptime_in_state_H,
        collect_set(node_role) as node_roles
    from unpriced_nodes
    group by organization_id, node_type_id, cluster_id, unixTimeMS_state_start

),

unpriced_node_types as (

    select
        organization_id,
        node_type_id,
        array_sort(array_distinct(flatten(collect_list(node_roles)))) as node_roles,
        count(distinct cluster_id) as cluster_count,
        count(*) as unpriced_states,
        sum(uptime_in_state_H) as unpriced_cluster_hours,
        min(timestamp_state_start) as first_seen,
        max(timestamp_state_end) as last_seen
    from unpriced_state_node_types
    group by organization_id, node_type_id

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    {{ workspace_cloud('organization_id') }} as cloud,
    node_type_id,
    node_roles,
    cast(cluster_count as int) as cluster_count,
    cast(unpriced_states as int) as unpriced_states,
    unpriced_cluster_hours,
    first_seen,
    last_seen
from unpriced_node_types
