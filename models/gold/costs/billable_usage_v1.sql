{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['usage_record_key'],
        on_schema_change='fail',
        partition_by=date_partitioning('usage_date'),
        merge_window_column='usage_date',
    )
}}

{#- The bill in gold: one row per usage record (corrections netted, billing_usage_silver), priced at the list
    price in force at the usage start (stg_billing__list_prices, type-2 by price_start_time/price_end_time)
    and at the deployment's contract price of its contract SKU (dbu_contract_prices, type-2 by active_from/
    active_until; the workspace's own price, else the account-wide one); a SKU the contract does not cover (macro billing_contract_sku) is priced at its list price
    there, and contract_price_source says which. The contract price join is made here only: the facts
    built on the bill read their prices from this model. A record whose SKU has no list price, or none at the usage start, lands with a
    null price and cost, is_priced false and the reason, never a cost of 0.
    Incremental: a run re-prices the netted bill from the newest usage date less the look-back (macro
    incremental_window_start) and merges into those days' partitions only. -#}
{%- set window_start = incremental_window_start('usage_date') -%}
{%- set far_future = "cast('9999-12-31 00:00:00' as timestamp)" -%}

with

usage_records as (

    select
        organization_id,
        usage_record_key,
        record_id,
        account_id,
        workspace_id,
        sku_name,
        contract_sku,
        cloud,
        usage_start_time,
        usage_end_time,
        usage_date,
        custom_tags,
        usage_unit,
        usage_quantity,
        record_count,
        correction_count,
        billing_origin_product,
        usage_type,
        is_serverless,
        is_photon,
        cluster_id,
        warehouse_id,
        instance_pool_id,
        node_type,
        cast(job_id as bigint) as job_id,
        cast(job_run_id as bigint) as job_run_id,
        job_name,
        notebook_id,
        notebook_path,
        dlt_pipeline_id,
        dlt_update_id,
        endpoint_name,
        endpoint_id,
        budget_policy_id,
        run_as,
        owned_by,
        created_by
    from {{ ref('billing_usage_silver') }}
    {%- if window_start %}
    where usage_date >= {{ window_start }}
    {%- endif %}

),

list_price_periods as (

    select
        account_id,
        sku_name,
        cloud,
        usage_unit,
        currency_code,
        price_start_time,
        coalesce(price_end_time, {{ far_future }}) as price_end_time,
        cast(list_price as double) as list_price
    from {{ ref('stg_billing__list_prices') }}
    where currency_code = 'USD'

),

priced_skus as (

    select distinct
        sku_name,
        cloud,
        usage_unit
    from list_price_periods

),

list_price_candidates as (

    -- The price in force at the usage start; the bill's own account first, should prices of several
    -- accounts be loaded.
    select
        usage_records.usage_record_key,
        list_price_periods.currency_code,
        list_price_periods.list_price,
        row_number() over (
            partition by usage_records.usage_record_key
            order by
                case when list_price_periods.account_id = usage_records.account_id then 0 else 1 end,
                list_price_periods.price_start_time desc
        ) as price_rank
    from usage_records
    inner join list_price_periods
        on
            usage_records.sku_name = list_price_periods.sku_name
            and usage_records.cloud = list_price_periods.cloud
            and usage_records.usage_unit = list_price_periods.usage_unit
            and usage_records.usage_start_time >= list_price_periods.price_start_time
            and usage_records.usage_start_time < list_price_periods.price_end_time

),

list_prices_at_usage as (

    select
        usage_record_key,
        currency_code,
        list_price
    from list_price_candidates
    where price_rank = 1

),

contract_prices as (

    select
        organization_id,
        sku,
        contract_price,
        active_from,
        active_until
    from {{ ref('dbu_contract_prices') }}

),

priced_usage as (

    select
        usage_records.*,
        list_prices_at_usage.currency_code,
        list_prices_at_usage.list_price,
        {{ workspace_price('contract_price', 'contract_price') }} as configured_contract_price,
        priced_skus.sku_name is not null as is_sku_known
    from usage_records
    left join list_prices_at_usage
        on usage_records.usage_record_key = list_prices_at_usage.usage_record_key
    left join priced_skus
        on
            usage_records.sku_name = priced_skus.sku_name
            and usage_records.cloud = priced_skus.cloud
            and usage_records.usage_unit = priced_skus.usage_unit
    {{ workspace_price_joins(
        'contract_prices', 'contract_price', 'usage_records.organization_id', 'sku',
        "case when usage_records.usage_unit = 'DBU' then usage_records.contract_sku end",
        'usage_records.usage_start_time'
    ) }}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    workspace_id,
    account_id,
    usage_record_key,
    record_id,
    usage_date,
    usage_start_time,
    usage_end_time,
    cloud,
    sku_name,
    contract_sku,
    billing_origin_product,
    usage_type,
    is_serverless,
    is_photon,
    usage_unit,
    usage_quantity,
    record_count,
    correction_count,
    custom_tags,
    cluster_id,
    warehouse_id,
    instance_pool_id,
    node_type,
    job_id,
    job_run_id,
    job_name,
    notebook_id,
    notebook_path,
    dlt_pipeline_id,
    dlt_update_id,
    endpoint_name,
    endpoint_id,
    budget_policy_id,
    run_as,
    owned_by,
    created_by,
    currency_code,
    list_price,
    cast(usage_quantity as double) * list_price as list_cost,
    coalesce(configured_contract_price, list_price) as contract_price,
    case
        when configured_contract_price is not null then 'contract'
        when list_price is not null then 'list_price'
    end as contract_price_source,
    cast(usage_quantity as double) * coalesce(configured_contract_price, list_price) as contract_cost,
    list_price is not null as is_priced,
    case
        when list_price is not null then cast(null as string)
        when not is_sku_known then 'unknown_sku'
        else 'no_list_price_at_usage_time'
    end as unpriced_reason
from priced_usage
