{#- Job settings fields (Jobs API `JobSettings`) that job_silver follows through a job's history,
    each as (field name in the settings, output column, Spark type). Nested objects stay JSON text. -#}
{% macro job_settings_fields() %}
  {{- return([
      ('name', 'job_name', 'string'),
      ('tags', 'tags_json', 'string'),
      ('format', 'job_format', 'string'),
      ('existing_cluster_id', 'existing_cluster_id', 'string'),
      ('new_cluster', 'new_cluster', 'string'),
      ('tasks', 'tasks', 'string'),
      ('job_clusters', 'job_clusters', 'string'),
      ('libraries', 'libraries', 'string'),
      ('git_source', 'git_source', 'string'),
      ('timeout_seconds', 'timeout_seconds', 'bigint'),
      ('max_concurrent_runs', 'max_concurrent_runs', 'bigint'),
      ('max_retries', 'max_retries', 'bigint'),
      ('retry_on_timeout', 'retry_on_timeout', 'boolean'),
      ('min_retry_interval_millis', 'min_retry_interval_millis', 'bigint'),
      ('schedule', 'schedule_json', 'string'),
      ('notebook_task', 'notebook_task', 'string'),
      ('spark_python_task', 'spark_python_task', 'string'),
      ('python_wheel_task', 'python_wheel_task', 'string'),
      ('spark_jar_task', 'spark_jar_task', 'string'),
      ('spark_submit_task', 'spark_submit_task', 'string'),
      ('shell_command_task', 'shell_command_task', 'string'),
      ('pipeline_task', 'pipeline_task', 'string'),
  ]) -}}
{% endmacro %}

{#- The value one job event states for a settings field, as text: a create states the settings as request
    parameters, an update or reset as the JSON object `new_settings`, a snapImpute row as the settings of
    the job's API snapshot, the state an incremental run carries from before its window (action 'carried')
    as the value last set (column carried_state). Null when the event says nothing about the field. `relation`: the events' alias. -#}
{% macro job_event_setting(field_name, relation) %}
    case
        when {{ relation }}.action = 'create' then {{ relation }}.request_params['{{ field_name }}']
        when {{ relation }}.action = 'carried' then {{ relation }}.carried_state.settings.`{{ field_name }}`.value
        when {{ relation }}.action in ('update', 'reset')
            then get_json_object({{ relation }}.request_params['new_settings'], '$.{{ field_name }}')
        when {{ relation }}.action = 'snapImpute'
            then get_json_object({{ relation }}.snapshot_settings, '$.{{ field_name }}')
    end
{%- endmacro %}

{#- Whether a job event sets a settings field: a create, reset or snapImpute states the whole settings (an
    absent field is unset), an update only the fields of `new_settings` and those in `fields_to_remove`. -#}
{% macro job_event_sets_setting(field_name, relation) %}
    case
        when {{ relation }}.action in ('create', 'reset', 'snapImpute') then true
        when {{ relation }}.action = 'carried' then {{ relation }}.carried_state.settings.`{{ field_name }}` is not null
        when {{ relation }}.action = 'update'
            then
                get_json_object({{ relation }}.request_params['new_settings'], '$.{{ field_name }}') is not null
                or coalesce(array_contains({{ relation }}.fields_to_remove, '{{ field_name }}'), false)
        else false
    end
{%- endmacro %}

{#- For each settings field: the value the last event that set it gave (null included, so a reset or a
    removed field clears it), or, before any event set it, the value in the job's nearest API snapshot.
    Expects columns `<column>_event_value`, `<column>_is_set`, `<column>_snapshot_value` and a window. -#}
{% macro job_settings_carried_forward(window_name) %}
    {%- set expressions = [] -%}
    {%- for field_name, column_name, data_type in job_settings_fields() -%}
        {%- do expressions.append(
            "cast(coalesce(last_value(case when " ~ column_name ~ "_is_set then named_struct('value', "
            ~ column_name ~ "_event_value) end, true) over " ~ window_name ~ ", named_struct('value', "
            ~ column_name ~ "_snapshot_value)).value as " ~ data_type ~ ") as " ~ column_name
        ) -%}
    {%- endfor -%}
    {{- expressions | join(',\n        ') -}}
{% endmacro %}

{#- Per settings field, the value the last event that set it gave, as struct<value> (null when no event
    set it yet; a set null is a struct of null): what a row carries forward to the job's later events, so
    that an incremental run starts from it instead of replaying them. Expects the columns of
    job_settings_carried_forward and a window. -#}
{% macro job_settings_last_set(window_name) %}
    {%- set fields = [] -%}
    {%- for field_name, column_name, data_type in job_settings_fields() -%}
        {%- do fields.append(
            "'" ~ field_name ~ "', last_value(case when " ~ column_name ~ "_is_set then named_struct('value', "
            ~ column_name ~ "_event_value) end, true) over " ~ window_name
        ) -%}
    {%- endfor -%}
    named_struct(
            {{ fields | join(',\n            ') }}
        )
{%- endmacro %}

{#- The type of job_silver's carried_state: per settings field the value last set (job_settings_last_set),
    the create's author and time, the last delete and edit, as of the row. -#}
{% macro job_carried_state_type() %}
    {%- set fields = [] -%}
    {%- for field_name, column_name, data_type in job_settings_fields() -%}
        {%- do fields.append('`' ~ field_name ~ '`: struct<value: string>') -%}
    {%- endfor -%}
    {{- 'struct<settings: struct<' ~ fields | join(', ') ~ '>, created_by: string, created_ts: bigint, '
        ~ 'deleted_by: string, deleted_ts: bigint, last_edited_by: string, last_edited_ts: bigint>' -}}
{%- endmacro %}
