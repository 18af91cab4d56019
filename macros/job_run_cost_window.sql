{#- When a task run starts holding its cluster, for cost allocation: its task start, else (a run
    cancelled before its task started) its submission, so it still owns the job cluster spun up for it.
    A task that never started (upstream failed, skipped) has no end either: null, it is given nothing. -#}
{% macro job_run_cost_start_ms(job_run) -%}
    coalesce(
        {{ job_run }}.task_runtime.startEpochMS,
        if({{ job_run }}.task_runtime.endEpochMS is not null, {{ job_run }}.time_detail.submissionTime, null)
    )
{%- endmacro %}
