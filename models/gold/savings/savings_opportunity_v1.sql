{#- Savings to act on: every finding of the savings rules (models/silver/savings), one row per workspace,
    rule and entity, with its evidence, observed period and cost, and an estimated monthly saving at the
    contract prices in force. How each rule estimates its saving: the savings_rules docs block. -#}
with

findings as (

    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_idle_all_purpose_clusters') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_jobs_on_all_purpose_clusters') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_long_auto_termination') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_low_utilisation_job_clusters') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_idle_sql_warehouses') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_sql_warehouses_not_scaling_down') }}
    union all
    select
        organization_id,
        finding_type,
        entity_type,
        entity_id,
        entity_name,
        evidence,
        observed_from_ms,
        observed_until_ms,
        observed_cost,
        estimated_monthly_saving
    from {{ ref('savings_unpriced_node_types') }}

)

select
    organization_id,
    {{ workspace_name('organization_id') }} as workspace_name,
    finding_type,
    entity_type,
    entity_id,
    entity_name,
    evidence,
    timestamp_millis(observed_from_ms) as observed_from,
    timestamp_millis(observed_until_ms) as observed_until,
    observed_cost,
    estimated_monthly_saving
from findings
