{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'notebook_id', 'action', 'unixTimeMS', 'request_id'],
        on_schema_change='fail',
        partition_by=date_partitioning('date'),
        merge_window_column='date',
    )
}}

{#- Overwatch's notebook: the life of each notebook from the audit log (created, imported, cloned,
    renamed, moved, attached to and detached from clusters, deleted, restored). The notebook id stays the
    same across renames and moves; the path after each action is carried forward by id, because a rename
    names only the new name (and parent folder) and a delete may name only the notebook. Only successful
    requests change a notebook, so only those are kept.
    Incremental, partitioned by the event's date: a run recomputes the events dated from the newest date
    less the look-back (macro incremental_window_start), read from the audit log delivered since then, and
    starts each notebook's carried path from its latest row before that day in this table (its path
    then: the folder a rename without one keeps is that path's). -#}
{%- set notebook_actions = [
    'createNotebook', 'importNotebook', 'cloneNotebook', 'renameNotebook', 'moveNotebook',
    'deleteNotebook', 'restoreNotebook', 'attachNotebook', 'detachNotebook',
] -%}
{%- set window_start = incremental_window_start('date') -%}

with

notebook_audit_events as (

    -- Incrementally, only the audit log delivered and dated from the window start on.
    select
        organization_id,
        event_time_ms,
        action_name,
        notebook_id,
        cluster_id,
        request_path,
        old_name,
        new_name,
        old_path,
        new_path,
        parent_path,
        request_notebook_name,
        user_email,
        request_id,
        response,
        response_status_code
    from {{ ref('stg_audit__notebook') }}
    {%- if window_start %}
    where delivery_date >= {{ window_start }} and event_date >= {{ window_start }}
    {%- endif %}

),

notebook_events as (

    select
        organization_id,
        event_time_ms as unix_time_ms,
        action_name,
        notebook_id,
        cluster_id,
        request_path,
        old_name,
        new_name,
        old_path,
        new_path,
        parent_path,
        request_notebook_name,
        user_email,
        request_id,
        response
    from notebook_audit_events
    where
        action_name in (
            {%- for action in notebook_actions %}
                '{{ action }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        and response_status_code between 200 and 299
        and notebook_id is not null

),

{%- if window_start %}
earlier_paths as (

    select
        organization_id,
        notebook_id,
        max_by(notebook_path, struct(unixTimeMS, request_id)) as notebook_path,
        max(unixTimeMS) as unix_time_ms,
        max_by(request_id, struct(unixTimeMS, request_id)) as request_id
    from {{ this }}
    where date < {{ window_start }} and notebook_path is not null
    group by organization_id, notebook_id

),
{%- endif %}

named_paths as (

    -- The path each event itself states: after a move its new path; after a rename the parent folder
    -- and new name when the event names the folder; otherwise the path the request carries.
    select
        *,
        case
            when action_name = 'moveNotebook' then new_path
            when action_name = 'renameNotebook' then concat(parent_path, '/', new_name)
            else request_path
        end as stated_path_after,
        false as is_earlier_path
    from notebook_events
    {%- if window_start %}
    union all
    -- Each notebook's path before the window, as the last path its earlier events stated or carried.
    select
        organization_id,
        unix_time_ms,
        cast(null as string) as action_name,
        notebook_id,
        cast(null as string) as cluster_id,
        cast(null as string) as request_path,
        cast(null as string) as old_name,
        cast(null as string) as new_name,
        cast(null as string) as old_path,
        cast(null as string) as new_path,
        cast(null as string) as parent_path,
        cast(null as string) as request_notebook_name,
        cast(null as string) as user_email,
        request_id,
        cast(null as struct<statusCode:int,errorMessage:string,result:string>) as response,
        notebook_path as stated_path_after,
        true as is_earlier_path
    from earlier_paths
    {%- endif %}

),

renames_resolved as (

    -- A rename without its parent folder keeps the folder of the notebook's previous path.
    select
        *,
        case
            when action_name = 'renameNotebook' and stated_path_after is null
                then concat(
                        regexp_extract(last_value(stated_path_after, true) over earlier_events, '^(.*)/[^/]*$', 1),
                        '/',
                        new_name
                    )
            else stated_path_after
        end as resolved_path_after
    from named_paths
    window earlier_events as (
        partition by organization_id, notebook_id
        order by unix_time_ms, request_id
        rows between unbounded preceding and 1 preceding
    )

),

paths_carried as (

    select
        *,
        last_value(resolved_path_after, true) over earlier_events as previous_path,
        coalesce(resolved_path_after, last_value(resolved_path_after, true) over earlier_events) as path_after
    from renames_resolved
    window earlier_events as (
        partition by organization_id, notebook_id
        order by unix_time_ms, request_id
        rows between unbounded preceding and 1 preceding
    )

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    notebook_id,
    coalesce(regexp_extract(path_after, '[^/]*$', 0), request_notebook_name) as notebook_name,
    path_after as notebook_path,
    cluster_id,
    action_name as action,
    unix_time_ms as unixTimeMS,
    timestamp_millis(unix_time_ms) as timestamp,
    to_date(timestamp_millis(unix_time_ms)) as date,
    case
        when action_name = 'renameNotebook' then coalesce(old_name, regexp_extract(previous_path, '[^/]*$', 0))
    end as old_name,
    case
        when action_name in ('renameNotebook', 'moveNotebook') then coalesce(old_path, previous_path)
    end as old_path,
    case when action_name = 'renameNotebook' then new_name end as new_name,
    case when action_name in ('renameNotebook', 'moveNotebook') then path_after end as new_path,
    coalesce(parent_path, regexp_extract(path_after, '^(.*)/[^/]*$', 1)) as parent_path,
    user_email,
    request_id,
    response
from paths_carried
where not is_earlier_path
