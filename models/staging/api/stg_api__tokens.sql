{#- Every listing of a personal access token by the token management API, one row per token and snapshot,
    its token info parsed once. Metadata only: the API returns no token value. -#}
with

token_snapshots as (

    select
        organization_id,
        entity_id,
        snapshot_time,
        raw_json,
        source_request,
        load_run_id,
        loaded_at
    from {{ source('overwatch_bronze', 'tokens_snapshot_bronze') }}

),

token_infos as (

    select
        organization_id,
        entity_id as token_id,
        snapshot_time,
        get_json_object(raw_json, '$.comment') as token_comment,
        cast(get_json_object(raw_json, '$.creation_time') as bigint) as creation_time_ms,
        cast(get_json_object(raw_json, '$.expiry_time') as bigint) as expiry_time_ms,
        get_json_object(raw_json, '$.owner_id') as owner_id,
        get_json_object(raw_json, '$.created_by_id') as created_by_id,
        get_json_object(raw_json, '$.created_by_username') as created_by_username,
        source_request,
        load_run_id,
        loaded_at
    from token_snapshots

)

select
    organization_id,
    token_id,
    snapshot_time,
    token_comment,
    timestamp_millis(creation_time_ms) as created_at,
    -- The API lists a token that never expires with expiry_time -1 (or 0).
    case when expiry_time_ms > 0 then timestamp_millis(expiry_time_ms) end as expires_at,
    coalesce(expiry_time_ms <= 0, true) as never_expires,
    owner_id,
    created_by_id,
    created_by_username,
    source_request,
    load_run_id,
    loaded_at
from token_infos
