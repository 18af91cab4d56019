-- Cluster cost by custom tag (the "Cost overview" dashboard): every cluster state's cost counts once
-- under each of its tags, so tags of one key add up to the tagged clusters' cost.
with

tagged_states as (

    select
        state_facts.organization_id,
        state_facts.workspace_name,
        state_facts.total_dbus,
        state_facts.total_cost,
        tags.tag_key,
        tags.tag_value
    from {{ ref('cluster_state_fact_presentation') }} as state_facts
        lateral view explode(state_facts.custom_tags) tags as tag_key, tag_value

)

select
    organization_id,
    tag_key,
    tag_value,
    concat(tag_key, '=', tag_value) as tag,
    sum(total_dbus) as total_dbus,
    sum(total_cost) as total_cost
from tagged_states
group by organization_id, tag_key, tag_value
order by total_cost desc
