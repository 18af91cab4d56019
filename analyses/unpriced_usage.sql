-- Unpriced usage (the "Cost overview" dashboard): node types clusters ran on that the price catalog lacks,
-- with the cluster hours whose cost is therefore unknown, largest first.
select
    organization_id,
    workspace_name,
    node_type_id,
    cluster_count,
    unpriced_states,
    unpriced_cluster_hours,
    first_seen,
    last_seen
from {{ ref('unpriced_node_type_presentation') }}
order by unpriced_cluster_hours desc
