{#- The DBU contract prices the deployment config sets now, one row per workspace and SKU: the account-wide
    prices (var `dbu_contract_prices`, sku -> USD per DBU) under organization_id '*', and each workspace's own
    (var `workspace_dbu_contract_prices`, organization_id -> sku -> USD per DBU) for the SKUs it sets. The
    snapshot `dbu_contract_price_history` keeps their history. -#}
{%- set skus = ['interactive', 'automated', 'jobs_light', 'sql_compute', 'serverless', 'sql_pro'] %}
{%- set account_prices = var('dbu_contract_prices') %}
{%- set workspace_prices = var('workspace_dbu_contract_prices', {}) %}

with

configured_prices as (

    {%- for sku in skus %}
    select
        '*' as organization_id,
        '{{ sku }}' as sku,
        {# sql_pro: configs written before the SKU was priced get its list price. #}
        {{ account_prices.get(sku, 0.55) if sku == 'sql_pro' else account_prices[sku] }} as contract_price
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- for organization_id, prices in workspace_prices.items() %}
    {%- for sku, price in prices.items() %}
    union all
    select
        '{{ organization_id }}' as organization_id,
        '{{ sku }}' as sku,
        {{ price }} as contract_price
    {%- endfor %}
    {%- endfor %}

)

select
    concat(organization_id, '/', sku) as price_key,
    organization_id,
    sku,
    cast(contract_price as double) as contract_price
from configured_prices
