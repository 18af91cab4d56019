{#- The metrics the query history API returns for a query (`metrics` with include_metrics), as
    [name, type] pairs: the staging model parses them into columns and sql_query_history keeps them. -#}
{% macro sql_query_metrics() %}
    {{ return([
        ['compilation_time_ms', 'bigint'], ['execution_time_ms', 'bigint'], ['network_sent_bytes', 'bigint'],
        ['photon_total_time_ms', 'bigint'], ['pruned_bytes', 'bigint'], ['pruned_files_count', 'bigint'],
        ['read_bytes', 'bigint'], ['read_cache_bytes', 'bigint'], ['read_files_count', 'bigint'],
        ['read_partitions_count', 'bigint'], ['read_remote_bytes', 'bigint'], ['result_fetch_time_ms', 'bigint'],
        ['result_from_cache', 'boolean'], ['rows_produced_count', 'bigint'], ['rows_read_count', 'bigint'],
        ['spill_to_disk_bytes', 'bigint'], ['task_total_time_ms', 'bigint'], ['total_time_ms', 'bigint'],
        ['write_remote_bytes', 'bigint'],
    ]) }}
{% endmacro %}

{#- The first query start (epoch ms) an incremental run of sql_query_history re-reads: the newest start each
    workspace's rows hold less the look-back, or an unfinished query's start if earlier; the earliest of
    these over all workspaces. A literal, so that bronze's day layout and the table's day partitions skip
    older files. None in a full build, on an empty table, and in a unit test (whose `this` is a fixture; the
    model's per-workspace conditions then do all the selecting). -#}
{% macro sql_query_reread_from_ms(lookback_ms) -%}
    {%- if this is none or not is_incremental() or not execute or model.resource_type != 'model' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set reread_from_ms = run_query(
        'select least(min(newest_start_ms) - ' ~ lookback_ms ~ ', min(unfinished_start_ms)) from ('
        ~ 'select max(query_start_time_ms) as newest_start_ms,'
        ~ ' min(case when not is_final then query_start_time_ms end) as unfinished_start_ms'
        ~ ' from ' ~ this ~ ' group by organization_id)'
    ).columns[0].values()[0] -%}
    {{ return(none if reread_from_ms is none else reread_from_ms | int) }}
{%- endmacro %}
