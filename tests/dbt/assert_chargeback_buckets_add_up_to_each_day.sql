{#- Chargeback splits each day's cost without losing or counting any twice: per workspace, day, bucket type
    and tag key, the buckets (the untagged one included) add up to the day's DBUs, list cost and contract cost
    in billable_usage, within a rounding tolerance of 1e-6 relative. -#}
{{ config(severity='error') }}

with

day_totals as (

    select
        organization_id,
        usage_date,
        coalesce(sum(case when usage_unit = 'DBU' then cast(usage_quantity as double) end), 0) as dbus,
        coalesce(sum(list_cost), 0) as list_cost,
        coalesce(sum(contract_cost), 0) as contract_cost
    from {{ ref('billable_usage') }}
    group by organization_id, usage_date

),

bucket_totals as (

    select
        organization_id,
        usage_date,
        bucket_type,
        tag_key,
        coalesce(sum(dbus), 0) as dbus,
        coalesce(sum(list_cost), 0) as list_cost,
        coalesce(sum(contract_cost), 0) as contract_cost
    from {{ ref('chargeback_daily') }}
    group by organization_id, usage_date, bucket_type, tag_key

),

bucket_types as (

    -- Every day of the bill is split by custom tag (a day without tags: one untagged bucket), by budget
    -- policy and by run_as.
    select 'custom_tag' as bucket_type
    union all
    select 'budget_policy' as bucket_type
    union all
    select 'run_as' as bucket_type

),

bucket_types_per_day as (

    select
        day_totals.organization_id,
        day_totals.usage_date,
        bucket_types.bucket_type
    from day_totals
    cross join bucket_types

)

select
    bucket_types_per_day.organization_id,
    bucket_types_per_day.usage_date,
    bucket_types_per_day.bucket_type,
    bucket_totals.tag_key,
    day_totals.dbus as day_dbus,
    bucket_totals.dbus as bucket_dbus,
    day_totals.list_cost as day_list_cost,
    bucket_totals.list_cost as bucket_list_cost,
    day_totals.contract_cost as day_contract_cost,
    bucket_totals.contract_cost as bucket_contract_cost
from bucket_types_per_day
inner join day_totals
    on
        bucket_types_per_day.organization_id = day_totals.organization_id
        and bucket_types_per_day.usage_date = day_totals.usage_date
left join bucket_totals
    on
        bucket_types_per_day.organization_id = bucket_totals.organization_id
        and bucket_types_per_day.usage_date = bucket_totals.usage_date
        and bucket_types_per_day.bucket_type = bucket_totals.bucket_type
where
    bucket_totals.bucket_type is null
    or abs(bucket_totals.dbus - day_totals.dbus) > 1e-6 * greatest(1, abs(day_totals.dbus))
    or abs(bucket_totals.list_cost - day_totals.list_cost) > 1e-6 * greatest(1, abs(day_totals.list_cost))
    or abs(bucket_totals.contract_cost - day_totals.contract_cost) > 1e-6 * greatest(1, abs(day_totals.contract_cost))
