{#- The DBU contract prices the deployment config sets now, one row per workspace and SKU: the account-wide
    prices (var `dbu_contract_prices`, sku -> USD per DBU) under organization_id '*', and each workspace's own
    (var `workspace_dbu_contract_prices`, organization_id -> sku -> USD per DBU) for the SKUs it sets. The
    snapshot `dbu_contract_price_history` keeps their history. -#}
{%- set account_prices = var('dbu_contract_prices') %}
{#- sql_pro: configs written before the SKU was priced get its list price. #}
{%- set prices = [
    ('*', 'interactive', account_prices['interactive']),
    ('*', 'automated', account_prices['automated']),
    ('*', 'jobs_light', account_prices['jobs_light']),
    ('*', 'sql_compute', account_prices['sql_compute']),
    ('*', 'serverless', account_prices['serverless']),
    ('*', 'sql_pro', account_prices.get('sql_pro', 0.55)),
] %}
{%- for organization_id, workspace_prices in var('workspace_dbu_contract_prices', {}).items() %}
    {%- for sku, price in workspace_prices.items() %}
        {%- do prices.append((organization_id, sku, price)) %}
    {%- endfor %}
{%- endfor %}

with

configured_prices as (

    select
        organization_id,
        sku,
        cast(contract_price as double) as contract_price
    from values
        {%- for organization_id, sku, price in prices %}
            ('{{ organization_id }}', '{{ sku }}', {{ price }}){{ ',' if not loop.last }}
        {%- endfor %}
            as configured (organization_id, sku, contract_price)

)

select
    concat(organization_id, '/', sku) as price_key,
    organization_id,
    sku,
    contract_price
from configured_prices
