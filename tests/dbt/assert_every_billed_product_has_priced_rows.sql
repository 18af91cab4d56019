{#- Every product in the bronze bill (billing_origin_product, serverless or classic: serverless jobs,
    notebooks and SQL, pipelines, model serving, ...) has usage priced at list price in billable_usage, and
    every record priced at list carries a cost. The products are read from the bronze source, so a product
    the bill gains is checked too; an unpriced product shows here with its records' unpriced reasons. -#}
{{ config(severity='error') }}

with

billed_products as (

    select distinct
        billing_origin_product,
        coalesce(cast(get_json_object(product_features, '$.is_serverless') as boolean), false) as is_serverless
    from {{ source('overwatch_bronze', 'billing_usage_bronze') }}

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
    gold_products.priced_records,
    gold_products.priced_records_without_cost,
    gold_products.unpriced_reasons
from billed_products
left join gold_products
    on
        billed_products.billing_origin_product <=> gold_products.billing_origin_product
        and billed_products.is_serverless = gold_products.is_serverless
where coalesce(gold_products.priced_records, 0) = 0 or gold_products.priced_records_without_cost > 0
