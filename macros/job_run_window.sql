{#- The window an incremental run of a jobs model re-reads, and the end of a job run's own window. -#}

{#- The first day job_run_silver re-reads its run events from (and job_run its rows of job_run_silver): the window
    start (macro incremental_window_start), or the earlier run date of a run the model's table holds open
    (`open_filter`: no end, no terminal state) and dated within
    `open_run_days` of the window start, whose events must all be read again to close it. A date literal, so
    that every read prunes partitions; in a unit test, where `this` is a fixture, a scalar subquery over it.
    None in a full build. -#}
{% macro job_run_reread_start(window_start, open_run_days, open_filter='end_ms is null and terminal_state is null') -%}
    {%- if window_start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set window_day = modules.datetime.date.fromisoformat(window_start[5:15]) -%}
        {%- set open_from = window_day - modules.datetime.timedelta(days=open_run_days) -%}
        {%- set first_open = run_query(
            "select cast(min(run_date) as string) from " ~ this
            ~ " where run_date >= date'" ~ open_from.isoformat() ~ "' and run_date < " ~ window_start
            ~ " and " ~ open_filter
        ).columns[0].values()[0] -%}
        {{ return(window_start if first_open is none else "date'" ~ first_open[:10] ~ "'") }}
    {%- endif -%}
    {{ return(
        "least(" ~ window_start ~ ", coalesce((select min(run_date) from " ~ this
        ~ " where run_date >= date_sub(" ~ window_start ~ ", " ~ open_run_days ~ ")"
        ~ " and " ~ open_filter ~ "), " ~ window_start ~ "))"
    ) }}
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
