{{ config(materialized='view') }}

{#- The cluster spec actions cluster_silver carries forward, each as stated (nothing carried over yet):
    successful creates, edits and resizes from the audit log (SQL warehouse clusters left out, as Overwatch
    does), plus a snapImpute action from the first API snapshot of each cluster without a create action,
    one row per cluster, action and millisecond (at-least-once delivery), with the creator or editor the
    action names (the history cluster_silver's created_by and last_edited_by follow). -#}
{%- set spec_columns = cluster_spec_columns() %}
{%- set action_columns = (
    ['organization_id', 'cluster_id', 'action', 'unix_time_ms', 'user_email', 'creator_user_name']
    + spec_columns + ['named_creator', 'named_editor']
) %}

with

cluster_actions_from_audit as (

    select
        organization_id,
        cluster_id,
        action_name as action,
        event_time_ms as unix_time_ms,
        user_email,
        cast(null as string) as creator_user_name,
        coalesce(effective_spark_version, spark_version) as spark_version,
        {%- for column_name in spec_columns if column_name != 'spark_version' %}
            {{ column_name }},
        {%- endfor %}
        case
            when action_name = 'create' and {{ is_automated_cluster('cluster_name', 'cluster_source') }}
                then 'JobsService'
            when action_name = 'create' then user_email
        end as named_creator,
        case
            when action_name = 'edit' and not {{ is_automated_cluster('cluster_name', 'cluster_source') }}
                then user_email
        end as named_editor
    from {{ ref('stg_audit__clusters') }}
    where
        action_name in ('create', 'edit', 'resize')
        and response_status_code = 200
        and cluster_id is not null
        -- SQL warehouse clusters also log cluster actions; they are modelled apart.
        and (custom_tags is null or custom_tags['SqlEndpointId'] is null)

),

cluster_actions_ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, cluster_id, action, unix_time_ms
            order by user_email
        ) as delivery_number
    from cluster_actions_from_audit

),

-- Clusters that predate the audit logs have no create action: their first API snapshot stands for it.
cluster_actions_imputed_from_snapshots as (

    {{ cluster_actions_imputed_from_snapshots(ref('stg_api__clusters'), 'cluster_actions_from_audit') }}

)

select
    {{ action_columns | join(',\n    ') }}
from cluster_actions_ranked
where delivery_number = 1
union all
select
    {{ action_columns | join(',\n    ') }}
from cluster_actions_imputed_from_snapshots
