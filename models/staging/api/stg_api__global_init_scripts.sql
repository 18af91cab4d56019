{#- Every listing of a global init script by the global-init-scripts API, one row per script and snapshot,
    its listing parsed once. The listing carries no script body. -#}
with

script_snapshots as (

    select
        organization_id,
        entity_id,
        snapshot_time,
        raw_json,
        source_request,
        load_run_id,
        loaded_at
    from {{ source('overwatch_bronze', 'global_init_scripts_snapshot_bronze') }}

)

select
    organization_id,
    entity_id as script_id,
    snapshot_time,
    get_json_object(raw_json, '$.name') as script_name,
    cast(get_json_object(raw_json, '$.position') as int) as script_position,
    coalesce(cast(get_json_object(raw_json, '$.enabled') as boolean), false) as is_enabled,
    get_json_object(raw_json, '$.created_by') as created_by,
    timestamp_millis(cast(get_json_object(raw_json, '$.created_at') as bigint)) as created_at,
    get_json_object(raw_json, '$.updated_by') as updated_by,
    timestamp_millis(cast(get_json_object(raw_json, '$.updated_at') as bigint)) as updated_at,
    source_request,
    load_run_id,
    loaded_at
from script_snapshots
