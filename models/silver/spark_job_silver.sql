{%- set job_key = ['organization_id', 'cluster_id', 'spark_context_id', 'job_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=job_key,
    )
}}

{#- Spark jobs: the start (SparkListenerJobStart) and end (SparkListenerJobEnd) of each job paired on
    (spark context, job id), with the job's local properties: its job group, SQL execution, notebook, user
    and, on Databricks job clusters, the job and task run it ran for. -#}
{%- set job_event_fields = [
    ['Job ID', 'bigint'], ['Submission Time', 'bigint'], ['Completion Time', 'bigint'],
    ['Stage IDs', 'array<bigint>'], ['Properties', 'map<string,string>'],
    ['Job Result', [['Result', 'string'], ['Exception', 'string']]]
] -%}

with

job_events as (

    {{ spark_events_to_process(['SparkListenerJobStart', 'SparkListenerJobEnd']) }}

),

parsed_job_events as (

    select
        job_events.organization_id,
        job_events.cluster_id,
        job_events.spark_context_id,
        job_events.event,
        job_events.source_file,
        job_events.line_number,
        job_events.loaded_at,
        {{ spark_event_from_json('job_events.event_json', job_event_fields) }} as job_event
    from job_events

),

keyed_job_events as (

    select
        parsed_job_events.organization_id,
        parsed_job_events.cluster_id,
        parsed_job_events.spark_context_id,
        parsed_job_events.job_event.JobID as job_id,
        parsed_job_events.event,
        parsed_job_events.source_file,
        parsed_job_events.line_number,
        parsed_job_events.loaded_at,
        parsed_job_events.job_event
    from parsed_job_events

),

job_starts as (

    {{ first_spark_events('keyed_job_events', 'SparkListenerJobStart', job_key) }}

),

job_ends as (

    {{ first_spark_events('keyed_job_events', 'SparkListenerJobEnd', job_key) }}

),

new_jobs as (

    select
        coalesce(job_starts.organization_id, job_ends.organization_id) as organization_id,
        coalesce(job_starts.cluster_id, job_ends.cluster_id) as cluster_id,
        coalesce(job_starts.spark_context_id, job_ends.spark_context_id) as spark_context_id,
        coalesce(job_starts.job_id, job_ends.job_id) as job_id,
        job_starts.job_event.SubmissionTime as start_ms,
        job_ends.job_event.CompletionTime as end_ms,
        job_starts.job_event.StageIDs as stage_ids,
        job_starts.job_event.Properties as job_properties,
        job_ends.job_event.JobResult as job_result,
        job_starts.source_file as event_log_start,
        job_ends.source_file as event_log_end,
        greatest(job_starts.loaded_at, job_ends.loaded_at) as loaded_at
    from job_starts
    full outer join job_ends
        on
            job_starts.organization_id = job_ends.organization_id
            and job_starts.cluster_id = job_ends.cluster_id
            and job_starts.spark_context_id = job_ends.spark_context_id
            and job_starts.job_id = job_ends.job_id

),

jobs as (

    {{ keep_known_spark_values(
        'new_jobs', job_key,
        start_columns=['start_ms', 'stage_ids', 'job_properties', 'event_log_start'],
        end_columns=['end_ms', 'job_result', 'event_log_end']
    ) }}

),

property_values as (

    select
        *,
        job_properties['spark.jobGroup.id'] as job_group_id,
        try_cast(job_properties['spark.sql.execution.id'] as bigint) as execution_id,
        job_properties['spark.databricks.notebook.id'] as notebook_id,
        job_properties['spark.databricks.notebook.path'] as notebook_path,
        try_cast(job_properties['spark.databricks.job.id'] as bigint) as property_db_job_id,
        try_cast(job_properties['spark.databricks.job.runId'] as bigint) as property_db_run_id,
        job_properties['spark.databricks.job.type'] as db_job_type,
        job_properties['user'] as user_email
    from jobs

)

select
    property_values.organization_id,
    property_values.cluster_id,
    property_values.spark_context_id,
    property_values.job_id,
    property_values.job_group_id,
    property_values.execution_id,
    property_values.stage_ids,
    property_values.notebook_id,
    property_values.notebook_path,
    coalesce(property_values.property_db_job_id, {{ job_group_job_id('property_values.job_group_id') }}) as db_job_id,
    coalesce(property_values.property_db_run_id, {{ job_group_run_id('property_values.job_group_id') }}) as db_run_id,
    property_values.db_job_type,
    property_values.user_email,
    property_values.start_ms,
    property_values.end_ms,
    {{ run_time_struct('property_values.start_ms', 'property_values.end_ms') }} as job_runtime,
    property_values.job_result,
    property_values.job_properties,
    property_values.event_log_start,
    property_values.event_log_end,
    property_values.loaded_at
from property_values
