{#- Contract prices per workspace ('*': account-wide) and SKU as a type-2 table. -#}
{{ configured_price_periods('dbu_contract_price_history', 'sku', 'contract_price') }}
