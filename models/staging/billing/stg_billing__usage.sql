{#- system.billing.usage renamed, cast and its JSON parsed once: one row per billing record. Netting
    retractions and restatements is a sum of usage_quantity over the records of the same usage. -#}
with

usage_records as (

    select
        organization_id,
        record_id,
        account_id,
        workspace_id,
        sku_name,
        cloud,
        usage_start_time,
        usage_end_time,
        usage_date,
        custom_tags,
        usage_unit,
        usage_quantity,
        record_type,
        ingestion_date,
        billing_origin_product,
        usage_type,
        usage_metadata,
        identity_metadata,
        product_features
    from {{ source('overwatch_bronze', 'billing_usage_bronze') }}

)

select
    organization_id,
    record_id,
    account_id,
    workspace_id,
    sku_name,
    cloud,
    usage_start_time,
    usage_end_time,
    usage_date,
    custom_tags,
    usage_unit,
    usage_quantity,
    record_type,
    ingestion_date,
    billing_origin_product,
    usage_type,
    get_json_object(usage_metadata, '$.cluster_id') as cluster_id,
    get_json_object(usage_metadata, '$.warehouse_id') as warehouse_id,
    get_json_object(usage_metadata, '$.instance_pool_id') as instance_pool_id,
    get_json_object(usage_metadata, '$.node_type') as node_type,
    get_json_object(usage_metadata, '$.job_id') as job_id,
    get_json_object(usage_metadata, '$.job_run_id') as job_run_id,
    get_json_object(usage_metadata, '$.notebook_id') as notebook_id,
    get_json_object(usage_metadata, '$.notebook_path') as notebook_path,
    get_json_object(usage_metadata, '$.dlt_pipeline_id') as dlt_pipeline_id,
    get_json_object(usage_metadata, '$.dlt_update_id') as dlt_update_id,
    get_json_object(usage_metadata, '$.endpoint_name') as endpoint_name,
    get_json_object(usage_metadata, '$.endpoint_id') as endpoint_id,
    get_json_object(usage_metadata, '$.budget_policy_id') as budget_policy_id,
    get_json_object(identity_metadata, '$.run_as') as run_as,
    get_json_object(identity_metadata, '$.owned_by') as owned_by,
    get_json_object(identity_metadata, '$.created_by') as created_by,
    cast(get_json_object(product_features, '$.is_serverless') as boolean) as is_serverless,
    cast(get_json_object(product_features, '$.is_photon') as boolean) as is_photon,
    get_json_object(product_features, '$.jobs_tier') as jobs_tier,
    get_json_object(product_features, '$.sql_tier') as sql_tier,
    get_json_object(product_features, '$.dlt_tier') as dlt_tier
from usage_records
