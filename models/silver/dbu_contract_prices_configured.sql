{#- The DBU contract prices the deployment config sets now (var `dbu_contract_prices`, sku -> USD per DBU),
    one row per SKU. The snapshot `dbu_contract_price_history` keeps their history. -#}
{%- set prices = var('dbu_contract_prices') %}

with

configured_prices as (

    select
        'interactive' as sku,
        {{ prices['interactive'] }} as contract_price
    union all
    select
        'automated' as sku,
        {{ prices['automated'] }} as contract_price
    union all
    select
        'jobs_light' as sku,
        {{ prices['jobs_light'] }} as contract_price
    union all
    select
        'sql_compute' as sku,
        {{ prices['sql_compute'] }} as contract_price
    union all
    select
        'serverless' as sku,
        {{ prices['serverless'] }} as contract_price
    union all
    select
        'sql_pro' as sku,
        {{ prices.get('sql_pro', 0.55) }} as contract_price

)

select
    sku,
    cast(contract_price as double) as contract_price
from configured_prices
