{%- set job_key = ['organization_id', 'cluster_id', 'spark_context_id', 'job_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=job_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark jobs: the start (SparkListenerJobStart) and end (SparkListenerJobEnd) of each job paired on
    (spark context, job id), with the job's local properties: its job group, SQL execution, notebook, user
    and, on Databricks job clusters, the job and task run it ran for. Event logs older than Spark 1.3 carry no
    job times (no Submission Time, no Completion Time): a job's start is then its first stage's submission
    and its end, once the job has ended, its last stage's completion.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set job_event_fields = [
    ['Job ID', 'bigint'], ['Submission Time', 'bigint'], ['Completion Time', 'bigint'],
    ['Stage IDs', 'array<bigint>'], ['Properties', 'map<string,string>'],
    ['Job Result', [['Result', 'string'], ['Exception', 'string']]]
] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

job_events as (

    {{ spark_events_to_process(['SparkListenerJobStart', 'SparkListenerJobEnd'], window_start) }}

),

parsed_job_events as (

    select
        job_events.organization_id,
        job_events.cluster_id,
        job_events.spark_context_id,
        job_events.event,
        job_events.source_file,
        job_events.line_number,
        job_events.event_date,
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
        parsed_job_events.event_date,
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
        least(job_starts.event_date, job_ends.event_date) as first_event_date,
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
        end_columns=['end_ms', 'job_result', 'event_log_end'],
        known_window_start=known_window_start
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
        job_properties['spark.databricks.clusterUsageTags.clusterName'] as property_cluster_name,
        job_properties['user'] as user_email
    from jobs

),

window_stage_attempts as (

    -- A job's stages begin after it, in its Spark context: from the context window on.
    select
        organization_id,
        cluster_id,
        spark_context_id,
        stage_id,
        start_ms,
        end_ms
    from {{ ref('spark_stage_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

),

window_applications as (

    select
        organization_id,
        cluster_id,
        spark_context_id,
        cluster_name
    from {{ ref('spark_application_silver') }}
    {%- if known_window_start %}
    where first_event_date >= {{ known_window_start }}
    {%- endif %}

),

stage_times as (

    -- Only for jobs whose events lack their times (Spark before 1.3).
    select
        property_values.organization_id,
        property_values.cluster_id,
        property_values.spark_context_id,
        property_values.job_id,
        min(stage_attempts.start_ms) as first_stage_start_ms,
        max(stage_attempts.end_ms) as last_stage_end_ms
    from property_values
    inner join window_stage_attempts as stage_attempts
        on
            property_values.organization_id = stage_attempts.organization_id
            and property_values.cluster_id = stage_attempts.cluster_id
            and property_values.spark_context_id = stage_attempts.spark_context_id
            and array_contains(property_values.stage_ids, stage_attempts.stage_id)
    where property_values.start_ms is null or property_values.end_ms is null
    group by
        property_values.organization_id,
        property_values.cluster_id,
        property_values.spark_context_id,
        property_values.job_id

),

timed_jobs as (

    select
        property_values.*,
        coalesce(property_values.start_ms, stage_times.first_stage_start_ms) as job_start_ms,
        coalesce(
            property_values.end_ms,
            case when property_values.event_log_end is not null then stage_times.last_stage_end_ms end
        ) as job_end_ms,
        coalesce(property_values.property_cluster_name, applications.cluster_name) as cluster_name
    from property_values
    left join stage_times
        on
            property_values.organization_id = stage_times.organization_id
            and property_values.cluster_id = stage_times.cluster_id
            and property_values.spark_context_id = stage_times.spark_context_id
            and property_values.job_id = stage_times.job_id
    left join window_applications as applications
        on
            property_values.organization_id = applications.organization_id
            and property_values.cluster_id = applications.cluster_id
            and property_values.spark_context_id = applications.spark_context_id

)

select
    timed_jobs.organization_id,
    timed_jobs.cluster_id,
    timed_jobs.spark_context_id,
    timed_jobs.job_id,
    timed_jobs.job_group_id,
    timed_jobs.execution_id,
    timed_jobs.stage_ids,
    timed_jobs.notebook_id,
    timed_jobs.notebook_path,
    coalesce(
        timed_jobs.property_db_job_id,
        {{ job_group_job_id('timed_jobs.job_group_id') }},
        {{ job_cluster_job_id('timed_jobs.cluster_name') }}
    ) as db_job_id,
    coalesce(
        timed_jobs.property_db_run_id,
        {{ job_group_run_id('timed_jobs.job_group_id') }},
        {{ job_cluster_run_id('timed_jobs.cluster_name') }}
    ) as db_run_id,
    timed_jobs.db_job_type,
    timed_jobs.user_email,
    timed_jobs.job_start_ms as start_ms,
    timed_jobs.job_end_ms as end_ms,
    {{ run_time_struct('timed_jobs.job_start_ms', 'timed_jobs.job_end_ms') }} as job_runtime,
    timed_jobs.job_result,
    timed_jobs.job_properties,
    timed_jobs.event_log_start,
    timed_jobs.event_log_end,
    timed_jobs.first_event_date,
    timed_jobs.loaded_at
from timed_jobs
