{#- Savings rule low_spark_utilisation_job: jobs whose job clusters' Spark tasks kept few of the worker
    cores busy (task run time over worker core hours, from the Spark event logs). The saving is the worker
    cost above what the threshold utilisation would need: worker cost × (1 − utilisation / threshold),
    scaled to a month. -#}
with

job_cluster_runs as (

    select
        organization_id,
        job_id,
        job_name,
        startEpochMS as run_start_ms,
        spark_task_runtime_H,
        worker_potential_core_H,
        total_worker_cost,
        total_cost
    from {{ ref('job_run_cost_potential_fact') }}
    where
        sku in ('automated', 'jobs_light')
        and job_id is not null
        and job_run_cluster_util is not null

),

job_utilisation as (

    select
        organization_id,
        job_id,
        max_by(job_name, run_start_ms) as job_name,
        count(*) as task_runs,
        sum(spark_task_runtime_H) as spark_task_hours,
        sum(worker_potential_core_H) as worker_core_hours,
        sum(spark_task_runtime_H) / sum(worker_potential_core_H) as spark_utilisation,
        sum(total_worker_cost) as worker_cost,
        sum(total_cost) as total_cost
    from job_cluster_runs
    group by organization_id, job_id
    having sum(spark_task_runtime_H) / sum(worker_potential_core_H) < {{ var('savings_low_spark_utilisation') }}

)

select
    job_utilisation.organization_id,
    'low_spark_utilisation_job' as finding_type,
    'job' as entity_type,
    cast(job_utilisation.job_id as string) as entity_id,
    job_utilisation.job_name as entity_name,
    format_string(
        '%d task runs kept %.1f%% of their worker cores busy (%.2f of %.2f core hours)',
        job_utilisation.task_runs,
        job_utilisation.spark_utilisation * 100,
        job_utilisation.spark_task_hours,
        job_utilisation.worker_core_hours
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    job_utilisation.total_cost as observed_cost,
    {{ monthly_saving(
        'job_utilisation.worker_cost * (1 - job_utilisation.spark_utilisation / '
        ~ var('savings_low_spark_utilisation') ~ ')',
        'observed_period.observed_from_ms',
        'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from job_utilisation
inner join {{ ref('savings_observed_period') }} as observed_period
    on job_utilisation.organization_id = observed_period.organization_id
