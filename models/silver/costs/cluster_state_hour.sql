{#- Each cluster state cut at clock-hour boundaries: the grain of the bill, so an hour's states can be
    calibrated to what the bill charged for the hour (macro calibrated_state_hours). -#}
{{ state_hour_slices(ref('cluster_state_silver'), ['organization_id', 'cluster_id', 'state_start_ms']) }}
