{#- Savings rule unpriced_node_type: node types clusters ran on that the price catalog lacks (gold
    unpriced_node_type). Their states' DBUs and costs are null, so no saving can be estimated: the finding
    says what to price (add the node type to the instance_details seeds) before the other rules can see
    those clusters' cost. -#}
with

unpriced_node_types as (

    select
        organization_id,
        node_type_id,
        cluster_count,
        unpriced_states,
        unpriced_cluster_hours
    from {{ ref('unpriced_node_type') }}

)

select
    unpriced_node_types.organization_id,
    'unpriced_node_type' as finding_type,
    'node_type' as entity_type,
    unpriced_node_types.node_type_id as entity_id,
    unpriced_node_types.node_type_id as entity_name,
    format_string(
        '%d clusters ran %.1f h in %d states on this node type, which the price catalog lacks: their cost is unknown',
        unpriced_node_types.cluster_count,
        unpriced_node_types.unpriced_cluster_hours,
        unpriced_node_types.unpriced_states
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    cast(null as double) as observed_cost,
    cast(null as double) as estimated_monthly_saving
from unpriced_node_types
inner join {{ ref('savings_observed_period') }} as observed_period
    on unpriced_node_types.organization_id = observed_period.organization_id
