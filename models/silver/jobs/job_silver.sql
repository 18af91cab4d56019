{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'job_id', 'action', 'unix_time_ms'],
    post_hook=[
        "{{ delete_superseded_snapshot_imputations(['organization_id', 'job_id'], 'action') }}",
        "{{ record_processed_until() }}",
    ],
) }}

{#- Overwatch's job_status: every job definition event with the settings carried forward. Each row keeps in
    carried_state, per settings field, the last value an event set (null when none did yet) and the create
    event's author and time. Incremental: a run takes the audit events of the look-back window (var
    lookback_days, back from the previous run's until-time: a job no one edits leaves the newest event here
    far behind), the snapImpute of each job first listed in the window's snapshots, and carries each job's
    settings and authors forward from its last row before the window instead of replaying its events. -#}
{%- set settings_fields = job_settings_fields() %}
{%- set window_start_ms = incremental_window_start_ms('unix_time_ms', processed_until=true) -%}

with

job_events_from_audit as (

    select
        organization_id,
        job_id,
        action_name as action,
        event_time_ms as unix_time_ms,
        request_params,
        cast(null as string) as snapshot_settings,
        fields_to_remove,
        response,
        user_email,
        session_id,
        request_id,
        user_agent,
        source_ip_address,
        cast(null as {{ job_carried_state_type() }}) as carried_state
    from {{ ref('stg_audit__jobs') }}
    where
        action_name in ('create', 'update', 'reset', 'delete', 'changeJobAcl')
        and response_status_code = 200
    {%- if window_start_ms is not none %}
        {{ audit_events_from(window_start_ms) }}
    {%- endif %}

),

job_snapshots as (

    select
        organization_id,
        job_id,
        snapshot_time,
        snapshot_ms,
        settings,
        creator_user_name,
        created_time
    from {{ ref('stg_api__jobs') }}

),

jobs_not_imputed as (

    -- A job with a create event has no snapImpute; nor, in an incremental run, one created or first listed
    -- before the window (its snapImpute, if any, is not the window's).
    select
        organization_id,
        job_id
    from job_events_from_audit
    where action = 'create'
    {%- if window_start_ms is not none %}
        union
        select
            organization_id,
            job_id
        from {{ this }}
        where action = 'create' or (action = 'snapImpute' and unix_time_ms < {{ window_start_ms }})
    {%- endif %}

),

job_snapshots_ranked as (

    select
        organization_id,
        job_id,
        snapshot_time,
        snapshot_ms,
        settings,
        creator_user_name,
        created_time,
        row_number() over (partition by organization_id, job_id order by snapshot_time) as snapshot_number,
        row_number() over (
            partition by organization_id, job_id order by snapshot_time desc
        ) as snapshot_number_from_latest
    from job_snapshots

),

job_events_imputed_from_snapshots as (

    -- Jobs that predate the audit logs have no create event: their first API snapshot stands for it.
    select
        job_snapshots_ranked.organization_id,
        job_snapshots_ranked.job_id,
        'snapImpute' as action,
        job_snapshots_ranked.snapshot_ms as unix_time_ms,
        from_json(cast(null as string), 'map<string,string>') as request_params,
        job_snapshots_ranked.settings as snapshot_settings,
        cast(null as array<string>) as fields_to_remove,
        cast(null as struct<statusCode: int, errorMessage: string, result: string>) as response,
        cast(null as string) as user_email,
        cast(null as string) as session_id,
        cast(null as string) as request_id,
        cast(null as string) as user_agent,
        cast(null as string) as source_ip_address,
        cast(null as {{ job_carried_state_type() }}) as carried_state
    from job_snapshots_ranked
    left anti join jobs_not_imputed
        on
            job_snapshots_ranked.organization_id = jobs_not_imputed.organization_id
            and job_snapshots_ranked.job_id = jobs_not_imputed.job_id
    where job_snapshots_ranked.snapshot_number = 1

),

{% if window_start_ms is not none -%}
    last_rows_before_window as (

        select
            organization_id,
            job_id,
            unix_time_ms,
            carried_state,
            row_number() over (
                partition by organization_id, job_id
                order by unix_time_ms desc, case when action = 'create' then 1 else 2 end desc
            ) as row_number_from_last
        from {{ this }}
        where
            unix_time_ms < {{ window_start_ms }}
            and (organization_id, job_id) in (
                select organization_id, job_id from job_events_from_audit
                union all
                select organization_id, job_id from job_events_imputed_from_snapshots
            )

    ),

    carried_events_before_window as (

        -- What each job with events in the window (its snapImpute included) stood at before it
        -- (carried_state), as an event stating it.
        select
            organization_id,
            job_id,
            'carried' as action,
            unix_time_ms,
            from_json(cast(null as string), 'map<string,string>') as request_params,
            cast(null as string) as snapshot_settings,
            cast(null as array<string>) as fields_to_remove,
            cast(null as struct<statusCode: int, errorMessage: string, result: string>) as response,
            cast(null as string) as user_email,
            cast(null as string) as session_id,
            cast(null as string) as request_id,
            cast(null as string) as user_agent,
            cast(null as string) as source_ip_address,
            carried_state
        from last_rows_before_window
        where row_number_from_last = 1

    ),

{% endif -%}
job_events as (

    select * from job_events_from_audit
    where job_id is not null
    union all
    select * from job_events_imputed_from_snapshots
    {%- if window_start_ms is not none %}
        union all
        select * from carried_events_before_window
    {%- endif %}

),

job_events_ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, job_id, action, unix_time_ms
            order by request_id
        ) as delivery_number
    from job_events

),

unique_job_events as (

    -- At-least-once delivery: one row per job, action and millisecond.
    select
        organization_id,
        job_id,
        action,
        unix_time_ms,
        request_params,
        snapshot_settings,
        fields_to_remove,
        response,
        user_email,
        session_id,
        request_id,
        user_agent,
        source_ip_address,
        carried_state
    from job_events_ranked
    where delivery_number = 1

),

job_snapshot_intervals as (

    -- The first snapshot of a job also stands for the time before it was taken.
    select
        organization_id,
        job_id,
        settings,
        creator_user_name,
        created_time,
        case
            when snapshot_number = 1 then 0
            else snapshot_ms
        end as valid_from_ms,
        coalesce(
            lead(snapshot_ms) over (partition by organization_id, job_id order by snapshot_time),
            9223372036854775807
        ) as valid_until_ms
    from job_snapshots_ranked

),

job_events_with_settings as (

    select
        unique_job_events.organization_id,
        unique_job_events.job_id,
        unique_job_events.action,
        unique_job_events.unix_time_ms,
        unique_job_events.request_params,
        unique_job_events.response,
        unique_job_events.user_email,
        unique_job_events.session_id,
        unique_job_events.request_id,
        unique_job_events.user_agent,
        unique_job_events.source_ip_address,
        job_snapshot_intervals.creator_user_name as snapshot_creator_user_name,
        job_snapshot_intervals.created_time as snapshot_created_time,
        {%- for field_name, column_name, data_type in settings_fields %}
            {{ job_event_setting(field_name, 'unique_job_events') }} as {{ column_name }}_event_value,
            {{ job_event_sets_setting(field_name, 'unique_job_events') }} as {{ column_name }}_is_set,
            get_json_object(job_snapshot_intervals.settings, '$.{{ field_name }}') as {{ column_name }}_snapshot_value,
        {%- endfor %}
        unique_job_events.carried_state.created_by as carried_created_by,
        unique_job_events.carried_state.created_ts as carried_created_ts,
        unique_job_events.carried_state.deleted_by as carried_deleted_by,
        unique_job_events.carried_state.deleted_ts as carried_deleted_ts,
        unique_job_events.carried_state.last_edited_by as carried_last_edited_by,
        unique_job_events.carried_state.last_edited_ts as carried_last_edited_ts,
        -- The state carried from before an incremental run's window comes before its events.
        case unique_job_events.action when 'carried' then 0 when 'create' then 1 else 2 end as action_order
    from unique_job_events
    left join job_snapshot_intervals
        on
            unique_job_events.organization_id = job_snapshot_intervals.organization_id
            and unique_job_events.job_id = job_snapshot_intervals.job_id
            and unique_job_events.unix_time_ms >= job_snapshot_intervals.valid_from_ms
            and unique_job_events.unix_time_ms < job_snapshot_intervals.valid_until_ms

),

job_status as (

    select
        organization_id,
        job_id,
        action,
        unix_time_ms,
        request_params,
        response,
        user_email,
        session_id,
        request_id,
        user_agent,
        source_ip_address,
        snapshot_creator_user_name,
        snapshot_created_time,
        action_order,
        {{ job_settings_carried_forward('events_so_far') }},
        {{ job_settings_last_set('events_so_far') }} as last_set_settings,
        last_value(
            case action when 'create' then user_email when 'carried' then carried_created_by end, true
        ) over job_history as created_by_event,
        last_value(
            case action when 'create' then unix_time_ms when 'carried' then carried_created_ts end, true
        ) over job_history as created_ts_event,
        last_value(
            case action when 'delete' then user_email when 'carried' then carried_deleted_by end, true
        ) over events_so_far as deleted_by,
        last_value(
            case action when 'delete' then unix_time_ms when 'carried' then carried_deleted_ts end, true
        ) over events_so_far as deleted_ts,
        last_value(
            case
                when action in ('update', 'reset') then user_email
                when action = 'carried' then carried_last_edited_by
            end,
            true
        ) over events_so_far as last_edited_by,
        last_value(
            case
                when action in ('update', 'reset') then unix_time_ms
                when action = 'carried' then carried_last_edited_ts
            end,
            true
        ) over events_so_far as last_edited_ts
    from job_events_with_settings
    window
        events_so_far as (
            partition by organization_id, job_id
            order by unix_time_ms, action_order
            rows between unbounded preceding and current row
        ),
        job_history as (
            partition by organization_id, job_id
            order by unix_time_ms, action_order
            rows between unbounded preceding and unbounded following
        )

),

latest_job_snapshots as (

    select
        organization_id,
        job_id,
        creator_user_name,
        created_time
    from job_snapshots_ranked
    where snapshot_number_from_latest = 1

),

final as (

    select
        job_status.organization_id,
        job_status.job_id,
        job_status.action,
        job_status.unix_time_ms,
        timestamp_millis(job_status.unix_time_ms) as action_timestamp,
        to_date(timestamp_millis(job_status.unix_time_ms)) as action_date,
        job_status.job_name,
        {{ json_to_string_map('job_status.tags_json') }} as tags,
        case when job_status.action = 'create' then job_status.request_params['job_type'] end as job_type,
        job_status.job_format,
        job_status.existing_cluster_id,
        job_status.new_cluster,
        job_status.tasks,
        job_status.job_clusters,
        job_status.libraries,
        job_status.git_source,
        job_status.timeout_seconds,
        job_status.max_concurrent_runs,
        job_status.max_retries,
        job_status.retry_on_timeout,
        job_status.min_retry_interval_millis,
        from_json(
            job_status.schedule_json,
            'struct<quartz_cron_expression: string, timezone_id: string, pause_status: string>'
        ) as schedule,
        named_struct(
            'notebook_task', job_status.notebook_task,
            'spark_python_task', job_status.spark_python_task,
            'python_wheel_task', job_status.python_wheel_task,
            'spark_jar_task', job_status.spark_jar_task,
            'spark_submit_task', job_status.spark_submit_task,
            'shell_command_task', job_status.shell_command_task,
            'pipeline_task', job_status.pipeline_task
        ) as task_detail_legacy,
        coalesce(
            job_status.pipeline_task is not null or job_status.tasks like '%"pipeline_task"%',
            false
        ) as is_from_dlt,
        case
            when job_status.action = 'changeJobAcl' then job_status.request_params['aclPermissionSet']
        end as acl_permission_set,
        case
            when job_status.action = 'changeJobAcl' then job_status.request_params['targetUserId']
        end as target_user_id,
        job_status.session_id,
        job_status.request_id,
        job_status.user_agent,
        job_status.response,
        job_status.source_ip_address,
        coalesce(
            job_status.created_by_event,
            job_status.snapshot_creator_user_name,
            latest_job_snapshots.creator_user_name
        ) as created_by,
        coalesce(
            job_status.created_ts_event,
            job_status.snapshot_created_time,
            latest_job_snapshots.created_time
        ) as created_ts,
        job_status.deleted_by,
        job_status.deleted_ts,
        job_status.last_edited_by,
        job_status.last_edited_ts,
        job_status.user_email as action_by,
        named_struct(
            'settings', job_status.last_set_settings,
            'created_by', job_status.created_by_event,
            'created_ts', job_status.created_ts_event,
            'deleted_by', job_status.deleted_by,
            'deleted_ts', job_status.deleted_ts,
            'last_edited_by', job_status.last_edited_by,
            'last_edited_ts', job_status.last_edited_ts
        ) as carried_state
    from job_status
    left join latest_job_snapshots
        on
            job_status.organization_id = latest_job_snapshots.organization_id
            and job_status.job_id = latest_job_snapshots.job_id
    where job_status.action != 'carried'

)

select * from final
