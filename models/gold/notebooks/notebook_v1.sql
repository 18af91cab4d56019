{#- Overwatch's notebook: the life of each notebook from the audit log (created, imported, cloned,
    renamed, moved, attached to and detached from clusters, deleted, restored). The notebook id stays the
    same across renames and moves; the path after each action is carried forward by id, because a rename
    names only the new name (and parent folder) and a delete may name only the notebook. Only successful
    requests change a notebook, so only those are kept. -#}
{%- set notebook_actions = [
    'createNotebook', 'importNotebook', 'cloneNotebook', 'renameNotebook', 'moveNotebook',
    'deleteNotebook', 'restoreNotebook', 'attachNotebook', 'detachNotebook',
] -%}

with

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
    from {{ ref('stg_audit__notebook') }}
    where
        action_name in (
            {%- for action in notebook_actions %}
                '{{ action }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        and response_status_code between 200 and 299
        and notebook_id is not null

),

named_paths as (

    -- The path each event itself states: after a move its new path; after a rename the parent folder
    -- and new name when the event names the folder; otherwise the path the request carries.
    select
        *,
        case
            when action_name = 'moveNotebook' then new_path
            when action_name = 'renameNotebook' then concat(parent_path, '/', new_name)
            else request_path
        end as stated_path_after
    from notebook_events

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
