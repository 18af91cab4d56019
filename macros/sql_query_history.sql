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
