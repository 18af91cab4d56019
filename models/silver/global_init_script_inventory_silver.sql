{#- Every global init script the API has listed (they run on every cluster of the workspace): its latest
    listing and whether the workspace's latest listing still holds it. The listing carries no script body. -#}

with

script_snapshots as (

    select
        organization_id,
        entity_id as script_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'global_init_scripts_snapshot_bronze') }}

),

latest_listing_times as (

    select
        organization_id,
        max(snapshot_time) as latest_listing_time
    from script_snapshots
    group by organization_id

),

script_sightings as (

    select
        organization_id,
        script_id,
        min(snapshot_time) as first_seen_at,
        max(snapshot_time) as last_seen_at,
        max_by(raw_json, snapshot_time) as latest_json
    from script_snapshots
    group by organization_id, script_id

)

select
    script_sightings.organization_id,
    script_sightings.script_id,
    get_json_object(script_sightings.latest_json, '$.name') as script_name,
    cast(get_json_object(script_sightings.latest_json, '$.position') as int) as script_position,
    coalesce(cast(get_json_object(script_sightings.latest_json, '$.enabled') as boolean), false) as is_enabled,
    get_json_object(script_sightings.latest_json, '$.created_by') as created_by,
    timestamp_millis(cast(get_json_object(script_sightings.latest_json, '$.created_at') as bigint)) as created_at,
    get_json_object(script_sightings.latest_json, '$.updated_by') as updated_by,
    timestamp_millis(cast(get_json_object(script_sightings.latest_json, '$.updated_at') as bigint)) as updated_at,
    script_sightings.first_seen_at,
    script_sightings.last_seen_at,
    script_sightings.last_seen_at = latest_listing_times.latest_listing_time as is_listed
from script_sightings
inner join latest_listing_times
    on script_sightings.organization_id = latest_listing_times.organization_id
