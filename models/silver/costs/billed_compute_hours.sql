{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'compute_kind', 'compute_id', 'hour_start'],
        partition_by=date_partitioning('usage_date', ['bucket(16, compute_id)']),
        merge_window_column='usage_date',
    )
}}

{#- What the bill (system.billing.usage) charged per cluster or SQL warehouse and clock hour: DBUs netted
    over ORIGINAL, RETRACTION and RESTATEMENT records (a retraction is negative), and their cost at the
    contract price of each SKU billed as of the hour (the workspace's own, else the account-wide one).
    Incremental: a run recomputes the hours of the usage dates from the newest one less the look-back (macro
    incremental_window_start) on and merges into those days' partitions only; an hour lies in one usage date
    (the date of its records' usage start), so a recomputed hour has all its records. Locally each day is split
    into 16 buckets of compute id: a cluster state running for weeks has its own cluster's bill read back to
    its start, not every cluster's (macro billed_hours_to_read). -#}
{%- set window_start = incremental_window_start('usage_date') -%}

with

compute_usage as (

    select
        organization_id,
        case when warehouse_id is not null then 'warehouse' else 'cluster' end as compute_kind,
        coalesce(warehouse_id, cluster_id) as compute_id,
        usage_date,
        date_trunc('HOUR', usage_start_time) as hour_start,
        sku_name,
        {{ contract_sku_of_billing_sku('sku_name') }} as contract_sku,
        cast(usage_quantity as double) as usage_dbus
    from {{ ref('stg_billing__usage') }}
    where
        usage_unit = 'DBU'
        and coalesce(warehouse_id, cluster_id) is not null
    {% if window_start %}
        and usage_date >= {{ window_start }}
    {% endif %}

),

priced_usage as (

    select
        compute_usage.organization_id,
        compute_usage.compute_kind,
        compute_usage.compute_id,
        compute_usage.usage_date,
        compute_usage.hour_start,
        compute_usage.sku_name,
        compute_usage.usage_dbus,
        compute_usage.usage_dbus * {{ workspace_price('contract', 'contract_price') }} as usage_dbu_cost
    from compute_usage
    {{- workspace_price_joins(
        ref('dbu_contract_prices'), 'contract', 'compute_usage.organization_id', 'sku',
        'compute_usage.contract_sku', 'compute_usage.hour_start'
    ) }}

)

select
    organization_id,
    compute_kind,
    compute_id,
    usage_date,
    hour_start,
    sum(usage_dbus) as billed_dbus,
    -- A SKU the contract does not price leaves the hour's cost unknown, not understated.
    if(count(usage_dbu_cost) = count(*), sum(usage_dbu_cost), null) as billed_dbu_cost,
    array_sort(collect_set(sku_name)) as sku_names,
    cast(count(*) as int) as billing_records
from priced_usage
group by organization_id, compute_kind, compute_id, usage_date, hour_start
