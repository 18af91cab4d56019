-- Node types of every cloud in one type-2 table. Node type ids do not collide across clouds.
with

aws as (

    select
        'AWS' as cloud,
        node_type_id,
        vcpus,
        memory_gb,
        hourly_dbus,
        compute_price_per_hour,
        active_from,
        active_until,
        is_active,
        source
    from {{ ref('instance_details_aws') }}

),

azure as (

    select
        'AZURE' as cloud,
        node_type_id,
        vcpus,
        memory_gb,
        hourly_dbus,
        compute_price_per_hour,
        active_from,
        active_until,
        is_active,
        source
    from {{ ref('instance_details_azure') }}

),

gcp as (

    select
        'GCP' as cloud,
        node_type_id,
        vcpus,
        memory_gb,
        hourly_dbus,
        compute_price_per_hour,
        active_from,
        active_until,
        is_active,
        source
    from {{ ref('instance_details_gcp') }}

)

select * from aws
union all
select * from azure
union all
select * from gcp
