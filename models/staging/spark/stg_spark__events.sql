{#- Every line of the Spark event logs in bronze, one row per line of a Spark context's log. The line stays
    JSON text here: each listener event kind has its own schema, which drifts across Spark versions, so the
    silver model of a kind parses the lines of its kinds once, with that kind's schema (macros spark_events). -#}
select
    spark_events.organization_id,
    spark_events.cluster_id,
    spark_events.spark_context_id,
    spark_events.log_segment,
    spark_events.line_number,
    spark_events.event,
    spark_events.event_time_ms,
    spark_events.event_date,
    spark_events.event_json,
    spark_events.event_hash,
    spark_events.source_file,
    spark_events.load_run_id,
    spark_events.loaded_at
from {{ source('overwatch_bronze', 'spark_events_bronze') }} as spark_events
