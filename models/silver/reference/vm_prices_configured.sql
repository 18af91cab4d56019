{#- The VM prices (USD per hour by node type) the deployment config sets now, over the seeds' list price:
    account-wide (var `vm_prices`, node type -> price) under organization_id '*', and each workspace's own
    (var `workspace_vm_prices`, organization_id -> node type -> price). Empty when none is set. The snapshot
    `vm_price_history` keeps their history. -#}
{%- set prices = [] %}
{%- for node_type_id, price in var('vm_prices', {}).items() %}
    {%- do prices.append(('*', node_type_id, price)) %}
{%- endfor %}
{%- for organization_id, workspace_prices in var('workspace_vm_prices', {}).items() %}
    {%- for node_type_id, price in workspace_prices.items() %}
        {%- do prices.append((organization_id, node_type_id, price)) %}
    {%- endfor %}
{%- endfor %}

with

configured_prices as (

    -- The first row types the columns and keeps the list non-empty; it is filtered out below.
    select
        organization_id,
        node_type_id,
        cast(vm_price_per_hour as double) as vm_price_per_hour
    from values
        (cast(null as string), cast(null as string), cast(null as double))
        {%- for organization_id, node_type_id, price in prices %},
            ('{{ organization_id }}', '{{ node_type_id }}', {{ price }})
        {%- endfor %}
            as configured (organization_id, node_type_id, vm_price_per_hour)

)

select
    concat(organization_id, '/', node_type_id) as price_key,
    organization_id,
    node_type_id,
    vm_price_per_hour
from configured_prices
where organization_id is not null
