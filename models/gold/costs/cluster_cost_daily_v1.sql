{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=epoch_ms_day_partitioning('unixTimeMS_state_end'),
    pre_hook=["{{ delete_cluster_state_facts_to_recompute(ref('cluster_state_silver')) }}"],
) }}

{#- One row per cluster, state and UTC day: each state of cluster_state_fact split at midnight, its DBUs and
    costs shared out by the state's uptime in the day. Daily and monthly sums are plain sums here. A state
    that neither Databricks nor the cloud bills (a terminated cluster's) costs nothing and has no rows: a
    terminated cluster's last state stays open, and would add a row for every day of history.
    Incremental like job_run_cluster_state_share: a run splits again the states cluster_state_fact
    recomputed (macro cluster_state_facts_to_recompute, from this table's checkpoint), after its pre-hook
    deleted their days. Partitioned by the day of the state end (locally), so that both prune to the recent
    and the open states. -#}
{#- Read in incremental runs only (the states whose end was imputed), where dbt cannot see the ref. -#}
-- depends_on: {{ ref('cluster_state_silver') }}
{%- set recomputed_states = cluster_state_facts_this_run_recomputes() %}
with

cluster_states as (

    select
        organization_id,
        workspace_name,
        cluster_id,
        cluster_name,
        unixTimeMS_state_start,
        unixTimeMS_state_end,
        state,
        sku,
        is_photon,
        is_single_node,
        driver_node_type_id,
        node_type_id,
        current_num_workers,
        target_num_workers,
        uptime_in_state_S,
        dbu_rate,
        state_dates,
        driver_dbus,
        worker_dbus,
        driver_compute_cost,
        worker_compute_cost,
        driver_dbu_cost,
        worker_dbu_cost,
        worker_potential_core_H,
        core_hours,
        is_node_type_unknown,
        is_state_open
    from {{ ref('cluster_state_fact') }}
    where (databricks_billable or cloud_billable)
    {%- if recomputed_states is not none %}
        and {{ recomputed_states }}
    {%- endif %}

),

state_days as (

    select
        cluster_states.*,
        state_date.usage_date,
        cast(unix_date(state_date.usage_date) as bigint) * 86400000 as day_start_ms
    from cluster_states
        lateral view explode(state_dates) state_date as usage_date

),

state_day_uptime as (

    -- The state's milliseconds within the day; the state's end is inclusive.
    select
        *,
        least(unixTimeMS_state_end + 1, day_start_ms + 86400000)
        - greatest(unixTimeMS_state_start, day_start_ms) as uptime_in_day_ms
    from state_days

),

state_day_shares as (

    select
        *,
        case
            when uptime_in_state_S > 0 then uptime_in_day_ms / (uptime_in_state_S * 1000)
            else cast(0 as double)
        end as day_share
    from state_day_uptime
    where uptime_in_day_ms > 0 or uptime_in_state_S = 0

)

select
    organization_id,
    workspace_name,
    cluster_id,
    cluster_name,
    usage_date,
    unixTimeMS_state_start,
    unixTimeMS_state_end,
    state,
    sku,
    is_photon,
    is_single_node,
    driver_node_type_id,
    node_type_id,
    current_num_workers,
    target_num_workers,
    uptime_in_day_ms / 1000 as uptime_in_day_S,
    uptime_in_day_ms / 3600000 as uptime_in_day_H,
    dbu_rate,
    driver_dbus * day_share as driver_dbus,
    worker_dbus * day_share as worker_dbus,
    (driver_dbus + worker_dbus) * day_share as total_dbus,
    driver_compute_cost * day_share as driver_compute_cost,
    worker_compute_cost * day_share as worker_compute_cost,
    driver_dbu_cost * day_share as driver_dbu_cost,
    worker_dbu_cost * day_share as worker_dbu_cost,
    (driver_compute_cost + worker_compute_cost) * day_share as total_compute_cost,
    (driver_dbu_cost + worker_dbu_cost) * day_share as total_DBU_cost,
    (driver_compute_cost + worker_compute_cost + driver_dbu_cost + worker_dbu_cost) * day_share as total_cost,
    worker_potential_core_H * day_share as worker_potential_core_H,
    core_hours * day_share as core_hours,
    is_node_type_unknown,
    is_state_open
from state_day_shares
