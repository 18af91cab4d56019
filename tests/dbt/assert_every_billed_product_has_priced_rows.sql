{#- Every product in the bronze bill (billing_origin_product, serverless or classic: serverless jobs,
    notebooks and SQL, pipelines, model serving, ...) has usage priced at list price in billable_usage, and
    every record priced at list carries a cost. Products and prices are read from the bronze sources, so a
    product the bill gains is checked too. A SKU that list_prices lacks altogether cannot be priced: its
    records must land unpriced and flagged unknown_sku instead. -#}
{{ config(severity='error') }}

with

listed_skus as (

    select distinct
        sku_name,
        cloud,
        usage_unit
    from {{ source('overwatch_bronze', 'list_prices_bronze') }}

),

billed_records as (

    select
        bill.billing_origin_product,
        coalesce(cast(get_json_object(bill.product_features, '$.is_serverless') as boolean), false) as is_serverless,
        listed_skus.sku_name is not null as is_sku_listed
    from {{ source('overwatch_bronze', 'billing_usage_bronze') }} as bill
    left join listed_skus
        on
            bill.sku_name = listed_skus.sku_name
            and bill.cloud = listed_skus.cloud
            and bill.usage_unit = listed_skus.usage_unit

),

billed_products as (

    select
        billing_origin_product,
        is_serverless,
        bool_or(is_sku_listed) as has_listed_sku
    from billed_records
    group by billing_origin_product, is_serverless

),

gold_products as (

    select
        billing_origin_product,
        is_serverless,
        count_if(is_priced) as priced_records,
        count_if(is_priced and list_cost is null) as priced_records_without_cost,
        array_sort(collect_set(unpriced_reason)) as unpriced_reasons
    from {{ ref('billable_usage') }}
    group by billing_origin_product, is_serverless

)

select
    billed_products.billing_origin_product,
    billed_products.is_serverless,
    billed_products.has_listed_sku,
    gold_products.priced_records,
    gold_products.priced_records_without_cost,
    gold_products.unpriced_reasons
from billed_products
left join gold_products
    on
        billed_products.billing_origin_product <=> gold_products.billing_origin_product
        and billed_products.is_serverless = gold_products.is_serverless
where
    gold_products.is_serverless is null
    or (billed_products.has_listed_sku and gold_products.priced_records = 0)
    or (not billed_products.has_listed_sku and gold_products.priced_records > 0)
    or gold_products.priced_records_without_cost > 0
