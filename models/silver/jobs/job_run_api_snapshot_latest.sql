{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'job_run_id'],
    )
}}

{#- The newest runs-API snapshot of each job run. Incremental: only snapshots within the look-back of the newest
    one kept are read; the newest of those replaces the run's row (it is never older than the row it replaces:
    an older row within the look-back is read again, one before it is older than every snapshot read). -#}
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
    {%- if is_incremental() %}
    where snapshot_ms >= {{ job_lookback_start_ms('snapshot_ms') }}
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
    end_ms,
    result_state,
    tasks_json,
    single_task_json
from ranked_run_snapshots
where snapshot_number = 1
