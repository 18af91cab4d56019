{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id', 'cluster_id', 'action', 'unix_time_ms'],
    post_hook=["{{ delete_superseded_snapshot_imputations(['organization_id', 'cluster_id'], 'action') }}"],
) }}

{#- Overwatch's cluster_spec: every spec action of cluster_spec_actions with the spec carried over a resize,
    node types and pool names resolved from the pools as they were at the time, the cluster's classification
    and who created, last edited and deleted it. Each row keeps in carried_spec, per carried column, the last
    value the cluster's actions stated up to it. Incremental: a run takes the audit actions of the look-back
    window (var lookback_days, back from the newest action in this table), the snapImpute of each cluster
    first listed in the window's snapshots, and carries each cluster's spec forward from the carried_spec of its
    last row before the window instead of replaying its actions; a permanent delete in the window names
    deleted_by on the cluster's earlier rows. -#}
{%- set carried_columns = cluster_spec_carried_columns() + ['named_creator', 'named_editor'] -%}
{%- set output_columns = [
    'organization_id', 'cluster_id', 'action', 'unix_time_ms', 'action_timestamp', 'action_date', 'cluster_name',
    'driver_node_type_id', 'node_type_id', 'num_workers', 'autoscale_min_workers', 'autoscale_max_workers',
    'auto_termination_minutes', 'enable_elastic_disk', 'is_automated', 'is_single_node', 'cluster_type',
    'runtime_engine', 'is_photon', 'table_acls_enabled', 'credential_passthrough_enabled', 'isolation_enabled',
    'repl_languages_permitted', 'single_user_name', 'instance_profile_arn', 'data_security_mode', 'policy_id',
    'cluster_log_conf', 'init_scripts', 'custom_tags', 'cluster_source', 'aws_attributes', 'azure_attributes',
    'gcp_attributes', 'spark_env_vars', 'spark_conf', 'acl_path_prefix', 'driver_instance_pool_id',
    'instance_pool_id', 'driver_instance_pool_name', 'instance_pool_name', 'spark_version', 'idempotency_token',
    'created_by', 'last_edited_by', 'deleted_by', 'action_by', 'carried_spec',
] -%}
{%- set spec_action_columns = [
    'organization_id', 'cluster_id', 'action', 'unix_time_ms', 'user_email',
    'num_workers', 'autoscale_min_workers', 'autoscale_max_workers',
] + carried_columns -%}
{%- set window_start_ms = incremental_window_start_ms('unix_time_ms') -%}

with

stated_spec_actions as (

    select
        {{ spec_action_columns | join(',\n        ') }}
    from {{ ref('cluster_spec_actions') }}
    {%- if window_start_ms is not none %}
    -- The window's audit actions: its snapImpute actions come from its snapshots below.
    where action != 'snapImpute' and unix_time_ms >= {{ window_start_ms }}
    {%- endif %}

),

{% if window_start_ms is not none %}
clusters_imputed_before_window as (

    -- A cluster created, or first listed before the window: its snapImpute, if any, is not the window's.
    select
        organization_id,
        cluster_id
    from {{ this }}
    where action = 'create' or (action = 'snapImpute' and unix_time_ms < {{ window_start_ms }})

),

snapshots_of_clusters_first_listed_in_window as (

    -- The snapImpute of a cluster first listed in the window is made again, as the window's actions of
    -- the cluster carry its creator forward from it.
    select cluster_snapshots.*
    from {{ ref('stg_api__clusters') }} as cluster_snapshots
    left anti join clusters_imputed_before_window
        on
            cluster_snapshots.organization_id = clusters_imputed_before_window.organization_id
            and cluster_snapshots.cluster_id = clusters_imputed_before_window.cluster_id
    where cluster_snapshots.snapshot_time >= timestamp_millis({{ window_start_ms }})

),

imputed_spec_actions as (

    {{ cluster_actions_imputed_from_snapshots('snapshots_of_clusters_first_listed_in_window', 'stated_spec_actions') }}

),

last_rows_before_window as (

    select
        organization_id,
        cluster_id,
        unix_time_ms,
        carried_spec,
        created_by,
        row_number() over (
            partition by organization_id, cluster_id order by unix_time_ms desc
        ) as row_number_from_last
    from {{ this }}
    where
        unix_time_ms < {{ window_start_ms }}
        and (organization_id, cluster_id) in (select organization_id, cluster_id from stated_spec_actions)

),

carried_state_before_window as (

    -- The spec of each cluster with actions in the window as it stood before: per column, the last value
    -- its earlier actions stated (what a resize carries over, and the creator and editor named so far).
    select
        organization_id,
        cluster_id,
        'carried' as action,
        unix_time_ms,
        cast(null as string) as user_email,
        cast(null as int) as num_workers,
        cast(null as int) as autoscale_min_workers,
        cast(null as int) as autoscale_max_workers,
        {%- for column_name in carried_columns %}
        carried_spec.{{ column_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from last_rows_before_window
    where row_number_from_last = 1

),
{% endif %}

spec_actions as (

    select
        {{ spec_action_columns | join(',\n        ') }},
        false as is_carried_state
    from stated_spec_actions
    {%- if window_start_ms is not none %}
    union all
    select
        {{ spec_action_columns | join(',\n        ') }},
        false as is_carried_state
    from imputed_spec_actions
    union all
    select
        {{ spec_action_columns | join(',\n        ') }},
        true as is_carried_state
    from carried_state_before_window
    {%- endif %}

),

cluster_actions_with_carried_spec as (

    -- A resize only states the new size: the rest of the spec carries over from the previous actions.
    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        user_email,
        num_workers,
        autoscale_min_workers,
        autoscale_max_workers,
        {{ carried_over_on_resize(cluster_spec_carried_columns(), 'previous_actions') }},
        last_value(named_creator, true) over previous_actions as named_creator,
        last_value(named_editor, true) over previous_actions as last_edited_by,
        {{ last_stated_values(carried_columns, 'previous_actions') }} as carried_spec,
        is_carried_state
    from spec_actions
    window previous_actions as (
        partition by organization_id, cluster_id
        order by unix_time_ms
        rows between unbounded preceding and current row
    )

),

instance_pool_versions as (

    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        valid_from_ms,
        valid_until_ms
    from {{ ref('instance_pool_versions') }}

),

latest_cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        default_tags_creator as creator_from_tags,
        row_number() over (
            partition by organization_id, cluster_id order by snapshot_time desc
        ) as snapshot_number_from_latest
    from {{ ref('stg_api__clusters') }}
    {%- if window_start_ms is not none %}
    -- A cluster acting in the window is listed in its snapshots; before them, its rows name the creator.
    where snapshot_time >= timestamp_millis({{ window_start_ms }})
    {%- endif %}

),

permanent_deletion_actions as (

    select
        organization_id,
        cluster_id,
        event_time_ms as deleted_at_ms,
        user_email as deleted_by,
        row_number() over (
            partition by organization_id, cluster_id
            order by event_time_ms desc
        ) as deletion_number
    from {{ ref('stg_audit__clusters') }}
    -- A deleted cluster acts no more: only a delete in the window changes the rows a run writes.
    where action_name = 'permanentDelete' and response_status_code = 200 {{ audit_events_from(window_start_ms) }}

),

permanent_deletions as (

    select
        organization_id,
        cluster_id,
        deleted_at_ms,
        deleted_by
    from permanent_deletion_actions
    where deletion_number = 1

),

cluster_actions_with_pools as (

    select
        cluster_actions_with_carried_spec.*,
        worker_pool.instance_pool_name as worker_pool_name,
        driver_pool.instance_pool_name as driver_pool_name,
        coalesce(
            driver_pool.node_type_id,
            cluster_actions_with_carried_spec.driver_node_type_id
        ) as driver_node_type_from_driver_pool,
        coalesce(
            worker_pool.node_type_id,
            cluster_actions_with_carried_spec.driver_node_type_id,
            cluster_actions_with_carried_spec.node_type_id
        ) as driver_node_type_from_worker_pool,
        coalesce(
            worker_pool.node_type_id,
            cluster_actions_with_carried_spec.node_type_id
        ) as worker_node_type_from_worker_pool
    from cluster_actions_with_carried_spec
    left join instance_pool_versions as worker_pool
        on
            cluster_actions_with_carried_spec.organization_id = worker_pool.organization_id
            and cluster_actions_with_carried_spec.instance_pool_id = worker_pool.instance_pool_id
            and cluster_actions_with_carried_spec.unix_time_ms >= worker_pool.valid_from_ms
            and cluster_actions_with_carried_spec.unix_time_ms < worker_pool.valid_until_ms
    left join instance_pool_versions as driver_pool
        on
            cluster_actions_with_carried_spec.organization_id = driver_pool.organization_id
            and cluster_actions_with_carried_spec.driver_instance_pool_id = driver_pool.instance_pool_id
            and cluster_actions_with_carried_spec.unix_time_ms >= driver_pool.valid_from_ms
            and cluster_actions_with_carried_spec.unix_time_ms < driver_pool.valid_until_ms
    where not cluster_actions_with_carried_spec.is_carried_state

),

cluster_actions_classified as (

    select
        *,
        {{ is_single_node_cluster('spark_conf', 'custom_tags') }} as is_single_node,
        {{ is_automated_cluster('cluster_name', 'cluster_source') }} as is_automated,
        coalesce(custom_tags['SqlEndpointId'] is not null, false) as is_sql_analytics,
        coalesce(spark_conf['spark.databricks.cluster.profile'] = 'serverless', false) as is_high_concurrency
    from cluster_actions_with_pools

),

cluster_spec as (

    select
        cluster_actions_classified.organization_id,
        cluster_actions_classified.cluster_id,
        cluster_actions_classified.action,
        cluster_actions_classified.unix_time_ms,
        timestamp_millis(cluster_actions_classified.unix_time_ms) as action_timestamp,
        to_date(timestamp_millis(cluster_actions_classified.unix_time_ms)) as action_date,
        case
            when cluster_actions_classified.is_sql_analytics then 'SQLAnalytics'
            else cluster_actions_classified.cluster_name
        end as cluster_name,
        case
            when cluster_actions_classified.driver_instance_pool_id is not null
                then cluster_actions_classified.driver_node_type_from_driver_pool
            when cluster_actions_classified.instance_pool_id is not null
                then cluster_actions_classified.driver_node_type_from_worker_pool
            else coalesce(cluster_actions_classified.driver_node_type_id, cluster_actions_classified.node_type_id)
        end as driver_node_type_id,
        case
            when cluster_actions_classified.is_single_node then cast(null as string)
            when cluster_actions_classified.instance_pool_id is not null
                then cluster_actions_classified.worker_node_type_from_worker_pool
            else cluster_actions_classified.node_type_id
        end as node_type_id,
        case
            when cluster_actions_classified.is_single_node then 0
            else cluster_actions_classified.num_workers
        end as num_workers,
        cluster_actions_classified.autoscale_min_workers,
        cluster_actions_classified.autoscale_max_workers,
        cluster_actions_classified.auto_termination_minutes,
        -- Overwatch's rule: elastic disk is on unless the request says false.
        coalesce(lower(cluster_actions_classified.enable_elastic_disk) != 'false', true) as enable_elastic_disk,
        cluster_actions_classified.is_automated,
        cluster_actions_classified.is_single_node,
        case
            when cluster_actions_classified.is_single_node then 'Single Node'
            when cluster_actions_classified.is_high_concurrency then 'High-Concurrency'
            when cluster_actions_classified.is_sql_analytics then 'SQL Analytics'
            else 'Standard'
        end as cluster_type,
        {{ cluster_runtime_engine(
            'cluster_actions_classified.runtime_engine', 'cluster_actions_classified.spark_version'
        ) }} as runtime_engine,
        {{ is_photon_cluster(
            'cluster_actions_classified.runtime_engine', 'cluster_actions_classified.spark_version'
        ) }} as is_photon,
        coalesce(
            cast(cluster_actions_classified.spark_conf['spark.databricks.acl.dfAclsEnabled'] as boolean), false
        ) as table_acls_enabled,
        coalesce(
            cast(cluster_actions_classified.spark_conf['spark.databricks.passthrough.enabled'] as boolean), false
        ) as credential_passthrough_enabled,
        coalesce(
            cast(cluster_actions_classified.spark_conf['spark.databricks.pyspark.enableProcessIsolation'] as boolean),
            false
        ) as isolation_enabled,
        coalesce(
            split(cluster_actions_classified.spark_conf['spark.databricks.repl.allowedLanguages'], ','),
            array('All')
        ) as repl_languages_permitted,
        cluster_actions_classified.single_user_name,
        cluster_actions_classified.aws_attributes['instance_profile_arn'] as instance_profile_arn,
        cluster_actions_classified.data_security_mode,
        cluster_actions_classified.policy_id,
        cluster_actions_classified.cluster_log_conf,
        cluster_actions_classified.init_scripts,
        cluster_actions_classified.custom_tags,
        cluster_actions_classified.cluster_source,
        cluster_actions_classified.aws_attributes,
        cluster_actions_classified.azure_attributes,
        cluster_actions_classified.gcp_attributes,
        cluster_actions_classified.spark_env_vars,
        cluster_actions_classified.spark_conf,
        cluster_actions_classified.acl_path_prefix,
        cluster_actions_classified.driver_instance_pool_id,
        cluster_actions_classified.instance_pool_id,
        case
            when cluster_actions_classified.driver_instance_pool_id is not null
                then cluster_actions_classified.driver_pool_name
        end as driver_instance_pool_name,
        case
            when cluster_actions_classified.instance_pool_id is not null
                then cluster_actions_classified.worker_pool_name
        end as instance_pool_name,
        cluster_actions_classified.spark_version,
        cluster_actions_classified.idempotency_token,
        coalesce(
            cluster_actions_classified.named_creator,
            latest_cluster_snapshots.creator_from_tags
            {%- if window_start_ms is not none %},
            last_rows_before_window.created_by
            {%- endif %}
        ) as created_by,
        cluster_actions_classified.last_edited_by,
        permanent_deletions.deleted_by,
        cluster_actions_classified.user_email as action_by,
        cluster_actions_classified.carried_spec
    from cluster_actions_classified
    left join latest_cluster_snapshots
        on
            cluster_actions_classified.organization_id = latest_cluster_snapshots.organization_id
            and cluster_actions_classified.cluster_id = latest_cluster_snapshots.cluster_id
            and latest_cluster_snapshots.snapshot_number_from_latest = 1
    left join permanent_deletions
        on
            cluster_actions_classified.organization_id = permanent_deletions.organization_id
            and cluster_actions_classified.cluster_id = permanent_deletions.cluster_id
    {%- if window_start_ms is not none %}
    left join last_rows_before_window
        on
            cluster_actions_classified.organization_id = last_rows_before_window.organization_id
            and cluster_actions_classified.cluster_id = last_rows_before_window.cluster_id
            and last_rows_before_window.row_number_from_last = 1
    {%- endif %}

){% if window_start_ms is not none %},

earlier_rows_of_clusters_deleted_in_window as (

    -- A permanent delete names deleted_by on every row of the cluster, the earlier ones too.
    select
        {%- for column_name in output_columns %}
        {% if column_name == 'deleted_by' -%}
            permanent_deletions.deleted_by
        {%- else -%}
            cluster_spec_before_window.{{ column_name }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ this }} as cluster_spec_before_window
    inner join permanent_deletions
        on
            cluster_spec_before_window.organization_id = permanent_deletions.organization_id
            and cluster_spec_before_window.cluster_id = permanent_deletions.cluster_id
    where
        permanent_deletions.deleted_at_ms >= {{ window_start_ms }}
        and cluster_spec_before_window.unix_time_ms < {{ window_start_ms }}

){% endif %}

select
    {{ output_columns | join(',\n    ') }}
from cluster_spec
{%- if window_start_ms is not none %}
union all
select
    {{ output_columns | join(',\n    ') }}
from earlier_rows_of_clusters_deleted_in_window
{%- endif %}
