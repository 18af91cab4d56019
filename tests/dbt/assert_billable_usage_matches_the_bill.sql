{#- billable_usage nets corrections without losing or inventing usage: per workspace, day and SKU its
    quantity equals the plain sum of every record in the bronze bill (ORIGINAL, RETRACTION and RESTATEMENT
    alike, which is what netting means), exactly. Computed from the bronze source, not from the models. -#}
{{ config(severity='error') }}

with

bill_totals as (

    select
        organization_id,
        usage_date,
        sku_name,
        sum(usage_quantity) as bill_quantity
    from {{ source('overwatch_bronze', 'billing_usage_bronze') }}
    group by organization_id, usage_date, sku_name

),

gold_totals as (

    select
        organization_id,
        usage_date,
        sku_name,
        sum(usage_quantity) as gold_quantity
    from {{ ref('billable_usage') }}
    group by organization_id, usage_date, sku_name

)

select
    coalesce(bill_totals.organization_id, gold_totals.organization_id) as organization_id,
    coalesce(bill_totals.usage_date, gold_totals.usage_date) as usage_date,
    coalesce(bill_totals.sku_name, gold_totals.sku_name) as sku_name,
    bill_totals.bill_quantity,
    gold_totals.gold_quantity
from bill_totals
full outer join gold_totals
    on
        bill_totals.organization_id = gold_totals.organization_id
        and bill_totals.usage_date = gold_totals.usage_date
        and bill_totals.sku_name = gold_totals.sku_name
where not (bill_totals.bill_quantity <=> gold_totals.gold_quantity)
