{#- Overwatch's gold instancepool: the instance pool spec history, one row per create, edit, delete or
    snapImpute, attributes carried forward (instance_pool_silver). `timestamp` is epoch milliseconds,
    as in Overwatch. -#}
with

pool_spec as (

    select
        organization_id,
        instance_pool_id,
        service_name,
        action_name,
        unix_time_ms,
        action_date,
        instance_pool_name,
        node_type_id,
        idle_instance_autotermination_minutes,
        min_idle_instances,
        max_capacity,
        preloaded_spark_versions,
        azure_attributes,
        aws_attributes,
        gcp_attributes,
        custom_tags,
        create_details,
        delete_details,
        request_details
    from {{ ref('instance_pool_silver') }}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    instance_pool_id,
    service_name as serviceName,
    unix_time_ms as timestamp,
    action_date as date,
    action_name as actionName,
    instance_pool_name,
    node_type_id,
    idle_instance_autotermination_minutes,
    min_idle_instances,
    max_capacity,
    preloaded_spark_versions,
    azure_attributes,
    aws_attributes,
    gcp_attributes,
    custom_tags,
    create_details,
    delete_details,
    request_details
from pool_spec
