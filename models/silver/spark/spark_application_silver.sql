{%- set application_key = ['organization_id', 'cluster_id', 'spark_context_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=application_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark applications: one row per Spark context, from the events Spark writes once per context: the log
    start (Spark version), the application start and end, and the environment update, whose Spark
    properties carry, on Databricks, the cluster's usage tags (spark.databricks.clusterUsageTags.*). A
    context may post its environment again (a jar added later): the first of each event counts.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set application_events = [
    'SparkListenerLogStart', 'SparkListenerApplicationStart', 'SparkListenerApplicationEnd',
    'SparkListenerEnvironmentUpdate'
] -%}
{%- set application_event_fields = [
    ['Spark Version', 'string'], ['App Name', 'string'], ['App ID', 'string'], ['App Attempt ID', 'string'],
    ['Timestamp', 'bigint'], ['User', 'string', 'SparkUser'], ['Spark Properties', 'map<string,string>']
] -%}
{%- set usage_tag = "applications.spark_properties['spark.databricks.clusterUsageTags." -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, this) -%}

with

application_events as (

    {{ spark_events_to_process(application_events, window_start) }}

),

keyed_application_events as (

    select
        application_events.organization_id,
        application_events.cluster_id,
        application_events.spark_context_id,
        application_events.event,
        application_events.source_file,
        application_events.line_number,
        application_events.event_date,
        application_events.loaded_at,
        {{ spark_event_from_json('application_events.event_json', application_event_fields) }} as application_event
    from application_events

),

log_starts as (

    {{ first_spark_events('keyed_application_events', 'SparkListenerLogStart', application_key) }}

),

application_starts as (

    {{ first_spark_events('keyed_application_events', 'SparkListenerApplicationStart', application_key) }}

),

application_ends as (

    {{ first_spark_events('keyed_application_events', 'SparkListenerApplicationEnd', application_key) }}

),

environment_updates as (

    {{ first_spark_events('keyed_application_events', 'SparkListenerEnvironmentUpdate', application_key) }}

),

application_keys as (

    select distinct
        keyed_application_events.organization_id,
        keyed_application_events.cluster_id,
        keyed_application_events.spark_context_id
    from keyed_application_events
    where
        keyed_application_events.organization_id is not null
        and keyed_application_events.cluster_id is not null
        and keyed_application_events.spark_context_id is not null

),

new_applications as (

    select
        application_keys.organization_id,
        application_keys.cluster_id,
        application_keys.spark_context_id,
        application_starts.application_event.AppID as app_id,
        application_starts.application_event.AppAttemptID as app_attempt_id,
        application_starts.application_event.AppName as app_name,
        application_starts.application_event.SparkUser as app_user,
        log_starts.application_event.SparkVersion as spark_version,
        environment_updates.application_event.SparkProperties as spark_properties,
        application_starts.application_event.Timestamp as start_ms,
        application_ends.application_event.Timestamp as end_ms,
        coalesce(
            application_starts.source_file, environment_updates.source_file, log_starts.source_file
        ) as event_log_start,
        application_ends.source_file as event_log_end,
        least(
            log_starts.event_date, application_starts.event_date, application_ends.event_date,
            environment_updates.event_date
        ) as first_event_date,
        greatest(
            log_starts.loaded_at, application_starts.loaded_at, application_ends.loaded_at,
            environment_updates.loaded_at
        ) as loaded_at
    from application_keys
    {%- for joined in ['log_starts', 'application_starts', 'application_ends', 'environment_updates'] %}
    left join {{ joined }}
        on
            application_keys.organization_id = {{ joined }}.organization_id
            and application_keys.cluster_id = {{ joined }}.cluster_id
            and application_keys.spark_context_id = {{ joined }}.spark_context_id
    {%- endfor %}

),

applications as (

    {{ keep_known_spark_values(
        'new_applications', application_key,
        start_columns=[
            'app_id', 'app_attempt_id', 'app_name', 'app_user', 'spark_version', 'spark_properties', 'start_ms',
            'event_log_start'
        ],
        end_columns=['end_ms', 'event_log_end'],
        known_window_start=known_window_start
    ) }}

),

usage_tags as (

    select
        applications.*,
        {{ usage_tag }}clusterId'] as db_cluster_id,
        {{ usage_tag }}clusterName'] as cluster_name,
        -- Databricks names the workers' node type clusterNodeType; some runtimes set only workerNodeTypeId.
        coalesce(
            {{ usage_tag }}clusterNodeType'],
            {{ usage_tag }}workerNodeType'],
            applications.spark_properties['spark.databricks.workerNodeTypeId']
        ) as node_type,
        coalesce(
            {{ usage_tag }}driverNodeType'],
            applications.spark_properties['spark.databricks.driverNodeTypeId']
        ) as driver_node_type,
        coalesce(
            {{ usage_tag }}sparkVersion'],
            {{ usage_tag }}effectiveSparkVersion']
        ) as runtime_version,
        upper({{ usage_tag }}runtimeEngine']) as tagged_runtime_engine
    from applications

)

select
    usage_tags.organization_id,
    usage_tags.cluster_id,
    usage_tags.spark_context_id,
    usage_tags.app_id,
    usage_tags.app_attempt_id,
    usage_tags.app_name,
    usage_tags.app_user,
    usage_tags.spark_version,
    usage_tags.db_cluster_id,
    usage_tags.cluster_name,
    usage_tags.node_type,
    usage_tags.driver_node_type,
    usage_tags.runtime_version,
    -- Runtimes before the runtimeEngine tag name Photon in their version (`...-photon-scala2.12`).
    coalesce(
        usage_tags.tagged_runtime_engine,
        case
            when lower(usage_tags.runtime_version) like '%photon%' then 'PHOTON'
            when usage_tags.runtime_version is not null then 'STANDARD'
        end
    ) as runtime_engine,
    {{ job_cluster_job_id('usage_tags.cluster_name') }} as db_job_id,
    {{ job_cluster_run_id('usage_tags.cluster_name') }} as db_run_id,
    usage_tags.start_ms,
    usage_tags.end_ms,
    {{ run_time_struct('usage_tags.start_ms', 'usage_tags.end_ms') }} as application_runtime,
    usage_tags.spark_properties,
    usage_tags.event_log_start,
    usage_tags.event_log_end,
    usage_tags.first_event_date,
    usage_tags.loaded_at
from usage_tags
