{#- VM prices per workspace ('*': account-wide) and node type, set over the seeds' list price, as a type-2
    table. -#}
{{ configured_price_periods('vm_price_history', 'node_type_id', 'vm_price_per_hour') }}
