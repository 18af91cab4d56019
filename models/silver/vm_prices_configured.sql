{#- The VM prices (USD per hour by node type) the deployment config sets now, over the seeds' list price:
    account-wide (var `vm_prices`, node type -> price) under organization_id '*', and each workspace's own
    (var `workspace_vm_prices`, organization_id -> node type -> price). Empty when none is set. The snapshot
    `vm_price_history` keeps their history. -#}
{%- set prices_by_scope = {'*': var('vm_prices', {})} %}
{%- do prices_by_scope.update(var('workspace_vm_prices', {})) %}

with

configured_prices as (

    select
        cast(null as string) as organization_id,
        cast(null as string) as node_type_id,
        cast(null as double) as vm_price_per_hour
    where false
    {%- for organization_id, prices in prices_by_scope.items() %}
    {%- for node_type_id, price in prices.items() %}
    union all
    select
        '{{ organization_id }}' as organization_id,
        '{{ node_type_id }}' as node_type_id,
        {{ price }} as vm_price_per_hour
    {%- endfor %}
    {%- endfor %}

)

select
    concat(organization_id, '/', node_type_id) as price_key,
    organization_id,
    node_type_id,
    cast(vm_price_per_hour as double) as vm_price_per_hour
from configured_prices
