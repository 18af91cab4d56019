{#- The period each workspace's savings findings were observed over: from its first to its last cluster or
    SQL warehouse state. Every finding of a workspace is scaled to a month over this one period. -#}
with

compute_states as (

    select
        organization_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms
    from {{ ref('cluster_state_fact') }}
    union all
    select
        organization_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms
    from {{ ref('warehouse_state_fact') }}

)

select
    organization_id,
    min(state_start_ms) as observed_from_ms,
    max(state_end_ms) as observed_until_ms
from compute_states
group by organization_id
