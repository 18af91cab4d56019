{#- Counts in = counts out: every record of the bronze bill is in billable_usage, as a usage record or as one
    of the corrections netted into one (record_count per row), per workspace. -#}
{{ config(severity='error') }}

with

bill_records as (

    select
        organization_id,
        count(*) as bill_record_count
    from {{ source('overwatch_bronze', 'billing_usage_bronze') }}
    group by organization_id

),

gold_records as (

    select
        organization_id,
        sum(record_count) as gold_record_count
    from {{ ref('billable_usage') }}
    group by organization_id

)

select
    coalesce(bill_records.organization_id, gold_records.organization_id) as organization_id,
    bill_records.bill_record_count,
    gold_records.gold_record_count
from bill_records
full outer join gold_records
    on bill_records.organization_id = gold_records.organization_id
where not (bill_records.bill_record_count <=> gold_records.gold_record_count)
