{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=state_hour_partitioning(),
    pre_hook=["{{ delete_warehouse_state_hours_to_recompute() }}"],
) }}

{#- Each running SQL warehouse state cut at clock-hour boundaries: the grain of the bill, so an hour's states
    can be calibrated to what the bill charged for the hour (macro calibrated_state_hours). A state of a
    warehouse not running (stopped) is estimated at no DBUs and no cost, which no calibration changes, so it
    has no hours: a stopped warehouse's last state stays open, and its hours would grow with every day of
    history.
    Incremental like warehouse_state_fact: a run cuts again the states warehouse_state_silver may have
    re-merged (those ending from this table's window start on, macro warehouse_state_hours_recompute_from_ms),
    after its pre-hook deleted their hours. Partitioned by the day of the state end, where an open state's
    hours stay while it runs, so that the delete prunes to the recent and the open states, then by the day of
    the hour, so that readers of an hour window prune too (locally). -#}
{%- set recompute_from_ms = warehouse_state_hours_recompute_from_ms() %}
{{ state_hour_slices(
    ref('warehouse_state_silver'), ['organization_id', 'warehouse_id', 'state_start_ms', 'state'], 'is_running',
    none if recompute_from_ms is none else 'state_end_ms >= ' ~ recompute_from_ms ~ ' - 1'
) }}
