-- Node types of every cloud in one type-2 table. Node type ids do not collide across clouds.
{%- set clouds = ['aws', 'azure', 'gcp'] %}

with

{% for cloud in clouds %}
    {{ cloud }} as (

        select
            '{{ cloud | upper }}' as cloud,
            node_type_id,
            vcpus,
            memory_gb,
            gpus,
            hourly_dbus,
            compute_price_per_hour,
            active_from,
            active_until,
            is_active,
            source
        from {{ ref('instance_details_' ~ cloud) }}

    ){{ ',' if not loop.last }}

{% endfor %}
{%- for cloud in clouds %}
    select * from {{ cloud }}
    {{ 'union all' if not loop.last }}
{%- endfor %}
