-- Every cluster-day's computed DBUs are within 0.5% of the reference usage (issue #3): a cluster-day
-- missing on either side, with unknown node types, or more than 0.5% off fails.
{{ config(severity='error') }}

select
    organization_id,
    cluster_id,
    usage_date,
    computed_dbus,
    reference_dbus,
    dbu_difference,
    dbu_difference_pct
from {{ ref('cluster_cost_reconciliation') }}
where
    computed_dbus is null
    or reference_dbus is null
    or reference_dbus = 0
    or abs(dbu_difference_pct) > 0.5
