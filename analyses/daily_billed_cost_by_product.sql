-- The bill per UTC day, workspace and product (jobs, all-purpose, SQL, DLT, model serving, ... and
-- whether serverless), at contract price, corrections netted: every product Databricks bills,
-- serverless included, as system.billing.usage records it.
select
    usage_date,
    organization_id,
    max(workspace_name) as workspace_name,
    concat(billing_origin_product, if(is_serverless, ' (serverless)', '')) as product,
    sum(usage_quantity) as dbus,
    sum(list_cost) as list_cost,
    sum(contract_cost) as contract_cost
from {{ ref('billable_usage_presentation') }}
group by usage_date, organization_id, concat(billing_origin_product, if(is_serverless, ' (serverless)', ''))
order by usage_date asc, contract_cost desc
