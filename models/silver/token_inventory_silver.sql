{#- Every personal access token the token management API has listed: its latest listing, when it was
    first and last seen, and whether the workspace's latest listing still holds it (a token gone from
    it was revoked or removed). Token metadata only: the API returns no token value. -#}

with

token_snapshots as (

    select
        organization_id,
        entity_id as token_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'tokens_snapshot_bronze') }}

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
        max_by(raw_json, snapshot_time) as latest_json
    from token_snapshots
    group by organization_id, token_id

)

select
    token_sightings.organization_id,
    token_sightings.token_id,
    get_json_object(token_sightings.latest_json, '$.comment') as token_comment,
    timestamp_millis(cast(get_json_object(token_sightings.latest_json, '$.creation_time') as bigint))
        as created_at,
    case
        when cast(get_json_object(token_sightings.latest_json, '$.expiry_time') as bigint) > 0
            then timestamp_millis(cast(get_json_object(token_sightings.latest_json, '$.expiry_time') as bigint))
    end as expires_at,
    coalesce(cast(get_json_object(token_sightings.latest_json, '$.expiry_time') as bigint) <= 0, true)
        as never_expires,
    get_json_object(token_sightings.latest_json, '$.owner_id') as owner_id,
    get_json_object(token_sightings.latest_json, '$.created_by_id') as created_by_id,
    get_json_object(token_sightings.latest_json, '$.created_by_username') as created_by_username,
    token_sightings.first_seen_at,
    token_sightings.last_seen_at,
    token_sightings.last_seen_at = latest_listing_times.latest_listing_time as is_listed
from token_sightings
inner join latest_listing_times
    on token_sightings.organization_id = latest_listing_times.organization_id
