{#- Contract prices as a type-2 table. The first version of each SKU stands for all time before it was first
    seen (active from 1970-01-01), so history loaded on a first run is priced. -#}
with

price_versions as (

    select
        sku,
        contract_price,
        dbt_valid_from,
        dbt_valid_to,
        row_number() over (partition by sku order by dbt_valid_from) as version_number
    from {{ ref('dbu_contract_price_history') }}

)

select
    sku,
    contract_price,
    case
        when version_number = 1 then cast('1970-01-01 00:00:00' as timestamp)
        else dbt_valid_from
    end as active_from,
    dbt_valid_to as active_until,
    dbt_valid_to is null as is_active
from price_versions
