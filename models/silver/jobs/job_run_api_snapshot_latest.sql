{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'job_run_id'],
        partition_by=date_partitioning('run_start_date'),
        merge_window_column='run_start_date',
    )
}}

{#- The newest runs-API snapshot of each job run, partitioned by the run's start date (the runs API lists runs
    by their start time, which never changes for a run). Incremental: only snapshots taken from the newest start
    date kept less the look-back (macro incremental_window_start) are read, as a literal on the snapshot time so
    that the table format skips older snapshot files; the newest of those replaces the run's row (it is never
    older than the row it replaces: an older row within the look-back is read again, one before it is older
    than every snapshot read, since a run is snapshotted only once started). The merge touches the partitions
    of the runs read only: those started in the window and older runs still listed as active. -#}
{%- set window_start = incremental_window_start('run_start_date') -%}
with

run_snapshots as (

    select
        organization_id,
        job_run_id,
        snapshot_time,
        snapshot_ms,
        job_id,
        run_name,
        run_type,
        run_trigger,
        creator_user_name,
        cluster_id,
        start_ms,
        end_ms,
        result_state,
        tasks_json,
        single_task_json
    from {{ ref('stg_api__job_runs') }}
    {%- if window_start %}
    where snapshot_time >= {{ window_start }}
    {%- endif %}

),

ranked_run_snapshots as (

    select
        organization_id,
        job_run_id,
        snapshot_time,
        snapshot_ms,
        job_id,
        run_name,
        run_type,
        run_trigger,
        creator_user_name,
        cluster_id,
        start_ms,
        end_ms,
        result_state,
        tasks_json,
        single_task_json,
        row_number() over (partition by organization_id, job_run_id order by snapshot_time desc) as snapshot_number
    from run_snapshots

)

select
    organization_id,
    job_run_id,
    snapshot_time,
    snapshot_ms,
    job_id,
    run_name,
    run_type,
    run_trigger,
    creator_user_name,
    cluster_id,
    start_ms,
    to_date(timestamp_millis(start_ms)) as run_start_date,
    end_ms,
    result_state,
    tasks_json,
    single_task_json
from ranked_run_snapshots
where snapshot_number = 1
