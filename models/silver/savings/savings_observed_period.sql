{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['organization_id'],
) }}

{#- The period each workspace's savings findings were observed over: from its first to its last cluster or
    SQL warehouse state. Every finding of a workspace is scaled to a month over this one period.
    Incremental: a run reads the states ending from its checkpoint on (its newest end less the look-back,
    macro cluster_state_checkpoint_ms: every open state among them) and widens each workspace's period with
    them, so it reads the recent states, not the history. -#}
{%- set states_from_ms = none -%}
{%- if is_incremental() and execute and model.resource_type == 'model' -%}
    {%- set states_from_ms = cluster_state_checkpoint_ms(this, 'observed_until_ms') -%}
{%- endif %}
with

compute_states as (

    select
        organization_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms
    from {{ ref('cluster_state_fact') }}
    {%- if states_from_ms is not none %}
    where unixTimeMS_state_end >= {{ states_from_ms }}
    {%- endif %}
    union all
    select
        organization_id,
        unixTimeMS_state_start as state_start_ms,
        unixTimeMS_state_end as state_end_ms
    from {{ ref('warehouse_state_fact') }}
    {%- if states_from_ms is not none %}
    where unixTimeMS_state_end >= {{ states_from_ms }}
    {%- endif %}

),

observed_periods as (

    select
        organization_id,
        min(state_start_ms) as observed_from_ms,
        max(state_end_ms) as observed_until_ms
    from compute_states
    group by organization_id

),

known_periods as (

    -- The periods widened so far; none in a full build.
    select
        organization_id,
        observed_from_ms,
        observed_until_ms
    from {{ this if states_from_ms is not none else 'observed_periods' }}
    where {{ (states_from_ms is not none) | lower }}

)

select
    observed_periods.organization_id,
    least(observed_periods.observed_from_ms, known_periods.observed_from_ms) as observed_from_ms,
    greatest(observed_periods.observed_until_ms, known_periods.observed_until_ms) as observed_until_ms
from observed_periods
left join known_periods
    on observed_periods.organization_id = known_periods.organization_id
