{#- Each running SQL warehouse state cut at clock-hour boundaries: the grain of the bill, so an hour's states
    can be calibrated to what the bill charged for the hour (macro calibrated_state_hours). A state of a
    warehouse not running (stopped) is estimated at no DBUs and no cost, which no calibration changes, so it
    has no hours: a stopped warehouse's last state stays open, and its hours would grow with every day of
    history. Partitioned by the day of the hour (locally), so that incremental readers prune to their
    window's hours. -#}
{{ config(partition_by=timestamp_day_partitioning('hour_start')) }}
{{ state_hour_slices(
    ref('warehouse_state_silver'), ['organization_id', 'warehouse_id', 'state_start_ms', 'state'], 'is_running'
) }}
