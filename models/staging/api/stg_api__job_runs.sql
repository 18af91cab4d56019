{#- Job runs as the runs API listed them (jobs/runs/list with tasks), one row per run and snapshot, with the
    run-level fields parsed once. An API 2.0 single-task run (no tasks array) carries its task and cluster
    at the top level: single_task_json joins them into the shape of one API 2.1 task. -#}
with

run_snapshots as (

    select
        organization_id,
        cast(entity_id as bigint) as job_run_id,
        snapshot_time,
        raw_json,
        nullif(cast(get_json_object(raw_json, '$.start_time') as bigint), 0) as start_ms
    from {{ source('overwatch_bronze', 'job_runs_snapshot_bronze') }}

)

select
    organization_id,
    job_run_id,
    snapshot_time,
    unix_millis(snapshot_time) as snapshot_ms,
    cast(get_json_object(raw_json, '$.job_id') as bigint) as job_id,
    get_json_object(raw_json, '$.run_name') as run_name,
    get_json_object(raw_json, '$.run_type') as run_type,
    get_json_object(raw_json, '$.trigger') as run_trigger,
    get_json_object(raw_json, '$.creator_user_name') as creator_user_name,
    get_json_object(raw_json, '$.cluster_instance.cluster_id') as cluster_id,
    start_ms,
    {{ job_run_end_ms('raw_json', 'start_ms') }} as end_ms,
    get_json_object(raw_json, '$.state.result_state') as result_state,
    get_json_object(raw_json, '$.tasks') as tasks_json,
    case
        when get_json_object(raw_json, '$.task') is not null
            then {{ json_object_union(
                "get_json_object(raw_json, '$.task')", "get_json_object(raw_json, '$.cluster_spec')"
            ) }}
    end as single_task_json,
    raw_json
from run_snapshots
