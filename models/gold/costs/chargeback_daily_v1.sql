{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'usage_date', 'bucket_type', 'tag_key', 'tag_value', 'run_as'],
        partition_by=date_partitioning('usage_date'),
        on_schema_change='fail',
        merge_window_column='usage_date',
        pre_hook="{{ delete_window_days('usage_date') }}",
    )
}}

{#- Chargeback: the bill's cost per day and workspace split into buckets, several ways (bucket_type):
    - custom_tag: per tag key seen that day in the workspace, one bucket per value and an untagged bucket for
      usage without the key (a day with no tags at all has one untagged bucket with a null tag_key);
    - budget_policy: per serverless budget policy, untagged for usage without one;
    - run_as: per identity the usage ran as, untagged for usage without one.
    Every usage record falls in exactly one bucket per bucket type and tag key, so those buckets add up to
    the day's total (tests/dbt/assert_chargeback_buckets_add_up_to_each_day.sql).
    Incremental: a run recomputes whole days, from the newest usage date less the look-back (macro
    incremental_window_start) on: its pre-hook first deletes those days (macro delete_window_days), so a
    bucket the run no longer produces (a restatement changed the usage's tags) disappears, and the merge
    then inserts the days' buckets into their partitions. -#}
{%- set window_start = incremental_window_start('usage_date') -%}
with

usage_costs as (

    select
        organization_id,
        usage_date,
        custom_tags,
        budget_policy_id,
        run_as,
        case when usage_unit = 'DBU' then usage_quantity end as dbus,
        list_cost,
        contract_cost
    from {{ ref('billable_usage') }}
    {%- if window_start %}
    where usage_date >= {{ window_start }}
    {%- endif %}

),

workspace_days as (

    select distinct
        organization_id,
        usage_date
    from usage_costs

),

tag_keys_seen as (

    select distinct
        organization_id,
        usage_date,
        explode(map_keys(custom_tags)) as tag_key
    from usage_costs

),

day_tag_keys as (

    select
        workspace_days.organization_id,
        workspace_days.usage_date,
        tag_keys_seen.tag_key
    from workspace_days
    left join tag_keys_seen
        on
            workspace_days.organization_id = tag_keys_seen.organization_id
            and workspace_days.usage_date = tag_keys_seen.usage_date

),

custom_tag_buckets as (

    select
        usage_costs.organization_id,
        usage_costs.usage_date,
        'custom_tag' as bucket_type,
        day_tag_keys.tag_key,
        try_element_at(usage_costs.custom_tags, day_tag_keys.tag_key) as tag_value,
        cast(null as string) as run_as,
        usage_costs.dbus,
        usage_costs.list_cost,
        usage_costs.contract_cost
    from usage_costs
    inner join day_tag_keys
        on
            usage_costs.organization_id = day_tag_keys.organization_id
            and usage_costs.usage_date = day_tag_keys.usage_date

),

budget_policy_buckets as (

    select
        organization_id,
        usage_date,
        'budget_policy' as bucket_type,
        'budget_policy_id' as tag_key,
        budget_policy_id as tag_value,
        cast(null as string) as run_as,
        dbus,
        list_cost,
        contract_cost
    from usage_costs

),

run_as_buckets as (

    select
        organization_id,
        usage_date,
        'run_as' as bucket_type,
        'run_as' as tag_key,
        cast(null as string) as tag_value,
        run_as,
        dbus,
        list_cost,
        contract_cost
    from usage_costs

),

bucketed_usage as (

    select * from custom_tag_buckets
    union all
    select * from budget_policy_buckets
    union all
    select * from run_as_buckets

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    usage_date,
    bucket_type,
    tag_key,
    tag_value,
    run_as,
    coalesce(tag_value, run_as) is null as is_untagged,
    count(*) as usage_records,
    cast(sum(dbus) as double) as dbus,
    sum(list_cost) as list_cost,
    sum(contract_cost) as contract_cost
from bucketed_usage
group by organization_id, usage_date, bucket_type, tag_key, tag_value, run_as
