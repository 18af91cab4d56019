{#- Every version of a SQL query the query history API listed (a query listed running lands again once
    finished), with the query's JSON and its metrics parsed once into columns. The start time is bronze's own
    column (the loader's copy of the JSON field), so a filter on it reaches the table's day layout. -#}
with

query_versions as (

    select
        organization_id,
        query_id,
        is_final,
        query_start_time_ms,
        raw_json,
        source_request,
        load_run_id,
        loaded_at
    from {{ source('overwatch_bronze', 'sql_query_history_bronze') }}

)

select
    organization_id,
    query_id,
    coalesce(
        get_json_object(raw_json, '$.warehouse_id'), get_json_object(raw_json, '$.endpoint_id')
    ) as warehouse_id,
    get_json_object(raw_json, '$.status') as status,
    is_final,
    query_start_time_ms,
    cast(get_json_object(raw_json, '$.query_end_time_ms') as bigint) as query_end_time_ms,
    cast(get_json_object(raw_json, '$.execution_end_time_ms') as bigint) as execution_end_time_ms,
    cast(get_json_object(raw_json, '$.duration') as bigint) as duration,
    get_json_object(raw_json, '$.user_name') as user_name,
    get_json_object(raw_json, '$.user_id') as user_id,
    get_json_object(raw_json, '$.executed_as_user_id') as executed_as_user_id,
    get_json_object(raw_json, '$.executed_as_user_name') as executed_as_user_name,
    get_json_object(raw_json, '$.error_message') as error_message,
    get_json_object(raw_json, '$.query_text') as query_text,
    cast(get_json_object(raw_json, '$.rows_produced') as bigint) as rows_produced,
    get_json_object(raw_json, '$.spark_ui_url') as spark_ui_url,
    get_json_object(raw_json, '$.statement_type') as statement_type,
    {%- for metric_name, metric_type in sql_query_metrics() %}
        cast(get_json_object(raw_json, '$.metrics.{{ metric_name }}') as {{ metric_type }}) as {{ metric_name }},
    {%- endfor %}
    source_request,
    load_run_id,
    loaded_at
from query_versions
