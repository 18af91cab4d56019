{#- job_run_silver keeps one row per job run (run_id = job_run_id, no task run, no task key) while a submitted
    run has no known task runs; once its task runs arrive in a later incremental run (with a task run id, or
    a task key where the runs API lists a task without its own run id), the merge inserts them and this
    post-hook removes the placeholder, which the merge cannot delete. -#}
{% macro delete_superseded_job_run_placeholders() %}
    delete from {{ this }}
    where
        task_run_id is null
        and task_key is null
        and run_id = job_run_id
        and (organization_id, job_run_id) in (
            select organization_id, job_run_id
            from {{ this }}
            where task_run_id is not null or task_key is not null
        )
{% endmacro %}
