{#- SQL warehouse state changes (system.compute.warehouse_events, or files of its columns), one row per
    warehouse, event type and time, with the event time also in epoch milliseconds. -#}
with

warehouse_events as (

    select
        organization_id,
        account_id,
        workspace_id,
        warehouse_id,
        event_type,
        cluster_count,
        event_time,
        source_file,
        load_run_id,
        loaded_at
    from {{ source('overwatch_bronze', 'warehouse_events_bronze') }}

)

select
    organization_id,
    account_id,
    workspace_id,
    warehouse_id,
    event_type,
    cluster_count,
    event_time,
    unix_millis(event_time) as event_time_ms,
    source_file,
    load_run_id,
    loaded_at
from warehouse_events
