{#- SQL warehouse tags as a map: the API and the audit log hold them as {"custom_tags": [{"key", "value"}]}. -#}
{% macro warehouse_tags_map(tags_json) %}
  map_from_entries(from_json(get_json_object({{ tags_json }}, '$.custom_tags'), 'array<struct<key:string,value:string>>'))
{%- endmacro %}

{#- The billing SKU of a SQL warehouse: serverless, pro (sql_pro) or classic (sql_compute). -#}
{% macro warehouse_sku(enable_serverless_compute, warehouse_type) %}
  case
      when {{ enable_serverless_compute }} then 'serverless'
      when upper({{ warehouse_type }}) = 'PRO' then 'sql_pro'
      else 'sql_compute'
  end
{%- endmacro %}
