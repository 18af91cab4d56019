{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'script_id'],
    )
}}

{#- Every global init script the API has listed (they run on every cluster of the workspace): its latest
    listing and whether the workspace's latest listing still holds it. The listing carries no script body.
    Incremental: a run reads the listings from the newest sighting less the look-back (macro
    api_listing_sightings). -#}
{%- set window_start = incremental_window_start('last_seen_at') %}

with

script_listings as (

    select
        organization_id,
        script_id,
        snapshot_time,
        script_name,
        script_position,
        is_enabled,
        created_by,
        created_at,
        updated_by,
        updated_at
    from {{ ref('stg_api__global_init_scripts') }}
    {%- if window_start %}
        where snapshot_time >= {{ window_start }}
    {%- endif %}

),

{{ api_listing_sightings('script_listings', 'script_id', [
    'script_name', 'script_position', 'is_enabled', 'created_by', 'created_at', 'updated_by', 'updated_at',
]) }}
