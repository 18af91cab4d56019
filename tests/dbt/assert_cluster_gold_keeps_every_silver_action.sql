-- Gold `cluster` is a reshaping of cluster_silver: it must neither drop nor add actions.
with

silver_actions as (

    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms
    from {{ ref('cluster_silver') }}

),

gold_actions as (

    select
        organization_id,
        cluster_id,
        action,
        unixTimeMS as unix_time_ms
    from {{ ref('cluster') }}

),

missing_from_gold as (

    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        'missing from gold' as problem
    from silver_actions
    except
    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        'missing from gold' as problem
    from gold_actions

),

missing_from_silver as (

    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        'missing from silver' as problem
    from gold_actions
    except
    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        'missing from silver' as problem
    from silver_actions

)

select
    organization_id,
    cluster_id,
    action,
    unix_time_ms,
    problem
from missing_from_gold
union all
select
    organization_id,
    cluster_id,
    action,
    unix_time_ms,
    problem
from missing_from_silver
