{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'dlt_pipeline_id', 'dlt_update_id'],
    on_schema_change='fail',
) }}

{#- Cost per Lakeflow Declarative (DLT) pipeline update, from the bill: every usage record whose
    usage_metadata names the update (serverless and classic pipeline compute alike), priced at list and
    contract price in billable_usage. Maintenance runs name no update and are not in it.
    Incremental: a run sums again the updates billed from the look-back window on (var lookback_days, back
    from the newest usage this table holds: billable_usage re-prices no earlier day), reading their usage
    from the first day of the earliest of them (macro rows_of_recomputed_keys). -#}
{%- set update_key = ['organization_id', 'dlt_pipeline_id', 'dlt_update_id'] -%}
{%- set window_start = none -%}
{%- if is_incremental() and execute and model.resource_type == 'model' -%}
    {#- A record's end can fall on the day after its usage date: one day more. -#}
    {%- set window_start = incremental_window_start('last_usage_time', var('lookback_days') + 1) -%}
{%- endif %}
with

update_usage as (

    select
        organization_id,
        dlt_pipeline_id,
        dlt_update_id,
        usage_start_time,
        usage_end_time,
        usage_date,
        sku_name,
        is_serverless,
        is_priced,
        case when usage_unit = 'DBU' then usage_quantity end as dbus,
        list_cost,
        contract_cost
    from {{ ref('billable_usage') }}
    where dlt_update_id is not null
    {%- if window_start is not none %}
        and {{ rows_of_recomputed_keys(
            ref('billable_usage'), 'usage_date', window_start, update_key, 'update_start_date',
            'dlt_update_id is not null'
        ) }}
    {%- endif %}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    dlt_pipeline_id,
    dlt_update_id,
    min(usage_start_time) as first_usage_time,
    max(usage_end_time) as last_usage_time,
    min(usage_date) as update_start_date,
    array_sort(collect_set(sku_name)) as sku_names,
    bool_or(is_serverless) as is_serverless,
    count(*) as usage_records,
    cast(sum(dbus) as double) as dbus,
    sum(list_cost) as list_cost,
    sum(contract_cost) as contract_cost,
    bool_and(is_priced) as is_priced
from update_usage
group by organization_id, dlt_pipeline_id, dlt_update_id
