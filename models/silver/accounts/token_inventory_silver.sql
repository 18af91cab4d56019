{#- Every personal access token the token management API has listed: its latest listing, when it was
    first and last seen, and whether the workspace's latest listing still holds it (a token gone from
    it was revoked or removed). Token metadata only: the API returns no token value. -#}

with

token_snapshots as (

    select
        organization_id,
        token_id,
        snapshot_time,
        named_struct(
            'token_comment', token_comment,
            'created_at', created_at,
            'expires_at', expires_at,
            'never_expires', never_expires,
            'owner_id', owner_id,
            'created_by_id', created_by_id,
            'created_by_username', created_by_username
        ) as token_info
    from {{ ref('stg_api__tokens') }}

),

latest_listing_times as (

    select
        organization_id,
        max(snapshot_time) as latest_listing_time
    from token_snapshots
    group by organization_id

),

token_sightings as (

    select
        organization_id,
        token_id,
        min(snapshot_time) as first_seen_at,
        max(snapshot_time) as last_seen_at,
        max_by(token_info, snapshot_time) as latest_info
    from token_snapshots
    group by organization_id, token_id

)

select
    token_sightings.organization_id,
    token_sightings.token_id,
    token_sightings.latest_info.token_comment,
    token_sightings.latest_info.created_at,
    token_sightings.latest_info.expires_at,
    token_sightings.latest_info.never_expires,
    token_sightings.latest_info.owner_id,
    token_sightings.latest_info.created_by_id,
    token_sightings.latest_info.created_by_username,
    token_sightings.first_seen_at,
    token_sightings.last_seen_at,
    token_sightings.last_seen_at = latest_listing_times.latest_listing_time as is_listed
from token_sightings
inner join latest_listing_times
    on token_sightings.organization_id = latest_listing_times.organization_id
