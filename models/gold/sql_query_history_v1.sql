{#- Overwatch's sqlQueryHistory: one row per SQL query, its latest version (a finished version replaces
    the running one an earlier load landed), with the query history API's metrics flattened into columns. -#}
{%- set metrics = [
    ('compilation_time_ms', 'bigint'), ('execution_time_ms', 'bigint'), ('network_sent_bytes', 'bigint'),
    ('photon_total_time_ms', 'bigint'), ('pruned_bytes', 'bigint'), ('pruned_files_count', 'bigint'),
    ('read_bytes', 'bigint'), ('read_cache_bytes', 'bigint'), ('read_files_count', 'bigint'),
    ('read_partitions_count', 'bigint'), ('read_remote_bytes', 'bigint'), ('result_fetch_time_ms', 'bigint'),
    ('result_from_cache', 'boolean'), ('rows_produced_count', 'bigint'), ('rows_read_count', 'bigint'),
    ('spill_to_disk_bytes', 'bigint'), ('task_total_time_ms', 'bigint'), ('total_time_ms', 'bigint'),
    ('write_remote_bytes', 'bigint'),
] -%}

with

query_versions as (

    select
        organization_id,
        query_id,
        is_final,
        raw_json,
        row_number() over (
            partition by organization_id, query_id
            order by is_final desc, coalesce(query_end_time_ms, -1) desc, loaded_at desc
        ) as version_rank
    from {{ source('overwatch_bronze', 'sql_query_history_bronze') }}

),

latest_versions as (

    select
        organization_id,
        query_id,
        is_final,
        raw_json
    from query_versions
    where version_rank = 1

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    coalesce(
        get_json_object(raw_json, '$.warehouse_id'), get_json_object(raw_json, '$.endpoint_id')
    ) as warehouse_id,
    query_id,
    cast(get_json_object(raw_json, '$.query_end_time_ms') as bigint) as query_end_time_ms,
    get_json_object(raw_json, '$.user_name') as user_name,
    get_json_object(raw_json, '$.user_id') as user_id,
    get_json_object(raw_json, '$.executed_as_user_id') as executed_as_user_id,
    get_json_object(raw_json, '$.executed_as_user_name') as executed_as_user_name,
    cast(get_json_object(raw_json, '$.duration') as bigint) as duration,
    get_json_object(raw_json, '$.error_message') as error_message,
    cast(get_json_object(raw_json, '$.execution_end_time_ms') as bigint) as execution_end_time_ms,
    cast(get_json_object(raw_json, '$.query_start_time_ms') as bigint) as query_start_time_ms,
    get_json_object(raw_json, '$.query_text') as query_text,
    cast(get_json_object(raw_json, '$.rows_produced') as bigint) as rows_produced,
    get_json_object(raw_json, '$.spark_ui_url') as spark_ui_url,
    get_json_object(raw_json, '$.statement_type') as statement_type,
    get_json_object(raw_json, '$.status') as status,
    {%- for metric_name, metric_type in metrics %}
        cast(get_json_object(raw_json, '$.metrics.{{ metric_name }}') as {{ metric_type }}) as {{ metric_name }},
    {%- endfor %}
    is_final
from latest_versions
