{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'spark_context_id', 'stage_id', 'first_event_date'],
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
        pre_hook="{{ delete_spark_window_days(ref('spark_task_silver')) }}",
    )
}}

{#- The run time of each Spark stage's task attempts, per day of their first event: what
    job_run_cost_potential_fact sums per task run, kept here so that it reads a row per stage and day
    instead of every task ever run (a workspace runs far more tasks than stages). Incremental: a run sums
    again the days from the first one spark_task_silver's rows loaded since touched (macro
    spark_window_start), after its pre-hook deleted them (macro delete_spark_window_days); a day before
    them has no task loaded since, so its sums stand. -#}
{%- set window_start = spark_window_start(ref('spark_task_silver'), 'first_event_date') -%}

with

tasks as (

    select
        spark_task_silver.organization_id,
        spark_task_silver.spark_context_id,
        spark_task_silver.stage_id,
        spark_task_silver.first_event_date,
        spark_task_silver.task_runtime.runTimeMS as task_runtime_ms,
        spark_task_silver.loaded_at
    from {{ ref('spark_task_silver') }} as spark_task_silver
    {%- if window_start %}
        where spark_task_silver.first_event_date >= {{ window_start }}
    {%- endif %}

)

select
    organization_id,
    spark_context_id,
    stage_id,
    first_event_date,
    sum(task_runtime_ms) as task_runtime_ms,
    count(*) as task_attempts,
    max(loaded_at) as loaded_at
from tasks
group by organization_id, spark_context_id, stage_id, first_event_date
