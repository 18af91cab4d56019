{#- Spark event log models read the staging view `stg_spark__events` (one row per event log line, the JSON
    unchanged). Listener event schemas drift across Spark versions, so each model parses `event_json` once with
    from_json and an explicit schema (names with spaces in backticks); a field whose type has changed
    across versions is declared `string`, which keeps any JSON value as text and never fails the parse. -#}

{#- The events of the given kinds that this run reads: all in a full build; from `window_start` on (macro
    spark_window_start, a date literal) in an incremental run, on bronze's partition column event_date, so
    the scan reads only the window's partitions. -#}
{% macro spark_events_to_process(event_names, window_start=none) %}
    select
        spark_events.organization_id,
        spark_events.cluster_id,
        spark_events.spark_context_id,
        spark_events.event,
        spark_events.event_time_ms,
        spark_events.event_date,
        spark_events.event_json,
        spark_events.source_file,
        spark_events.line_number,
        spark_events.loaded_at
    from {{ ref('stg_spark__events') }} as spark_events
    where
        spark_events.event in (
            {%- for event_name in event_names %}
            '{{ event_name }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        {%- if window_start %}
            and spark_events.event_date >= {{ window_start }}
        {%- endif %}
{%- endmacro %}

{#- The first day an incremental run of a Spark model reads its input from, on the input's date column
    (`input_date_column`, a partition column): the newest first_event_date of the model's table, or, when
    earlier, the first day of the input rows loaded since the table's newest loaded_at (a late file; a Spark
    context's log delivered when it ends). Those rows are found by their load time, on which Iceberg and
    Delta skip whole data files (each load writes files of its own), so the query reads what was loaded
    since, not the history. That is every event the table has not seen, however late, so no look-back in
    event time is needed (var lookback_days does not apply): one more day reads as much at a year of history
    as at a day. While the table is empty (no row of its kinds yet), the input's newest day less the
    look-back. A date literal; none in a full build; in a unit test, where the inputs are fixtures, the same
    day from a scalar subquery. -#}
{% macro spark_window_start(input_relation, input_date_column) -%}
    {%- if this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set window_start = incremental_window_start('first_event_date', 0) -%}
    {%- if not (execute and model.resource_type == 'model') -%}
        {%- if window_start is none -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return(
            'least(' ~ window_start ~ ', coalesce((select min(' ~ input_date_column ~ ') from ' ~ input_relation
            ~ ' where loaded_at > (select max(loaded_at) from ' ~ this ~ ')), ' ~ window_start ~ '))'
        ) }}
    {%- endif -%}
    {%- if window_start is none -%}
        {#- An empty table (no event of its kinds yet): from the input's newest day less the look-back. -#}
        {%- set first_day = run_query(
            'select cast(date_sub(max(' ~ input_date_column ~ '), ' ~ var('lookback_days') ~ ') as string) from '
            ~ input_relation
        ).columns[0].values()[0] -%}
        {{ return(none if first_day is none else "date'" ~ first_day[:10] ~ "'") }}
    {%- endif -%}
    {%- set newest_load = run_query(
        'select cast(max(loaded_at) as string) from ' ~ this
    ).columns[0].values()[0] -%}
    {%- if newest_load is none -%}
        {{ return(window_start) }}
    {%- endif -%}
    {%- set first_day = run_query(
        'select cast(least(' ~ window_start ~ ', coalesce(min(' ~ input_date_column ~ '), ' ~ window_start ~ '))'
        ~ ' as string) from ' ~ input_relation ~ " where loaded_at > timestamp'" ~ newest_load ~ "'"
    ).columns[0].values()[0] -%}
    {{ return("date'" ~ first_day[:10] ~ "'") }}
{%- endmacro %}

{#- The first day whose rows of a Spark model an incremental run reads and may change: `window_start`, or
    the earliest first_event_date of the Spark contexts with `events` (stg_spark__events unless given) from
    `window_start` on, when one began earlier. Every row of a context dates from the context's start on, so
    a row that an event of the window completes (a job, executor or application that began days before)
    is read and merged in its own partition, never duplicated in a later one (a context whose application
    events were never loaded has no start known: its rows are not looked for before `window_start`).
    `applications` is the table of contexts: spark_application_silver, or `this` in that model. A date
    literal, so reads prune partitions (the query behind it reads the window's events and the table of
    contexts, one row a context); none in a full build; a scalar subquery in a unit test. -#}
{% macro spark_context_window_start(window_start, applications, events=none, events_date_column='event_date') -%}
    {%- set events = ref('stg_spark__events') if events is none else events -%}
    {%- if window_start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first_context_day -%}
        select min(applications.first_event_date)
        from (
            select distinct organization_id, cluster_id, spark_context_id
            from {{ events }}
            where {{ events_date_column }} >= {{ window_start }}
        ) as window_contexts
        inner join {{ applications }} as applications
            on
                window_contexts.organization_id = applications.organization_id
                and window_contexts.cluster_id = applications.cluster_id
                and window_contexts.spark_context_id = applications.spark_context_id
    {%- endset -%}
    {%- set first_day = 'least(' ~ window_start ~ ', coalesce((' ~ first_context_day ~ '), ' ~ window_start ~ '))' -%}
    {%- if not (execute and model.resource_type == 'model') -%}
        {{ return(first_day) }}
    {%- endif -%}
    {%- set first_day = run_query('select cast(' ~ first_day ~ ' as string)').columns[0].values()[0] -%}
    {{ return("date'" ~ first_day[:10] ~ "'") }}
{%- endmacro %}

{#- A Databricks job or run id named in text of the form `job-<job id>-run-<run id>` (part 1 the job id, 2 the
    run id); null when the text names none. A job group id holds it anywhere
    (`<context>_job-<job id>-run-<run id>-action-<id>`), a job cluster's name at its start
    (`job-<job id>-run-<run id>-<task or job cluster key>`), so `anchored` matches the start only. -#}
{% macro databricks_job_run_part(text, part, anchored=false) -%}
    try_cast(nullif(regexp_extract({{ text }}, '{{ "^" if anchored }}job-([0-9]+)-run-([0-9]+)', {{ part }}), '') as bigint)
{%- endmacro %}

{#- Databricks job and run ids from a job group id, for jobs whose properties lack spark.databricks.job.id /
    runId; null when the group is no job's. -#}
{% macro job_group_job_id(job_group_id) -%}
    {{ databricks_job_run_part(job_group_id, 1) }}
{%- endmacro %}

{% macro job_group_run_id(job_group_id) -%}
    {{ databricks_job_run_part(job_group_id, 2) }}
{%- endmacro %}

{#- Databricks job and run ids from a job cluster's name (`job-<job id>-run-<run id>-...`): every Spark job
    of a job cluster ran for that run; null for any other cluster's name. -#}
{% macro job_cluster_job_id(cluster_name) -%}
    {{ databricks_job_run_part(cluster_name, 1, anchored=true) }}
{%- endmacro %}

{% macro job_cluster_run_id(cluster_name) -%}
    {{ databricks_job_run_part(cluster_name, 2, anchored=true) }}
{%- endmacro %}

{#- A struct type from a list of [field name, type] pairs, where a type is a type name or a nested list.
    With json_names, the names are the event log's (backticked, with spaces), the schema from_json reads;
    without, Overwatch's names (spaces removed, or the pair's optional third item, for a name that is a SQL
    keyword), the shape the models store. A cast from the first to the second renames the fields by
    position, so one list defines both. -#}
{% macro spark_struct_type(fields, json_names=true) -%}
    struct<
    {%- for field in fields -%}
        {%- set field_name, field_type = field[0], field[1] -%}
        {%- if json_names %}`{{ field_name }}`
        {%- else %}{{ field[2] if field | length > 2 else field_name | replace(' ', '') }}{% endif -%}
        :{{ field_type if field_type is string else spark_struct_type(field_type, json_names) }}
        {{- ',' if not loop.last }}
    {%- endfor -%}
    >
{%- endmacro %}

{#- An event's JSON parsed as the struct of `fields`, with Overwatch's field names (spaces removed). -#}
{% macro spark_event_from_json(json_column, fields) -%}
    cast(from_json({{ json_column }}, '{{ spark_struct_type(fields) }}') as {{ spark_struct_type(fields, false) }})
{%- endmacro %}

{% macro spark_task_info_fields() %}
    {{ return([
        ['Task ID', 'bigint'], ['Index', 'bigint'], ['Attempt', 'bigint'], ['Partition ID', 'bigint'],
        ['Launch Time', 'bigint'], ['Executor ID', 'string'], ['Host', 'string'], ['Locality', 'string'],
        ['Speculative', 'boolean'], ['Getting Result Time', 'bigint'], ['Finish Time', 'bigint'],
        ['Failed', 'boolean'], ['Killed', 'boolean']
    ]) }}
{% endmacro %}

{#- `Updated Blocks` changed shape across Spark versions: kept as JSON text. -#}
{% macro spark_task_metrics_fields() %}
    {{ return([
        ['Executor Deserialize Time', 'bigint'], ['Executor Deserialize CPU Time', 'bigint'],
        ['Executor Run Time', 'bigint'], ['Executor CPU Time', 'bigint'], ['Peak Execution Memory', 'bigint'],
        ['Result Size', 'bigint'], ['JVM GC Time', 'bigint'], ['Result Serialization Time', 'bigint'],
        ['Memory Bytes Spilled', 'bigint'], ['Disk Bytes Spilled', 'bigint'],
        ['Shuffle Read Metrics', [
            ['Remote Blocks Fetched', 'bigint'], ['Local Blocks Fetched', 'bigint'], ['Fetch Wait Time', 'bigint'],
            ['Remote Bytes Read', 'bigint'], ['Remote Bytes Read To Disk', 'bigint'], ['Local Bytes Read', 'bigint'],
            ['Total Records Read', 'bigint']
        ]],
        ['Shuffle Write Metrics', [
            ['Shuffle Bytes Written', 'bigint'], ['Shuffle Write Time', 'bigint'], ['Shuffle Records Written', 'bigint']
        ]],
        ['Input Metrics', [['Bytes Read', 'bigint'], ['Records Read', 'bigint']]],
        ['Output Metrics', [['Bytes Written', 'bigint'], ['Records Written', 'bigint']]],
        ['Updated Blocks', 'string']
    ]) }}
{% endmacro %}

{#- `Accumulator Updates` changed shape across Spark versions: kept as JSON text, as is the stack trace. -#}
{% macro spark_task_end_reason_fields() %}
    {{ return([
        ['Reason', 'string'], ['Class Name', 'string'], ['Description', 'string'], ['Full Stack Trace', 'string'],
        ['Accumulator Updates', 'string'], ['Kill Reason', 'string'], ['Message', 'string'],
        ['Executor ID', 'string'], ['Exit Caused By App', 'boolean'], ['Loss Reason', 'string']
    ]) }}
{% endmacro %}

{#- `Parent IDs` changed shape across Spark versions: kept as JSON text. -#}
{% macro spark_stage_info_fields() %}
    {{ return([
        ['Stage ID', 'bigint'], ['Stage Attempt ID', 'bigint'], ['Stage Name', 'string'],
        ['Number of Tasks', 'bigint'], ['Parent IDs', 'string'], ['Details', 'string'],
        ['Submission Time', 'bigint'], ['Completion Time', 'bigint'], ['Failure Reason', 'string'],
        ['Resource Profile Id', 'bigint']
    ]) }}
{% endmacro %}

{% macro spark_executor_info_fields() %}
    {{ return([
        ['Host', 'string'], ['Total Cores', 'bigint'], ['Log Urls', 'map<string,string>'],
        ['Attributes', 'map<string,string>'], ['Resources', 'string'], ['Resource Profile Identifier', 'bigint'],
        ['Registration Time', 'bigint'], ['Request Time', 'bigint']
    ]) }}
{% endmacro %}

{#- The progress of a streaming query batch; the parts whose content depends on the sources and sinks
    (durations, state operators, sources, sink, metrics) are kept as JSON text. -#}
{% macro spark_stream_progress_fields() %}
    {{ return([
        ['id', 'string'], ['runId', 'string'], ['name', 'string'], ['timestamp', 'string'], ['batchId', 'bigint'],
        ['batchDuration', 'bigint'], ['numInputRows', 'bigint'], ['inputRowsPerSecond', 'double'],
        ['processedRowsPerSecond', 'double'], ['durationMs', 'string'], ['eventTime', 'string'],
        ['stateOperators', 'string'], ['sources', 'string'], ['sink', 'string'], ['observedMetrics', 'string']
    ]) }}
{% endmacro %}

{#- The first event named `event_name` of each key in `relation` (a CTE of parsed events): at-least-once
    delivery and re-delivered files can repeat an event. -#}
{% macro first_spark_events(relation, event_name, key_columns) %}
    select *
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by loaded_at, source_file, line_number
            ) as event_number
        from {{ relation }}
        where
            event = '{{ event_name }}'
            {%- for key_column in key_columns %}
            and {{ key_column }} is not null
            {%- endfor %}
    ) as numbered_events
    where event_number = 1
{%- endmacro %}

{#- The rows of `new_relation` with, incrementally, what this table already holds for their keys kept, so
    an end arriving in a later load completes the row its start made. Start columns keep the value already
    known (the first event wins); end columns keep it only once the known row has its end
    (`event_log_end`), and otherwise take the new events' value. first_event_date, the table's partition,
    is the earliest day of the key's events, known or new. The table is read from `known_window_start`
    (macro spark_context_window_start) on, the partitions any row of the window's contexts lies in. -#}
{% macro keep_known_spark_values(new_relation, key_columns, start_columns, end_columns, known_window_start=none) %}
    select
        {%- for key_column in key_columns %}
        {{ new_relation }}.{{ key_column }},
        {%- endfor %}
        {%- for value_column in start_columns + end_columns %}
        {%- if not is_incremental() %}
        {{ new_relation }}.{{ value_column }},
        {%- elif value_column in start_columns %}
        coalesce(known.{{ value_column }}, {{ new_relation }}.{{ value_column }}) as {{ value_column }},
        {%- else %}
        case
            when known.event_log_end is not null then known.{{ value_column }}
            else coalesce({{ new_relation }}.{{ value_column }}, known.{{ value_column }})
        end as {{ value_column }},
        {%- endif %}
        {%- endfor %}
        {%- if is_incremental() %}
        least(known.first_event_date, {{ new_relation }}.first_event_date) as first_event_date,
        greatest(known.loaded_at, {{ new_relation }}.loaded_at) as loaded_at
        {%- else %}
        {{ new_relation }}.first_event_date,
        {{ new_relation }}.loaded_at
        {%- endif %}
    from {{ new_relation }}
    {%- if is_incremental() %}
    left join (
        select *
        from {{ this }}
        {%- if known_window_start %}
        where first_event_date >= {{ known_window_start }}
        {%- endif %}
    ) as known
        on
            {%- for key_column in key_columns %}
            {{ new_relation }}.{{ key_column }} = known.{{ key_column }}
            {{- ' and' if not loop.last }}
            {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- The pre-hook of an incremental Spark aggregate by day that sums its input again from the first day
    macro spark_window_start finds (the day the input rows loaded since its last run touched): delete its
    rows from that day on, so that the run's merge inserts those days afresh and a group the run no longer
    produces is gone. The same window as the model's SQL: both are rendered before the delete runs. Empty in
    a full build. -#}
{% macro delete_spark_window_days(input_relation) -%}
    {%- set window_start = spark_window_start(input_relation, 'first_event_date') -%}
    {%- if window_start %}
    delete from {{ this }} where first_event_date >= {{ window_start }}
    {%- endif %}
{%- endmacro %}
