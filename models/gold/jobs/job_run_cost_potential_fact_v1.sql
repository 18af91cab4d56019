{#- Overwatch's jobRunCostPotentialFact: one row per task run with the cost allocated to it from the
    cluster states it touched (job_run_cluster_state_share explains the allocation), how many runs
    shared the cluster with it, the days it ran, and how busy its Spark tasks kept the worker cores it
    was given (from the Spark event logs, when the cluster delivers them), and beside the estimate its
    share of the bill-calibrated DBUs and cost (billed_*). A run still open is costed up to its
    cluster's last known state and recomputed by each build until it ends. Overlap counts include the
    run itself unless the policy var overlap_count_includes_self is false (Overwatch's count). -#}
{%- set overlap_self = 0 if var('overlap_count_includes_self') else 1 %}
with

task_runs as (

    select
        job_run.organization_id,
        job_run.workspace_name,
        job_run.job_id,
        job_run.job_name,
        job_run.run_key,
        job_run.run_id,
        job_run.job_run_id,
        job_run.task_run_id,
        job_run.task_key,
        job_run.repair_id,
        job_run.task_type,
        job_run.cluster_id,
        job_run.cluster_type,
        job_run.terminal_state,
        job_run.job_trigger_type,
        job_run.task_runtime,
        job_run.run_name,
        job_run.parent_run_id,
        job_run.multitask_parent_run_id,
        job_run.task_execution_runtime,
        job_run.created_by,
        job_run.last_edited_by,
        {{ job_run_cost_start_ms('job_run') }} as run_start_ms,
        job_run.task_runtime.endEpochMS as run_end_ms
    from {{ ref('job_run') }} as job_run
    where job_run.cluster_id is not null and {{ job_run_cost_start_ms('job_run') }} is not null

),

allocated_state_costs as (

    select
        organization_id,
        run_key,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms,
        cluster_name,
        custom_tags,
        driver_node_type_id,
        node_type_id,
        sku,
        dbu_rate,
        runtime_in_state_ms,
        fair_share_ms,
        concurrency_weighted_ms,
        max_concurrent_runs,
        is_node_type_unknown,
        worker_potential_core_H,
        driver_dbus,
        worker_dbus,
        driver_compute_cost,
        worker_compute_cost,
        driver_dbu_cost,
        worker_dbu_cost,
        billed_dbus,
        billed_dbu_cost,
        cost_basis
    from {{ ref('job_run_cluster_state_share') }}

),

spark_run_stages as (

    -- Stages of the Spark jobs each task run launched (linked through spark.databricks.job.runId).
    select distinct
        spark_job.organization_id,
        spark_job.spark_context_id,
        spark_job.db_id_in_job as run_id,
        explode(spark_job.stage_ids) as stage_id
    from {{ ref('spark_job') }} as spark_job
    where spark_job.db_id_in_job is not null

),

spark_task_time as (

    -- Task run time is the time a task held one executor core (summed per stage and day upstream).
    select
        spark_run_stages.organization_id,
        spark_run_stages.run_id,
        sum(stage_days.task_runtime_ms) as spark_task_runtime_ms
    from spark_run_stages
    inner join {{ ref('spark_stage_task_time_daily') }} as stage_days
        on
            spark_run_stages.organization_id = stage_days.organization_id
            and spark_run_stages.spark_context_id = stage_days.spark_context_id
            and spark_run_stages.stage_id = stage_days.stage_id
    group by spark_run_stages.organization_id, spark_run_stages.run_id

),

run_costs as (

    -- A run touching a state of unknown node type has unknown cost: null, never a partial sum.
    select
        organization_id,
        run_key,
        count(*) as run_cluster_states,
        max(state_end_ms) as last_state_end_ms,
        min_by(
            struct(cluster_name, custom_tags, driver_node_type_id, node_type_id, sku, dbu_rate), state_start_ms
        ) as cluster_at_run_start,
        sum(fair_share_ms) / nullif(sum(runtime_in_state_ms), 0) as avg_cluster_share,
        sum(concurrency_weighted_ms) / nullif(sum(runtime_in_state_ms), 0) as avg_overlapping_runs,
        max(max_concurrent_runs) as max_overlapping_runs,
        bool_or(is_node_type_unknown) as is_node_type_unknown,
        sum(worker_potential_core_H) as worker_potential_core_H,
        if(bool_or(is_node_type_unknown), null, sum(driver_dbus)) as driver_dbus,
        if(bool_or(is_node_type_unknown), null, sum(worker_dbus)) as worker_dbus,
        if(bool_or(is_node_type_unknown), null, sum(driver_compute_cost)) as driver_compute_cost,
        if(bool_or(is_node_type_unknown), null, sum(worker_compute_cost)) as worker_compute_cost,
        if(bool_or(is_node_type_unknown), null, sum(driver_dbu_cost)) as driver_dbu_cost,
        if(bool_or(is_node_type_unknown), null, sum(worker_dbu_cost)) as worker_dbu_cost,
        if(bool_or(is_node_type_unknown), null, sum(billed_dbus)) as billed_dbus,
        if(bool_or(is_node_type_unknown), null, sum(billed_dbu_cost)) as billed_dbu_cost,
        case
            when bool_and(cost_basis = 'bill') then 'bill'
            when bool_and(cost_basis = 'estimate') then 'estimate'
            else 'partial'
        end as cost_basis
    from allocated_state_costs
    group by organization_id, run_key

),

final as (

    select
        task_runs.organization_id,
        task_runs.workspace_name,
        task_runs.job_id,
        task_runs.job_name,
        task_runs.run_key,
        task_runs.run_id,
        task_runs.job_run_id,
        task_runs.task_run_id,
        task_runs.task_key,
        task_runs.repair_id,
        task_runs.task_type,
        task_runs.cluster_id,
        run_costs.cluster_at_run_start.cluster_name,
        task_runs.cluster_type,
        run_costs.cluster_at_run_start.custom_tags,
        run_costs.cluster_at_run_start.driver_node_type_id,
        run_costs.cluster_at_run_start.node_type_id,
        run_costs.cluster_at_run_start.sku,
        run_costs.cluster_at_run_start.dbu_rate,
        task_runs.run_start_ms as startEpochMS,
        to_date(timestamp_millis(task_runs.run_start_ms)) as job_start_date,
        task_runs.task_runtime,
        task_runs.run_name,
        task_runs.parent_run_id,
        task_runs.multitask_parent_run_id,
        task_runs.task_execution_runtime,
        task_runs.terminal_state as run_terminal_state,
        task_runs.job_trigger_type as run_trigger_type,
        task_runs.run_end_ms is null as is_run_open,
        sequence(
            to_date(timestamp_millis(task_runs.run_start_ms)),
            to_date(timestamp_millis(
                greatest(task_runs.run_start_ms, coalesce(task_runs.run_end_ms, run_costs.last_state_end_ms))
            ))
        ) as running_days,
        cast(run_costs.run_cluster_states as int) as run_cluster_states,
        run_costs.avg_cluster_share,
        run_costs.avg_overlapping_runs - {{ overlap_self }} as avg_overlapping_runs,
        cast(run_costs.max_overlapping_runs - {{ overlap_self }} as int) as max_overlapping_runs,
        run_costs.is_node_type_unknown,
        run_costs.worker_potential_core_H,
        run_costs.driver_dbus,
        run_costs.worker_dbus,
        run_costs.driver_dbus + run_costs.worker_dbus as total_dbus,
        run_costs.driver_compute_cost,
        run_costs.driver_dbu_cost,
        run_costs.worker_compute_cost,
        run_costs.worker_dbu_cost,
        run_costs.driver_compute_cost + run_costs.driver_dbu_cost as total_driver_cost,
        run_costs.worker_compute_cost + run_costs.worker_dbu_cost as total_worker_cost,
        run_costs.driver_compute_cost + run_costs.worker_compute_cost as total_compute_cost,
        run_costs.driver_dbu_cost + run_costs.worker_dbu_cost as total_dbu_cost,
        run_costs.driver_compute_cost
        + run_costs.driver_dbu_cost
        + run_costs.worker_compute_cost
        + run_costs.worker_dbu_cost as total_cost,
        spark_task_time.spark_task_runtime_ms as spark_task_runtimeMS,
        spark_task_time.spark_task_runtime_ms / cast(3600000 as double) as spark_task_runtime_H,
        spark_task_time.spark_task_runtime_ms / cast(3600000 as double)
        / nullif(run_costs.worker_potential_core_H, 0) as job_run_cluster_util,
        task_runs.created_by,
        task_runs.last_edited_by,
        run_costs.billed_dbus,
        run_costs.billed_dbu_cost,
        run_costs.cost_basis,
        run_costs.cost_basis = 'bill' as is_bill_calibrated
    from task_runs
    inner join run_costs
        on
            task_runs.organization_id = run_costs.organization_id
            and task_runs.run_key = run_costs.run_key
    left join spark_task_time
        on
            task_runs.organization_id = spark_task_time.organization_id
            and task_runs.run_id = spark_task_time.run_id

)

select
    organization_id,
    workspace_name,
    job_id,
    job_name,
    run_key,
    run_id,
    job_run_id,
    task_run_id,
    task_key,
    repair_id,
    task_type,
    cluster_id,
    cluster_name,
    cluster_type,
    custom_tags,
    driver_node_type_id,
    node_type_id,
    sku,
    dbu_rate,
    startEpochMS,
    job_start_date,
    task_runtime,
    run_name,
    parent_run_id,
    multitask_parent_run_id,
    task_execution_runtime,
    run_terminal_state,
    run_trigger_type,
    is_run_open,
    running_days,
    run_cluster_states,
    avg_cluster_share,
    avg_overlapping_runs,
    max_overlapping_runs,
    is_node_type_unknown,
    worker_potential_core_H,
    driver_dbus,
    worker_dbus,
    total_dbus,
    driver_compute_cost,
    driver_dbu_cost,
    worker_compute_cost,
    worker_dbu_cost,
    total_driver_cost,
    total_worker_cost,
    total_compute_cost,
    total_dbu_cost,
    total_cost,
    spark_task_runtimeMS,
    spark_task_runtime_H,
    job_run_cluster_util,
    created_by,
    last_edited_by,
    billed_dbus,
    billed_dbu_cost,
    cost_basis,
    is_bill_calibrated
from final
