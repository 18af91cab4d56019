{#- The Overwatch contract SKU (the keys of the `dbu_contract_prices` var: interactive, automated, jobs_light,
    sql_compute, sql_pro, serverless) that a Databricks bill SKU name is priced at. Serverless SKUs of every
    product (jobs, notebooks, SQL, pipelines, model serving) share the serverless price; a SKU with no contract
    counterpart (DLT on classic compute, storage, networking, ...) maps to null, so its contract price is null,
    never a guess. Tested by the billable_usage unit tests. -#}
{% macro billing_contract_sku(sku_name_column) -%}
    case
        when upper({{ sku_name_column }}) like '%SERVERLESS%' then 'serverless'
        when upper({{ sku_name_column }}) like '%JOBS_LIGHT%' then 'jobs_light'
        when upper({{ sku_name_column }}) like '%JOBS_COMPUTE%' then 'automated'
        when upper({{ sku_name_column }}) like '%ALL_PURPOSE_COMPUTE%' then 'interactive'
        when upper({{ sku_name_column }}) like '%SQL_PRO_COMPUTE%' then 'sql_pro'
        when upper({{ sku_name_column }}) like '%SQL_COMPUTE%' then 'sql_compute'
    end
{%- endmacro %}
