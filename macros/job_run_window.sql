{#- The window an incremental run of a jobs model re-reads, and the end of a job run's own window. -#}

{#- Epoch ms from which an incremental run re-reads its input: the newest `watermark_ms_column` already in the
    model ({{ this }}) less `days` (default: var lookback_days), so late rows are seen again; 0 less the days
    while the model is empty. A scalar subquery over the model: use it only inside is_incremental(). -#}
{% macro job_lookback_start_ms(watermark_ms_column, days=none) -%}
    {%- set days = var('lookback_days') if days is none else days -%}
    ((select coalesce(max({{ watermark_ms_column }}), 0) from {{ this }}) - {{ days * 86400000 }})
{%- endmacro %}

{#- The same start as a UTC date, to filter a date column (the audit log's delivery date partition). -#}
{% macro job_lookback_start_date(watermark_ms_column, days=none) -%}
    to_date(timestamp_millis({{ job_lookback_start_ms(watermark_ms_column, days) }}))
{%- endmacro %}

{#- When a (task) run's window ends, epoch ms: a cancelled run ends at its completion if that came after the
    cancel, else at the cancel; any other run at its completion (null while it runs). -#}
{% macro job_run_window_end_ms(completion_ms, cancellation_ms) -%}
    case
        when {{ cancellation_ms }} is not null
            then greatest(coalesce({{ completion_ms }}, {{ cancellation_ms }}), {{ cancellation_ms }})
        else {{ completion_ms }}
    end
{%- endmacro %}
