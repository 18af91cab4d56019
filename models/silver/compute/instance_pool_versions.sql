{{ config(materialized='view') }}

{#- Versions of each instance pool's name and node type, as type-2 intervals: every successful create or
    edit in the audit log and every API snapshot is a version, valid until the next one; the first known
    version also stands for the time before the pool was first seen. Pool-backed clusters take their node
    types from the version in force at the time of their action. -#}

with

pool_versions_from_audit as (

    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        event_time_ms as version_time_ms
    from {{ ref('stg_audit__instance_pools') }}
    where
        action_name in ('create', 'edit')
        and response_status_code = 200

),

pool_versions_from_snapshots as (

    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        snapshot_time_ms as version_time_ms
    from {{ ref('stg_api__instance_pools') }}

),

pool_versions as (

    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        version_time_ms
    from pool_versions_from_audit
    union all
    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        version_time_ms
    from pool_versions_from_snapshots

)

select
    organization_id,
    instance_pool_id,
    instance_pool_name,
    node_type_id,
    {{ type2_valid_from(
        'version_time_ms', ['organization_id', 'instance_pool_id'], first_valid_from='cast(0 as bigint)'
    ) }} as valid_from_ms,
    {{ type2_valid_until(
        'version_time_ms', ['organization_id', 'instance_pool_id'], open_end='9223372036854775807'
    ) }} as valid_until_ms
from pool_versions
where
    instance_pool_id is not null
    and node_type_id is not null
