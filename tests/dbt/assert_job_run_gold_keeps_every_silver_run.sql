-- Gold `job_run` is a reshaping of job_run_silver: it must neither drop nor add runs.
with

silver_runs as (

    select
        organization_id,
        run_key
    from {{ ref('job_run_silver') }}

),

gold_runs as (

    select
        organization_id,
        run_key
    from {{ ref('job_run') }}

),

missing_from_gold as (

    select
        organization_id,
        run_key,
        'missing from gold' as problem
    from silver_runs
    except
    select
        organization_id,
        run_key,
        'missing from gold' as problem
    from gold_runs

),

missing_from_silver as (

    select
        organization_id,
        run_key,
        'missing from silver' as problem
    from gold_runs
    except
    select
        organization_id,
        run_key,
        'missing from silver' as problem
    from silver_runs

)

select
    organization_id,
    run_key,
    problem
from missing_from_gold
union all
select
    organization_id,
    run_key,
    problem
from missing_from_silver
