{#- The first listing time (a timestamp literal) a model of the latest API listing of each workspace reads
    `relation` (an API snapshot staging model) from: the newest listing time less the look-back (var
    lookback_days), when every configured workspace (var workspace_names) has a listing since then, so that
    the read prunes to the recent days of the bronze table's day layout. None (read every listing) otherwise:
    a workspace whose loads stopped keeps its last listing, wherever it lies, and without the configured
    workspaces there is no knowing whether one did. The newest time is a bare max, answered from file
    statistics. -#}
{% macro latest_listings_from(relation) -%}
    {%- set workspaces = var('workspace_names', {}) | list -%}
    {%- if not (execute and model.resource_type == 'model' and workspaces) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set newest = run_query('select max(snapshot_time) from ' ~ relation).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set listings_from = "timestamp'" ~ (newest - modules.datetime.timedelta(days=var('lookback_days'))).isoformat(' ') ~ "'" -%}
    {%- set listed = run_query(
        'select count(distinct organization_id) from ' ~ relation ~ ' where snapshot_time >= ' ~ listings_from
        ~ " and organization_id in ('" ~ workspaces | join("', '") ~ "')"
    ).columns[0].values()[0] -%}
    {{ return(listings_from if listed == workspaces | length else none) }}
{%- endmacro %}

{#- The sightings of each object an API listing shows (a token, a global init script), one row per object:
    when a listing first and last showed it, its `info_columns` as the latest listing showed them, and whether
    the workspace's latest listing still holds it (is_listed). `listings` names a CTE of the listings read:
    organization_id, `id_column`, snapshot_time and `info_columns`. In a full build it holds every listing; in
    an incremental run (merge on organization_id and `id_column`) the listings from the window start on
    (macro incremental_window_start over last_seen_at), and this table adds what it holds of the objects seen
    in them and of those it counts as listed (one the new listing leaves out is no longer listed). The latest
    listing time of a workspace is its newest sighting: this table's, where the window has none. -#}
{% macro api_listing_sightings(listings, id_column, info_columns) -%}
    {#- A unit test without a `this` fixture has no `this` (is_incremental() would fail): a full build. -#}
    {%- set incremental = this is not none and is_incremental() -%}
    {%- set keys = 'organization_id, ' ~ id_column -%}
    {%- set fields = 'first_seen_at, last_seen_at, ' ~ info_columns | join(', ') -%}
    window_sightings as (

        select
            {{ keys }},
            min(snapshot_time) as first_seen_at,
            max(snapshot_time) as last_seen_at,
            {%- for column in info_columns %}
                max_by({{ column }}, snapshot_time) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ listings }}
        group by {{ keys }}

    ),

    all_sightings as (

        select
            {{ keys }},
            {{ fields }}
        from window_sightings
        {%- if incremental %}
            union all
            select
                {{ keys }},
                {{ fields }}
            from {{ this }}
            where is_listed or ({{ keys }}) in (select {{ keys }} from window_sightings)
        {%- endif %}

    ),

    latest_listing_times as (

        select
            organization_id,
            max(last_seen_at) as latest_listing_time
        from (
            select
                organization_id,
                last_seen_at
            from window_sightings
            {%- if incremental %}
                union all
                select
                    organization_id,
                    last_seen_at
                from {{ this }}
            {%- endif %}
        ) as sightings
        group by organization_id

    ),

    sightings as (

        select
            {{ keys }},
            min(first_seen_at) as first_seen_at,
            max(last_seen_at) as last_seen_at,
            {%- for column in info_columns %}
                max_by({{ column }}, last_seen_at) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from all_sightings
        group by {{ keys }}

    )

    select
        sightings.organization_id,
        sightings.{{ id_column }},
        {%- for column in info_columns %}
            sightings.{{ column }},
        {%- endfor %}
        sightings.first_seen_at,
        sightings.last_seen_at,
        sightings.last_seen_at = latest_listing_times.latest_listing_time as is_listed
    from sightings
    inner join latest_listing_times
        on sightings.organization_id = latest_listing_times.organization_id
{%- endmacro %}
