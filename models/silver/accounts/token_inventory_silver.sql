{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'token_id'],
    )
}}

{#- Every personal access token the token management API has listed: its latest listing, when it was
    first and last seen, and whether the workspace's latest listing still holds it (a token gone from
    it was revoked or removed). Token metadata only: the API returns no token value. Incremental: a run
    reads the listings from the newest sighting less the look-back (macro api_listing_sightings). -#}
{%- set window_start = incremental_window_start('last_seen_at') %}

with

token_listings as (

    select
        organization_id,
        token_id,
        snapshot_time,
        token_comment,
        created_at,
        expires_at,
        never_expires,
        owner_id,
        created_by_id,
        created_by_username
    from {{ ref('stg_api__tokens') }}
    {%- if window_start %}
        where snapshot_time >= {{ window_start }}
    {%- endif %}

),

{{ api_listing_sightings('token_listings', 'token_id', [
    'token_comment', 'created_at', 'expires_at', 'never_expires', 'owner_id', 'created_by_id', 'created_by_username',
]) }}
