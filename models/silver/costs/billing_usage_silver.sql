{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['usage_record_key'],
        partition_by=date_partitioning('usage_date'),
        merge_window_column='usage_date',
    )
}}

{#- The bill with its corrections netted: one row per usage record. Databricks gives a RETRACTION or
    RESTATEMENT no link to the record it corrects (the billing docs' record_type reference: a retraction
    repeats the record with a negative quantity, a restatement states it again with the corrected one), so
    records are netted on their identity: workspace, SKU, usage unit, usage window and usage_metadata (what
    the usage belongs to). The netted quantity is the sum of all of them; the other attributes (tags,
    identities, product) come from the latest statement that is not a retraction, and record_id from the
    ORIGINAL record. Two ORIGINAL records of one identity (which a correction could not tell apart) make one
    row, their record_count saying so.
    Incremental: a run re-reads the bill from the newest usage date less the look-back (macro
    incremental_window_start) and merges into those days' partitions only. A record and all its corrections
    share the usage window, so its usage_date: netting within the window nets them all. -#}
{%- set window_start = incremental_window_start('usage_date') -%}
with

usage_records as (

    select
        *,
        sha2(
            concat_ws(
                '|',
                organization_id,
                coalesce(workspace_id, ''),
                sku_name,
                coalesce(usage_unit, ''),
                cast(usage_start_time as string),
                cast(usage_end_time as string),
                coalesce(usage_metadata, '')
            ),
            256
        ) as usage_record_key
    from {{ ref('stg_billing__usage') }}
    {%- if window_start %}
    where usage_date >= {{ window_start }}
    {%- endif %}

),

netted_quantities as (

    select
        usage_record_key,
        sum(usage_quantity) as usage_quantity,
        sum(case when record_type = 'ORIGINAL' then usage_quantity end) as original_quantity,
        count(*) as record_count,
        count_if(record_type <> 'ORIGINAL') as correction_count,
        min(case when record_type = 'ORIGINAL' then record_id end) as original_record_id,
        min(record_id) as first_record_id
    from usage_records
    group by usage_record_key

),

ranked_statements as (

    select
        *,
        row_number() over (
            partition by usage_record_key
            order by
                case when record_type = 'RETRACTION' then 1 else 0 end,
                ingestion_date desc,
                case when record_type = 'RESTATEMENT' then 0 else 1 end,
                record_id desc
        ) as statement_rank
    from usage_records

),

latest_statements as (

    select *
    from ranked_statements
    where statement_rank = 1

)

select
    latest_statements.organization_id,
    latest_statements.usage_record_key,
    coalesce(netted_quantities.original_record_id, netted_quantities.first_record_id) as record_id,
    latest_statements.account_id,
    latest_statements.workspace_id,
    latest_statements.sku_name,
    {{ billing_contract_sku('latest_statements.sku_name') }} as contract_sku,
    latest_statements.cloud,
    latest_statements.usage_start_time,
    latest_statements.usage_end_time,
    latest_statements.usage_date,
    latest_statements.custom_tags,
    latest_statements.usage_unit,
    netted_quantities.usage_quantity,
    netted_quantities.original_quantity,
    netted_quantities.record_count,
    netted_quantities.correction_count,
    latest_statements.billing_origin_product,
    latest_statements.usage_type,
    latest_statements.cluster_id,
    latest_statements.warehouse_id,
    latest_statements.instance_pool_id,
    latest_statements.node_type,
    latest_statements.job_id,
    latest_statements.job_run_id,
    latest_statements.job_name,
    latest_statements.notebook_id,
    latest_statements.notebook_path,
    latest_statements.dlt_pipeline_id,
    latest_statements.dlt_update_id,
    latest_statements.endpoint_name,
    latest_statements.endpoint_id,
    latest_statements.budget_policy_id,
    latest_statements.run_as,
    latest_statements.owned_by,
    latest_statements.created_by,
    latest_statements.is_serverless,
    latest_statements.is_photon,
    latest_statements.jobs_tier,
    latest_statements.sql_tier,
    latest_statements.dlt_tier
from latest_statements
inner join netted_quantities
    on latest_statements.usage_record_key = netted_quantities.usage_record_key
