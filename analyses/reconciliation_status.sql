-- Reconciliation status per UTC day: the DBUs the cost engine estimated for classic clusters
-- (cluster_cost_daily) against the DBUs the bill charged for them (billableUsage rows with a cluster),
-- and the share of the estimate the bill confirms. A gap means lost cluster events, node types missing
-- from the catalog or a bill that has not arrived yet.
with

estimated as (

    select
        usage_date,
        sum(total_dbus) as estimated_dbus
    from {{ ref('cluster_cost_daily_presentation') }}
    group by usage_date

),

billed as (

    select
        usage_date,
        sum(usage_quantity) as billed_dbus
    from {{ ref('billable_usage_presentation') }}
    where cluster_id is not null and usage_unit = 'DBU'
    group by usage_date

)

select
    coalesce(estimated.usage_date, billed.usage_date) as usage_date,
    estimated.estimated_dbus,
    billed.billed_dbus,
    billed.billed_dbus - estimated.estimated_dbus as difference_dbus,
    round(100 * (billed.billed_dbus - estimated.estimated_dbus) / billed.billed_dbus, 3) as difference_pct
from estimated
full outer join billed on estimated.usage_date = billed.usage_date
order by usage_date
