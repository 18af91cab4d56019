{#- Known running intervals of each cluster (the usage ledger the cost reconciliation compares with), one row
    per interval with constant state and worker counts. -#}
with

cluster_intervals as (

    select
        organization_id,
        cluster_id,
        interval_start_ms,
        interval_end_ms,
        is_running,
        current_num_workers,
        target_num_workers,
        driver_node_type_id,
        node_type_id,
        is_photon,
        is_single_node,
        cluster_type,
        sku
    from {{ source('overwatch_bronze', 'cluster_usage_reference_bronze') }}

)

select
    organization_id,
    cluster_id,
    interval_start_ms,
    interval_end_ms,
    is_running,
    current_num_workers,
    target_num_workers,
    driver_node_type_id,
    node_type_id,
    is_photon,
    is_single_node,
    cluster_type,
    sku
from cluster_intervals
