{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=state_hour_partitioning(),
    pre_hook=["{{ delete_cluster_state_facts_to_recompute(
        ref('cluster_state_silver'), 'state_start_ms', 'state_end_ms'
    ) }}"],
) }}

{#- Each running cluster state cut at clock-hour boundaries: the grain of the bill, so an hour's states can be
    calibrated to what the bill charged for the hour (macro calibrated_state_hours). A state of a cluster
    not running (terminated, terminating) is estimated at no DBUs and no cost, which no calibration changes,
    so it has no hours: a terminated cluster's last state stays open for good, and its hours would grow with
    every day of history.
    Incremental like cluster_state_fact: a run cuts again the states cluster_state_silver may have changed
    (macro cluster_state_facts_to_recompute, from this table's checkpoint), after its pre-hook deleted their
    hours; every hour of an open state changes its share of the state's uptime. Partitioned by the day of the
    state end, where an open state's hours stay while it runs, so that the delete prunes to the recent and the
    open states, then by the day of the hour, so that readers of an hour window prune too (locally). -#}
-- depends_on: {{ ref('cluster_state_silver') }}
{{ state_hour_slices(
    ref('cluster_state_silver'), ['organization_id', 'cluster_id', 'state_start_ms'], 'is_running',
    cluster_state_facts_this_run_recomputes('state_start_ms', 'state_end_ms')
) }}
