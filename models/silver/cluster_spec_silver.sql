{{ config(materialized='table') }}

{%- set cluster_action_columns = [
    'organization_id', 'cluster_id', 'action', 'unix_time_ms', 'user_email', 'creator_user_name',
    'num_workers', 'autoscale_min_workers', 'autoscale_max_workers',
] + cluster_spec_carried_columns() %}

with

audit_log as (

    select
        audit_log_bronze.organization_id,
        audit_log_bronze.timestamp as unix_time_ms,
        audit_log_bronze.serviceName as service_name,
        audit_log_bronze.actionName as action_name,
        audit_log_bronze.requestParams as request_params,
        audit_log_bronze.response.result as response_result,
        audit_log_bronze.userIdentity.email as user_email
    from {{ source('overwatch_bronze', 'audit_log_bronze') }} as audit_log_bronze
    where
        audit_log_bronze.serviceName in ('clusters', 'instancePools')
        and audit_log_bronze.response.statusCode = 200

),

cluster_snapshots as (

    select
        organization_id,
        entity_id as cluster_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'clusters_snapshot_bronze') }}

),

instance_pool_snapshots as (

    select
        organization_id,
        entity_id as instance_pool_id,
        snapshot_time,
        raw_json
    from {{ source('overwatch_bronze', 'instance_pools_snapshot_bronze') }}

),

cluster_actions_from_audit as (

    select
        organization_id,
        case
            when action_name = 'create' then get_json_object(response_result, '$.cluster_id')
            else coalesce(request_params['cluster_id'], request_params['clusterId'])
        end as cluster_id,
        action_name as action,
        unix_time_ms,
        user_email,
        cast(null as string) as creator_user_name,
        request_params['cluster_name'] as cluster_name,
        coalesce(request_params['effective_spark_version'], request_params['spark_version']) as spark_version,
        request_params['driver_node_type_id'] as driver_node_type_id,
        request_params['node_type_id'] as node_type_id,
        cast(request_params['num_workers'] as int) as num_workers,
        cast(get_json_object(request_params['autoscale'], '$.min_workers') as int) as autoscale_min_workers,
        cast(get_json_object(request_params['autoscale'], '$.max_workers') as int) as autoscale_max_workers,
        cast(request_params['autotermination_minutes'] as int) as auto_termination_minutes,
        request_params['enable_elastic_disk'] as enable_elastic_disk,
        {{ json_to_string_map("request_params['custom_tags']") }} as custom_tags,
        {{ json_to_string_map("request_params['spark_conf']") }} as spark_conf,
        {{ json_to_string_map("request_params['spark_env_vars']") }} as spark_env_vars,
        {{ json_to_string_map("request_params['aws_attributes']") }} as aws_attributes,
        {{ json_to_string_map("request_params['azure_attributes']") }} as azure_attributes,
        {{ json_to_string_map("request_params['gcp_attributes']") }} as gcp_attributes,
        request_params['cluster_log_conf'] as cluster_log_conf,
        request_params['init_scripts'] as init_scripts,
        request_params['cluster_source'] as cluster_source,
        request_params['acl_path_prefix'] as acl_path_prefix,
        request_params['instance_pool_id'] as instance_pool_id,
        request_params['driver_instance_pool_id'] as driver_instance_pool_id,
        request_params['idempotency_token'] as idempotency_token,
        request_params['runtime_engine'] as runtime_engine,
        request_params['policy_id'] as policy_id,
        request_params['data_security_mode'] as data_security_mode,
        request_params['single_user_name'] as single_user_name
    from audit_log
    where
        service_name = 'clusters'
        and action_name in ('create', 'edit', 'resize')

),

cluster_actions_without_warehouses as (

    -- SQL warehouse clusters also log cluster actions; they are modelled apart (as Overwatch does).
    select *
    from cluster_actions_from_audit
    where
        cluster_id is not null
        and (custom_tags is null or custom_tags['SqlEndpointId'] is null)

),

clusters_with_create_action as (

    select distinct
        organization_id,
        cluster_id
    from cluster_actions_without_warehouses
    where action = 'create'

),

cluster_snapshots_ranked as (

    select
        organization_id,
        cluster_id,
        snapshot_time,
        raw_json,
        row_number() over (partition by organization_id, cluster_id order by snapshot_time) as snapshot_number,
        row_number() over (
            partition by organization_id, cluster_id order by snapshot_time desc
        ) as snapshot_number_from_latest
    from cluster_snapshots

),

first_cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        snapshot_time,
        raw_json
    from cluster_snapshots_ranked
    where snapshot_number = 1

),

cluster_actions_imputed_from_snapshots as (

    -- Clusters that predate the audit logs have no create action: their first API snapshot stands for it.
    select
        first_cluster_snapshots.organization_id,
        first_cluster_snapshots.cluster_id,
        'snapImpute' as action,
        unix_millis(first_cluster_snapshots.snapshot_time) as unix_time_ms,
        cast(null as string) as user_email,
        get_json_object(first_cluster_snapshots.raw_json, '$.creator_user_name') as creator_user_name,
        get_json_object(first_cluster_snapshots.raw_json, '$.cluster_name') as cluster_name,
        coalesce(
            get_json_object(first_cluster_snapshots.raw_json, '$.effective_spark_version'),
            get_json_object(first_cluster_snapshots.raw_json, '$.spark_version')
        ) as spark_version,
        get_json_object(first_cluster_snapshots.raw_json, '$.driver_node_type_id') as driver_node_type_id,
        get_json_object(first_cluster_snapshots.raw_json, '$.node_type_id') as node_type_id,
        cast(get_json_object(first_cluster_snapshots.raw_json, '$.num_workers') as int) as num_workers,
        cast(
            get_json_object(first_cluster_snapshots.raw_json, '$.autoscale.min_workers') as int
        ) as autoscale_min_workers,
        cast(
            get_json_object(first_cluster_snapshots.raw_json, '$.autoscale.max_workers') as int
        ) as autoscale_max_workers,
        cast(
            get_json_object(first_cluster_snapshots.raw_json, '$.autotermination_minutes') as int
        ) as auto_termination_minutes,
        get_json_object(first_cluster_snapshots.raw_json, '$.enable_elastic_disk') as enable_elastic_disk,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.custom_tags')") }} as custom_tags,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.spark_conf')") }} as spark_conf,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.spark_env_vars')") }}
            as spark_env_vars,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.aws_attributes')") }}
            as aws_attributes,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.azure_attributes')") }}
            as azure_attributes,
        {{ json_to_string_map("get_json_object(first_cluster_snapshots.raw_json, '$.gcp_attributes')") }}
            as gcp_attributes,
        get_json_object(first_cluster_snapshots.raw_json, '$.cluster_log_conf') as cluster_log_conf,
        get_json_object(first_cluster_snapshots.raw_json, '$.init_scripts') as init_scripts,
        get_json_object(first_cluster_snapshots.raw_json, '$.cluster_source') as cluster_source,
        get_json_object(first_cluster_snapshots.raw_json, '$.acl_path_prefix') as acl_path_prefix,
        get_json_object(first_cluster_snapshots.raw_json, '$.instance_pool_id') as instance_pool_id,
        get_json_object(first_cluster_snapshots.raw_json, '$.driver_instance_pool_id') as driver_instance_pool_id,
        get_json_object(first_cluster_snapshots.raw_json, '$.idempotency_token') as idempotency_token,
        get_json_object(first_cluster_snapshots.raw_json, '$.runtime_engine') as runtime_engine,
        get_json_object(first_cluster_snapshots.raw_json, '$.policy_id') as policy_id,
        get_json_object(first_cluster_snapshots.raw_json, '$.data_security_mode') as data_security_mode,
        get_json_object(first_cluster_snapshots.raw_json, '$.single_user_name') as single_user_name
    from first_cluster_snapshots
    left anti join clusters_with_create_action
        on
            first_cluster_snapshots.organization_id = clusters_with_create_action.organization_id
            and first_cluster_snapshots.cluster_id = clusters_with_create_action.cluster_id

),

cluster_actions as (

    select * from cluster_actions_without_warehouses
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

),

unique_cluster_actions as (

    -- At-least-once delivery: one row per cluster, action and millisecond.
    select
        {{ cluster_action_columns | join(',\n        ') }}
    from cluster_actions_ranked
    where delivery_number = 1

),

cluster_actions_with_carried_spec as (

    -- A resize only states the new size: the rest of the spec carries over from the previous action.
    select
        organization_id,
        cluster_id,
        action,
        unix_time_ms,
        user_email,
        creator_user_name,
        num_workers,
        autoscale_min_workers,
        autoscale_max_workers,
        {{ carried_over_on_resize(cluster_spec_carried_columns(), 'previous_actions') }}
    from unique_cluster_actions
    window previous_actions as (
        partition by organization_id, cluster_id
        order by unix_time_ms
        rows between unbounded preceding and current row
    )

),

instance_pool_versions_from_audit as (

    select
        organization_id,
        case
            when action_name = 'create' then get_json_object(response_result, '$.instance_pool_id')
            else request_params['instance_pool_id']
        end as instance_pool_id,
        request_params['instance_pool_name'] as instance_pool_name,
        request_params['node_type_id'] as node_type_id,
        unix_time_ms as valid_from_ms
    from audit_log
    where
        service_name = 'instancePools'
        and action_name in ('create', 'edit')

),

instance_pool_versions_from_snapshots as (

    select
        organization_id,
        instance_pool_id,
        get_json_object(raw_json, '$.instance_pool_name') as instance_pool_name,
        get_json_object(raw_json, '$.node_type_id') as node_type_id,
        unix_millis(snapshot_time) as valid_from_ms
    from instance_pool_snapshots

),

instance_pool_versions as (

    select * from instance_pool_versions_from_audit
    union all
    select * from instance_pool_versions_from_snapshots

),

instance_pool_intervals as (

    -- The first known version of a pool also stands for the time before it was first seen.
    select
        organization_id,
        instance_pool_id,
        instance_pool_name,
        node_type_id,
        case
            when row_number() over pool_versions = 1 then 0
            else valid_from_ms
        end as valid_from_ms,
        coalesce(lead(valid_from_ms) over pool_versions, 9223372036854775807) as valid_until_ms
    from instance_pool_versions
    where
        instance_pool_id is not null
        and node_type_id is not null
    window pool_versions as (
        partition by organization_id, instance_pool_id
        order by valid_from_ms
    )

),

latest_cluster_snapshots as (

    select
        organization_id,
        cluster_id,
        get_json_object(raw_json, '$.default_tags.Creator') as creator_from_tags
    from cluster_snapshots_ranked
    where snapshot_number_from_latest = 1

),

permanent_deletion_actions as (

    select
        organization_id,
        request_params['cluster_id'] as cluster_id,
        user_email as deleted_by,
        row_number() over (
            partition by organization_id, request_params['cluster_id']
            order by unix_time_ms desc
        ) as deletion_number
    from audit_log
    where
        service_name = 'clusters'
        and action_name = 'permanentDelete'

),

permanent_deletions as (

    select
        organization_id,
        cluster_id,
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
    left join instance_pool_intervals as worker_pool
        on
            cluster_actions_with_carried_spec.organization_id = worker_pool.organization_id
            and cluster_actions_with_carried_spec.instance_pool_id = worker_pool.instance_pool_id
            and cluster_actions_with_carried_spec.unix_time_ms >= worker_pool.valid_from_ms
            and cluster_actions_with_carried_spec.unix_time_ms < worker_pool.valid_until_ms
    left join instance_pool_intervals as driver_pool
        on
            cluster_actions_with_carried_spec.organization_id = driver_pool.organization_id
            and cluster_actions_with_carried_spec.driver_instance_pool_id = driver_pool.instance_pool_id
            and cluster_actions_with_carried_spec.unix_time_ms >= driver_pool.valid_from_ms
            and cluster_actions_with_carried_spec.unix_time_ms < driver_pool.valid_until_ms

),

cluster_actions_classified as (

    select
        *,
        coalesce(
            spark_conf['spark.databricks.cluster.profile'] = 'singleNode'
            or custom_tags['ResourceClass'] = 'SingleNode',
            false
        ) as is_single_node,
        coalesce(
            cluster_name like 'job-%-run-%' or cluster_source = 'JOB',
            false
        ) as is_automated,
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
        coalesce(
            cluster_actions_classified.runtime_engine,
            case when lower(cluster_actions_classified.spark_version) like '%photon%' then 'PHOTON' else 'STANDARD' end
        ) as runtime_engine,
        coalesce(
            upper(cluster_actions_classified.runtime_engine) = 'PHOTON'
            or lower(cluster_actions_classified.spark_version) like '%photon%',
            false
        ) as is_photon,
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
            last_value(
                case
                    when cluster_actions_classified.action = 'create' and cluster_actions_classified.is_automated
                        then 'JobsService'
                    when cluster_actions_classified.action = 'create' then cluster_actions_classified.user_email
                    when cluster_actions_classified.action = 'snapImpute'
                        then cluster_actions_classified.creator_user_name
                end,
                true
            ) over actions_so_far,
            latest_cluster_snapshots.creator_from_tags
        ) as created_by,
        last_value(
            case
                when cluster_actions_classified.action = 'edit' and not cluster_actions_classified.is_automated
                    then cluster_actions_classified.user_email
            end,
            true
        ) over actions_so_far as last_edited_by,
        permanent_deletions.deleted_by,
        cluster_actions_classified.user_email as action_by
    from cluster_actions_classified
    left join latest_cluster_snapshots
        on
            cluster_actions_classified.organization_id = latest_cluster_snapshots.organization_id
            and cluster_actions_classified.cluster_id = latest_cluster_snapshots.cluster_id
    left join permanent_deletions
        on
            cluster_actions_classified.organization_id = permanent_deletions.organization_id
            and cluster_actions_classified.cluster_id = permanent_deletions.cluster_id
    window actions_so_far as (
        partition by cluster_actions_classified.organization_id, cluster_actions_classified.cluster_id
        order by cluster_actions_classified.unix_time_ms
        rows between unbounded preceding and current row
    )

)

select * from cluster_spec
