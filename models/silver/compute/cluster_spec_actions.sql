{{ config(materialized='view') }}

{#- The cluster spec actions cluster_silver carries forward, each as stated (nothing carried over yet):
    successful creates, edits and resizes from the audit log (SQL warehouse clusters left out, as Overwatch
    does), plus a snapImpute action from the first API snapshot of each cluster without a create action,
    one row per cluster, action and millisecond (at-least-once delivery), with the creator or editor the
    action names (the history cluster_silver's created_by and last_edited_by follow). -#}
{%- set spec_columns = (
    ['num_workers', 'autoscale_min_workers', 'autoscale_max_workers'] + cluster_spec_carried_columns()
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
            {{ column_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('stg_audit__clusters') }}
    where
        action_name in ('create', 'edit', 'resize')
        and response_status_code = 200
        and cluster_id is not null
        -- SQL warehouse clusters also log cluster actions; they are modelled apart.
        and (custom_tags is null or custom_tags['SqlEndpointId'] is null)

),

first_cluster_snapshots as (

    {{ first_snapshots(
        ref('stg_api__clusters'), ['organization_id', 'cluster_id'], 'snapshot_time_ms',
        ['organization_id', 'cluster_id', 'snapshot_time_ms', 'creator_user_name', 'effective_spark_version']
        + spec_columns
    ) }}

),

-- Clusters that predate the audit logs have no create action: their first API snapshot stands for it.
clusters_without_create_action as (

    {{ without_create_action(
        'first_cluster_snapshots', 'cluster_actions_from_audit', ['organization_id', 'cluster_id'], 'action'
    ) }}

),

cluster_actions_imputed_from_snapshots as (

    select
        organization_id,
        cluster_id,
        'snapImpute' as action,
        snapshot_time_ms as unix_time_ms,
        cast(null as string) as user_email,
        creator_user_name,
        coalesce(effective_spark_version, spark_version) as spark_version,
        {%- for column_name in spec_columns if column_name != 'spark_version' %}
            {{ column_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from clusters_without_create_action

),

cluster_actions as (

    select * from cluster_actions_from_audit
    union all
    select * from cluster_actions_imputed_from_snapshots

),

cluster_actions_ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, cluster_id, action, unix_time_ms
            order by user_email
        ) as delivery_number
    from cluster_actions

)

select
    organization_id,
    cluster_id,
    action,
    unix_time_ms,
    user_email,
    creator_user_name,
    {{ spec_columns | join(',\n    ') }},
    case
        when action = 'create' and {{ is_automated_cluster('cluster_name', 'cluster_source') }} then 'JobsService'
        when action = 'create' then user_email
        when action = 'snapImpute' then creator_user_name
    end as named_creator,
    case
        when action = 'edit' and not {{ is_automated_cluster('cluster_name', 'cluster_source') }} then user_email
    end as named_editor
from cluster_actions_ranked
where delivery_number = 1
