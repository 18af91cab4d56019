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
