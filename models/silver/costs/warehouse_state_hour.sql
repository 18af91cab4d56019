{#- Each SQL warehouse state cut at clock-hour boundaries: the grain of the bill, so an hour's states can
    be calibrated to what the bill charged for the hour (macro calibrated_state_hours). -#}
{{ state_hour_slices(
    ref('warehouse_state_silver'), ['organization_id', 'warehouse_id', 'state_start_ms', 'state']
) }}
