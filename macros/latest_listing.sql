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
