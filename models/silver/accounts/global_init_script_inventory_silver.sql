{#- Every global init script the API has listed (they run on every cluster of the workspace): its latest
    listing and whether the workspace's latest listing still holds it. The listing carries no script body. -#}

with

script_snapshots as (

    select
        organization_id,
        script_id,
        snapshot_time,
        named_struct(
            'script_name', script_name,
            'script_position', script_position,
            'is_enabled', is_enabled,
            'created_by', created_by,
            'created_at', created_at,
            'updated_by', updated_by,
            'updated_at', updated_at
        ) as script_listing
    from {{ ref('stg_api__global_init_scripts') }}

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
        max_by(script_listing, snapshot_time) as latest_listing
    from script_snapshots
    group by organization_id, script_id

)

select
    script_sightings.organization_id,
    script_sightings.script_id,
    script_sightings.latest_listing.script_name,
    script_sightings.latest_listing.script_position,
    script_sightings.latest_listing.is_enabled,
    script_sightings.latest_listing.created_by,
    script_sightings.latest_listing.created_at,
    script_sightings.latest_listing.updated_by,
    script_sightings.latest_listing.updated_at,
    script_sightings.first_seen_at,
    script_sightings.last_seen_at,
    script_sightings.last_seen_at = latest_listing_times.latest_listing_time as is_listed
from script_sightings
inner join latest_listing_times
    on script_sightings.organization_id = latest_listing_times.organization_id
