{%- set stage_key = ['organization_id', 'cluster_id', 'spark_context_id', 'stage_id', 'stage_attempt_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=stage_key,
        partition_by=date_partitioning('first_event_date'),
        merge_window_column='first_event_date',
    )
}}

{#- Spark stage attempts: the submission (SparkListenerStageSubmitted) and completion
    (SparkListenerStageCompleted) of each attempt paired on (spark context, stage id, attempt); a stage of a
    log without attempt ids (Spark before 1.2) is attempt 0.
    Incremental: a run reads the events from the newest first_event_date on, or from the
    first day of the events loaded since (macro spark_window_start), and merges into the partitions of the
    rows they touch. -#}
{%- set stage_event_fields = [['Stage Info', spark_stage_info_fields()]] -%}

{%- set window_start = spark_window_start(ref('stg_spark__events'), 'event_date') -%}
{%- set known_window_start = spark_context_window_start(window_start, ref('spark_application_silver')) -%}

with

stage_events as (

    {{ spark_events_to_process(['SparkListenerStageSubmitted', 'SparkListenerStageCompleted'], window_start) }}

),

parsed_stage_events as (

    select
        stage_events.organization_id,
        stage_events.cluster_id,
        stage_events.spark_context_id,
        stage_events.event,
        stage_events.source_file,
        stage_events.line_number,
        stage_events.event_date,
        stage_events.loaded_at,
        {{ spark_event_from_json('stage_events.event_json', stage_event_fields) }} as stage_event
    from stage_events

),

keyed_stage_events as (

    select
        parsed_stage_events.organization_id,
        parsed_stage_events.cluster_id,
        parsed_stage_events.spark_context_id,
        parsed_stage_events.stage_event.StageInfo.StageID as stage_id,
        -- Logs older than Spark 1.2 have no attempt ids: Spark reads them as attempt 0, and so do we.
        coalesce(parsed_stage_events.stage_event.StageInfo.StageAttemptID, 0) as stage_attempt_id,
        parsed_stage_events.event,
        parsed_stage_events.source_file,
        parsed_stage_events.line_number,
        parsed_stage_events.event_date,
        parsed_stage_events.loaded_at,
        parsed_stage_events.stage_event
    from parsed_stage_events

),

stage_submissions as (

    {{ first_spark_events('keyed_stage_events', 'SparkListenerStageSubmitted', stage_key) }}

),

stage_completions as (

    {{ first_spark_events('keyed_stage_events', 'SparkListenerStageCompleted', stage_key) }}

),

new_stages as (

    select
        coalesce(stage_submissions.organization_id, stage_completions.organization_id) as organization_id,
        coalesce(stage_submissions.cluster_id, stage_completions.cluster_id) as cluster_id,
        coalesce(stage_submissions.spark_context_id, stage_completions.spark_context_id) as spark_context_id,
        coalesce(stage_submissions.stage_id, stage_completions.stage_id) as stage_id,
        coalesce(stage_submissions.stage_attempt_id, stage_completions.stage_attempt_id) as stage_attempt_id,
        -- The completion's stage info is the complete one (completion time, failure reason).
        coalesce(stage_completions.stage_event.StageInfo, stage_submissions.stage_event.StageInfo) as stage_info,
        stage_submissions.source_file as event_log_start,
        stage_completions.source_file as event_log_end,
        least(stage_submissions.event_date, stage_completions.event_date) as first_event_date,
        greatest(stage_submissions.loaded_at, stage_completions.loaded_at) as loaded_at
    from stage_submissions
    full outer join stage_completions
        on
            stage_submissions.organization_id = stage_completions.organization_id
            and stage_submissions.cluster_id = stage_completions.cluster_id
            and stage_submissions.spark_context_id = stage_completions.spark_context_id
            and stage_submissions.stage_id = stage_completions.stage_id
            and stage_submissions.stage_attempt_id = stage_completions.stage_attempt_id

),

stages as (

    {{ keep_known_spark_values(
        'new_stages', stage_key,
        start_columns=['event_log_start'],
        end_columns=['stage_info', 'event_log_end'],
        known_window_start=known_window_start
    ) }}

)

select
    stages.organization_id,
    stages.cluster_id,
    stages.spark_context_id,
    stages.stage_id,
    stages.stage_attempt_id,
    stages.stage_info.SubmissionTime as start_ms,
    stages.stage_info.CompletionTime as end_ms,
    {{ run_time_struct('stages.stage_info.SubmissionTime', 'stages.stage_info.CompletionTime') }} as stage_runtime,
    stages.stage_info,
    stages.event_log_start,
    stages.event_log_end,
    stages.first_event_date,
    stages.loaded_at
from stages
