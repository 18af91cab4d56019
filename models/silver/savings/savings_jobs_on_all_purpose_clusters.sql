{#- Savings rule scheduled_job_on_all_purpose_cluster: scheduled (cron) task runs that ran on all-purpose
    clusters at the interactive price. The saving is their DBUs priced at the automated (jobs compute)
    contract price in force now (the workspace's own, else the account-wide one) instead, scaled to a month; their compute cost is taken as unchanged. -#}
with

scheduled_runs_on_all_purpose as (

    select
        organization_id,
        job_id,
        job_name,
        run_id,
        startEpochMS as run_start_ms,
        total_dbus,
        total_dbu_cost,
        total_cost
    from {{ ref('job_run_cost_potential_fact') }}
    where sku = 'interactive' and run_trigger_type = 'cron' and job_id is not null

),

scheduled_jobs as (

    select
        organization_id,
        job_id,
        max_by(job_name, run_start_ms) as job_name,
        count(*) as task_runs,
        sum(total_dbus) as total_dbus,
        sum(total_dbu_cost) as total_dbu_cost,
        sum(total_cost) as total_cost
    from scheduled_runs_on_all_purpose
    group by organization_id, job_id

),

repriced_jobs as (

    -- The automated price in force now: the workspace's own, else the account-wide one.
    select
        scheduled_jobs.*,
        {{ workspace_price('automated_prices', 'contract_price') }} as automated_price,
        scheduled_jobs.total_dbu_cost
        - scheduled_jobs.total_dbus * {{ workspace_price('automated_prices', 'contract_price') }}
            as dbu_cost_difference
    from scheduled_jobs
    {{ workspace_price_joins(
        ref('dbu_contract_prices'), 'automated_prices', 'scheduled_jobs.organization_id', 'sku', "'automated'",
        'current_timestamp()'
    ) }}

)

select
    repriced_jobs.organization_id,
    'scheduled_job_on_all_purpose_cluster' as finding_type,
    'job' as entity_type,
    cast(repriced_jobs.job_id as string) as entity_id,
    repriced_jobs.job_name as entity_name,
    format_string(
        '%d scheduled runs on all-purpose clusters: %.2f DBUs for %.2f USD; %.2f USD at %.2f USD/DBU (jobs)',
        repriced_jobs.task_runs,
        repriced_jobs.total_dbus,
        repriced_jobs.total_dbu_cost,
        repriced_jobs.total_dbus * repriced_jobs.automated_price,
        repriced_jobs.automated_price
    ) as evidence,
    observed_period.observed_from_ms,
    observed_period.observed_until_ms,
    repriced_jobs.total_cost as observed_cost,
    {{ monthly_saving(
        'repriced_jobs.dbu_cost_difference', 'observed_period.observed_from_ms', 'observed_period.observed_until_ms'
    ) }} as estimated_monthly_saving
from repriced_jobs
inner join {{ ref('savings_observed_period') }} as observed_period
    on repriced_jobs.organization_id = observed_period.organization_id
where repriced_jobs.dbu_cost_difference > 0
