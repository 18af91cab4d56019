{#- The Overwatch contract SKU (a key of the `dbu_contract_prices` var: interactive, automated, jobs_light,
    sql_compute, sql_pro, serverless) that a Databricks bill SKU name is priced at. `serverless` is the
    serverless SQL warehouse price, as for warehouseStateFact (macro warehouse_sku); the other serverless
    products (jobs, notebooks, pipelines, model serving, ...) and SKUs with no contract counterpart (DLT on
    classic compute, storage, networking) map to null, and billable_usage prices them at list price
    (contract_price_source = 'list_price'). Tested by the billing_usage_silver unit test. -#}
{% macro billing_contract_sku(sku_name_column) -%}
    case
        when upper({{ sku_name_column }}) like '%SERVERLESS_SQL%' then 'serverless'
        when upper({{ sku_name_column }}) like '%SERVERLESS%' then cast(null as string)
        when upper({{ sku_name_column }}) like '%JOBS_LIGHT%' then 'jobs_light'
        when upper({{ sku_name_column }}) like '%JOBS_COMPUTE%' then 'automated'
        when upper({{ sku_name_column }}) like '%ALL_PURPOSE_COMPUTE%' then 'interactive'
        when upper({{ sku_name_column }}) like '%SQL_PRO_COMPUTE%' then 'sql_pro'
        when upper({{ sku_name_column }}) like '%SQL_COMPUTE%' then 'sql_compute'
    end
{%- endmacro %}
