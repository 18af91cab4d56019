{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'query_id'],
        on_schema_change='fail',
        partition_by=epoch_ms_day_partitioning('query_start_time_ms'),
        merge_window_column='query_start_time_ms',
    )
}}

{#- Overwatch's sqlQueryHistory: one row per SQL query, its latest version (a finished version replaces
    the running one an earlier load landed), with the query history API's metrics flattened into columns.
    Incremental: a run re-ranks every version of the queries that started since the newest query start this
    table holds, less the look-back (var lookback_days), and of the queries it still holds unfinished, and
    merges them on the query's key; all other queries keep their row. The earliest of those starts, as a
    literal (macro sql_query_reread_from_ms), bounds the reads of bronze and of this table to the days from
    it on, and the merge to the source's first start on (config merge_window_column: a query's start never
    changes between its versions); a workspace added later therefore brings its queries from that day on
    (a --full-refresh build takes its whole history). -#}
{%- set lookback_ms = var('lookback_days') * 86400000 -%}
{%- set reread_from_ms = sql_query_reread_from_ms(lookback_ms) -%}
{%- set query_columns = [
    'warehouse_id', 'query_id', 'query_end_time_ms', 'user_name', 'user_id', 'executed_as_user_id',
    'executed_as_user_name', 'duration', 'error_message', 'execution_end_time_ms', 'query_start_time_ms',
    'query_text', 'rows_produced', 'spark_ui_url', 'statement_type', 'status',
] -%}

with

{% if is_incremental() %}
unfinished_queries as (

    select
        organization_id,
        query_id
    from {{ this }}
    where
        not is_final
        {%- if reread_from_ms is not none %}
        and query_start_time_ms >= {{ reread_from_ms }}
        {%- endif %}

),

query_start_watermarks as (

    select
        organization_id,
        max(query_start_time_ms) - {{ lookback_ms }} as reread_from_ms
    from {{ this }}
    {%- if reread_from_ms is not none %}
    -- Every workspace's newest start lies a look-back or more after the literal.
    where query_start_time_ms >= {{ reread_from_ms }}
    {%- endif %}
    group by organization_id

),

{% endif %}
query_versions_in_scope as (

    select
        query_history.organization_id,
        {%- for column_name in query_columns %}
            query_history.{{ column_name }},
        {%- endfor %}
        {%- for metric_name, metric_type in sql_query_metrics() %}
            query_history.{{ metric_name }},
        {%- endfor %}
        query_history.is_final,
        query_history.loaded_at
    from {{ ref('stg_api__query_history') }} as query_history
    {%- if is_incremental() %}
    left join query_start_watermarks
        on query_history.organization_id = query_start_watermarks.organization_id
    left join unfinished_queries
        on
            query_history.organization_id = unfinished_queries.organization_id
            and query_history.query_id = unfinished_queries.query_id
    where
        (
            query_start_watermarks.reread_from_ms is null
            or query_history.query_start_time_ms >= query_start_watermarks.reread_from_ms
            or unfinished_queries.query_id is not null
        )
        {%- if reread_from_ms is not none %}
        and query_history.query_start_time_ms >= {{ reread_from_ms }}
        {%- endif %}
    {%- endif %}

),

query_versions_ranked as (

    select
        organization_id,
        {%- for column_name in query_columns %}
            {{ column_name }},
        {%- endfor %}
        {%- for metric_name, metric_type in sql_query_metrics() %}
            {{ metric_name }},
        {%- endfor %}
        is_final,
        row_number() over (
            partition by organization_id, query_id
            order by is_final desc, coalesce(query_end_time_ms, -1) desc, loaded_at desc
        ) as version_rank
    from query_versions_in_scope

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    {%- for column_name in query_columns %}
        {{ column_name }},
    {%- endfor %}
    {%- for metric_name, metric_type in sql_query_metrics() %}
        {{ metric_name }},
    {%- endfor %}
    is_final
from query_versions_ranked
where version_rank = 1
