{#- Databricks list prices, one row per price period of a SKU, with the pricing JSON parsed once. A period
    still in force has no price_end_time. -#}
with

price_periods as (

    select
        organization_id,
        account_id,
        price_start_time,
        price_end_time,
        sku_name,
        cloud,
        currency_code,
        usage_unit,
        pricing
    from {{ source('overwatch_bronze', 'list_prices_bronze') }}

)

select
    organization_id,
    account_id,
    price_start_time,
    price_end_time,
    sku_name,
    cloud,
    currency_code,
    usage_unit,
    cast(get_json_object(pricing, '$.default') as decimal(38, 18)) as list_price,
    cast(
        coalesce(get_json_object(pricing, '$.effective_list.default'), get_json_object(pricing, '$.default'))
        as decimal(38, 18)
    ) as effective_list_price,
    cast(get_json_object(pricing, '$.promotional.default') as decimal(38, 18)) as promotional_price
from price_periods
