{#- Jobs as the jobs API listed them (jobs/list), one row per job and snapshot, with the fields the job
    models read parsed once; the settings stay JSON text (job_silver follows each field). -#}
select
    organization_id,
    cast(entity_id as bigint) as job_id,
    snapshot_time,
    unix_millis(snapshot_time) as snapshot_ms,
    get_json_object(raw_json, '$.settings') as settings,
    get_json_object(raw_json, '$.creator_user_name') as creator_user_name,
    cast(get_json_object(raw_json, '$.created_time') as bigint) as created_time,
    raw_json
from {{ source('overwatch_bronze', 'jobs_snapshot_bronze') }}
