{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'job_run_id'],
) }}

{#- What the bill (billable_usage) charged per job run: every usage record that names the run
    (usage_metadata.job_run_id), serverless and classic job compute alike, priced at list and contract price.
    Incremental like pipeline_update_cost: a run sums again the job runs billed from the look-back window on
    (var lookback_days, back from the newest usage date this table holds: billable_usage re-prices no earlier
    day), reading their usage from the first usage date of the earliest of them (macro
    rows_of_recomputed_keys). -#}
{%- set window_start = none -%}
{%- if is_incremental() and execute and model.resource_type == 'model' -%}
    {%- set window_start = incremental_window_start('last_usage_date') -%}
{%- endif %}
with

run_usage as (

    select
        organization_id,
        job_id,
        job_run_id,
        job_name,
        usage_date,
        is_serverless,
        is_priced,
        case when usage_unit = 'DBU' then usage_quantity end as dbus,
        list_cost,
        contract_cost
    from {{ ref('billable_usage') }}
    where job_run_id is not null
    {%- if window_start is not none %}
        and {{ rows_of_recomputed_keys(
            ref('billable_usage'), 'usage_date', window_start, ['organization_id', 'job_run_id'], 'run_start_date',
            'job_run_id is not null'
        ) }}
    {%- endif %}

)

select
    organization_id,
    job_run_id,
    max(job_id) as job_id,
    max(job_name) as job_name,
    min(usage_date) as run_start_date,
    max(usage_date) as last_usage_date,
    cast(sum(case when is_serverless then dbus end) as double) as serverless_dbus,
    sum(case when is_serverless then list_cost end) as serverless_list_cost,
    sum(case when is_serverless then contract_cost end) as serverless_contract_cost,
    cast(sum(dbus) as double) as billed_dbus,
    sum(list_cost) as billed_list_cost,
    sum(contract_cost) as billed_contract_cost,
    bool_and(is_priced) as is_bill_priced
from run_usage
group by organization_id, job_run_id
