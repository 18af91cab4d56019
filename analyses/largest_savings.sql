-- What to change first: every savings finding, largest estimated monthly saving first (findings whose
-- saving cannot be priced, such as node types missing from the catalog, come last).
select
    organization_id,
    workspace_name,
    finding_type,
    entity_type,
    entity_id,
    concat(finding_type, ': ', coalesce(entity_name, entity_id)) as finding,
    evidence,
    observed_cost,
    estimated_monthly_saving
from {{ ref('savings_opportunity_presentation') }}
order by estimated_monthly_saving desc nulls last
