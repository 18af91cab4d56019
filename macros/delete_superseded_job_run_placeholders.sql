{#- job_run_silver keeps one row per job run (run_id = job_run_id, no task run, no task key) while a submitted
    run has no known task runs; once its task runs arrive in a later incremental run (with a task run id, or
    a task key where the runs API lists a task without its own run id), the merge inserts them and this
    post-hook removes the placeholder, which the merge cannot delete. A job run's task rows are dated as its
    placeholder (by its submission, the first time known of the run), so only the partitions from the oldest
    placeholder's run date on are read: none when the table holds no placeholder. -#}
{% macro delete_superseded_job_run_placeholders() %}
    {%- set placeholder_filter = 'task_run_id is null and task_key is null and run_id = job_run_id' -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set first_day = run_query(
        'select cast(min(run_date) as string) from ' ~ this ~ ' where ' ~ placeholder_filter
    ).columns[0].values()[0] -%}
    {%- if first_day is none -%}
        {{ return('') }}
    {%- endif %}
    delete from {{ this }}
    where
        run_date >= date'{{ first_day[:10] }}'
        and {{ placeholder_filter }}
        and (organization_id, job_run_id) in (
            select organization_id, job_run_id
            from {{ this }}
            where
                run_date >= date'{{ first_day[:10] }}'
                and (task_run_id is not null or task_key is not null)
        )
{% endmacro %}
