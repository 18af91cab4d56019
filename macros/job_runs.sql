{#- Overwatch's run-time struct (its `subtractTime`): start and end as epoch milliseconds and timestamps,
    and the time between them in milliseconds, seconds, minutes and hours; the end and durations stay null
    while the run is open. -#}
{% macro run_time_struct(start_ms, end_ms) %}
    named_struct(
            'startEpochMS', {{ start_ms }},
            'startTS', timestamp_millis({{ start_ms }}),
            'endEpochMS', {{ end_ms }},
            'endTS', timestamp_millis({{ end_ms }}),
            'runTimeMS', {{ end_ms }} - {{ start_ms }},
            'runTimeS', cast(({{ end_ms }} - {{ start_ms }}) / 1000.0 as double),
            'runTimeM', cast(({{ end_ms }} - {{ start_ms }}) / 60000.0 as double),
            'runTimeH', cast(({{ end_ms }} - {{ start_ms }}) / 3600000.0 as double)
        )
{%- endmacro %}

{#- The element of a JSON array (text) whose `key_field` equals `key_value`, as JSON text; null when none. -#}
{% macro json_array_element_where(json_array, key_field, key_value) %}
    try_element_at(
            filter(
                from_json({{ json_array }}, 'array<string>'),
                element -> get_json_object(element, '$.{{ key_field }}') = {{ key_value }}
            ),
            1
        )
{%- endmacro %}

{#- Task type of a Jobs API task (JSON text), in the audit log's spelling (NOTEBOOK_TASK, ...). -#}
{% macro job_task_type(task_json) %}
    case
        {%- for task_type in [
            'notebook_task', 'spark_jar_task', 'spark_python_task', 'spark_submit_task', 'python_wheel_task',
            'pipeline_task', 'sql_task', 'dbt_task', 'run_job_task', 'condition_task', 'for_each_task',
            'shell_command_task'
        ] %}
            when get_json_object({{ task_json }}, '$.{{ task_type }}') is not null then '{{ task_type | upper }}'
        {%- endfor %}
        end
{%- endmacro %}

{#- What a Jobs API task (JSON text) ran, as text: the notebook path, jar main class (else jar), wheel
    `package:entry_point`, Python file, spark-submit parameters, SQL `query:<id>` / `file:<path>` /
    `dashboard:<id>` / `alert:<id>`, dbt commands (`; `-separated), pipeline id, child job id (run-job),
    `left op right` (condition), for-each inputs, shell command; null for a task of none of these types. -#}
{% macro job_task_target(task_json) %}
    case
        when get_json_object({{ task_json }}, '$.notebook_task') is not null
            then get_json_object({{ task_json }}, '$.notebook_task.notebook_path')
        when get_json_object({{ task_json }}, '$.spark_jar_task') is not null
            then coalesce(
                get_json_object({{ task_json }}, '$.spark_jar_task.main_class_name'),
                get_json_object({{ task_json }}, '$.spark_jar_task.jar_uri')
            )
        when get_json_object({{ task_json }}, '$.python_wheel_task') is not null
            then concat_ws(
                ':',
                get_json_object({{ task_json }}, '$.python_wheel_task.package_name'),
                get_json_object({{ task_json }}, '$.python_wheel_task.entry_point')
            )
        when get_json_object({{ task_json }}, '$.spark_python_task') is not null
            then get_json_object({{ task_json }}, '$.spark_python_task.python_file')
        when get_json_object({{ task_json }}, '$.spark_submit_task') is not null
            then get_json_object({{ task_json }}, '$.spark_submit_task.parameters')
        when get_json_object({{ task_json }}, '$.sql_task') is not null
            then coalesce(
                concat('query:', get_json_object({{ task_json }}, '$.sql_task.query.query_id')),
                concat('file:', get_json_object({{ task_json }}, '$.sql_task.file.path')),
                concat('dashboard:', get_json_object({{ task_json }}, '$.sql_task.dashboard.dashboard_id')),
                concat('alert:', get_json_object({{ task_json }}, '$.sql_task.alert.alert_id'))
            )
        when get_json_object({{ task_json }}, '$.dbt_task') is not null
            then array_join(from_json(get_json_object({{ task_json }}, '$.dbt_task.commands'), 'array<string>'), '; ')
        when get_json_object({{ task_json }}, '$.pipeline_task') is not null
            then get_json_object({{ task_json }}, '$.pipeline_task.pipeline_id')
        when get_json_object({{ task_json }}, '$.run_job_task') is not null
            then get_json_object({{ task_json }}, '$.run_job_task.job_id')
        when get_json_object({{ task_json }}, '$.condition_task') is not null
            then concat_ws(
                ' ',
                get_json_object({{ task_json }}, '$.condition_task.left'),
                get_json_object({{ task_json }}, '$.condition_task.op'),
                get_json_object({{ task_json }}, '$.condition_task.right')
            )
        when get_json_object({{ task_json }}, '$.for_each_task') is not null
            then get_json_object({{ task_json }}, '$.for_each_task.inputs')
        when get_json_object({{ task_json }}, '$.shell_command_task') is not null
            then get_json_object({{ task_json }}, '$.shell_command_task.command')
    end
{%- endmacro %}

{#- Whether a run or task run (Jobs API JSON text) has ended: a terminal life-cycle state (API 2.0/2.1), a
    result state, or the API 2.2 `status.state` TERMINATED. -#}
{% macro job_run_has_ended(run_json) %}
    (
        coalesce(
            get_json_object({{ run_json }}, '$.state.life_cycle_state') in ('TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'),
            false
        )
        or get_json_object({{ run_json }}, '$.state.result_state') is not null
        or coalesce(get_json_object({{ run_json }}, '$.status.state') = 'TERMINATED', false)
    )
{%- endmacro %}

{#- When a run or task run (Jobs API JSON text) that started at `start_ms` ended, in epoch ms: its
    `end_time` (0 while running), else, once it has ended, the start plus its `run_duration` (multi-task
    runs) or its setup, execution and cleanup durations (API 2.0 runs carry no end time); null while open. -#}
{% macro job_run_end_ms(run_json, start_ms) %}
    coalesce(
        nullif(cast(get_json_object({{ run_json }}, '$.end_time') as bigint), 0),
        case
            when
                {{ job_run_has_ended(run_json) }}
                and coalesce(
                    get_json_object({{ run_json }}, '$.run_duration'),
                    get_json_object({{ run_json }}, '$.setup_duration'),
                    get_json_object({{ run_json }}, '$.execution_duration'),
                    get_json_object({{ run_json }}, '$.cleanup_duration')
                ) is not null
                then {{ start_ms }} + coalesce(
                    nullif(cast(get_json_object({{ run_json }}, '$.run_duration') as bigint), 0),
                    coalesce(cast(get_json_object({{ run_json }}, '$.setup_duration') as bigint), 0)
                    + coalesce(cast(get_json_object({{ run_json }}, '$.execution_duration') as bigint), 0)
                    + coalesce(cast(get_json_object({{ run_json }}, '$.cleanup_duration') as bigint), 0)
                )
        end
    )
{%- endmacro %}

{#- Two JSON objects (text) as one (their keys must not overlap), e.g. an API 2.0 run's `task` and
    `cluster_spec`, which API 2.1 carries together in each task; either may be null or empty. -#}
{% macro json_object_union(first_json, second_json) %}
    case
        when {{ second_json }} is null or {{ second_json }} = '{}' then {{ first_json }}
        when {{ first_json }} is null or {{ first_json }} = '{}' then {{ second_json }}
        else concat(
            substr({{ first_json }}, 1, length({{ first_json }}) - 1), ',', substr({{ second_json }}, 2)
        )
    end
{%- endmacro %}

{#- The task of an API 2.0 single-task job, as a Jobs API task (JSON text), from job_silver's
    `task_detail_legacy` struct (each task type's settings as JSON text); null when it names no task. -#}
{% macro legacy_job_task_json(task_detail_legacy) %}
    nullif(
        concat(
            '{',
            concat_ws(
                ','
                {%- for task_type in [
                    'notebook_task', 'spark_python_task', 'python_wheel_task', 'spark_jar_task', 'spark_submit_task',
                    'shell_command_task', 'pipeline_task'
                ] %},
                concat('"{{ task_type }}":', {{ task_detail_legacy }}.{{ task_type }})
                {%- endfor %}
            ),
            '}'
        ),
        '{}'
    )
{%- endmacro %}
