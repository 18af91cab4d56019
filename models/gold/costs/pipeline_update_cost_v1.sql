{#- Cost per Lakeflow Declarative (DLT) pipeline update, from the bill: every usage record whose
    usage_metadata names the update (serverless and classic pipeline compute alike), priced at list and
    contract price in billable_usage. Maintenance runs name no update and are not in it. -#}
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
