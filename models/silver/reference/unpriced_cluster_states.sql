{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    partition_by=epoch_ms_day_partitioning('unixTimeMS_state_end'),
    pre_hook=["{{ delete_cluster_state_facts_to_recompute(ref('cluster_state_silver')) }}"],
) }}

{#- The cluster states of cluster_state_fact that ran on a node type the instance_details catalog lacks at
    the state's time (is_node_type_unknown), with which of driver and workers it left unpriced: the few rows
    unpriced_node_type sums, so that it does not read every state. Incremental like
    job_run_cluster_state_share: a run takes again the states cluster_state_fact recomputed (macro
    cluster_state_facts_to_recompute, from this table's checkpoint), after its pre-hook deleted their rows.
    Partitioned by the day of the state end (locally), so that both prune to the recent and the open
    states. -#}
{#- Read in incremental runs only (the states whose end was imputed), where dbt cannot see the ref. -#}
-- depends_on: {{ ref('cluster_state_silver') }}
{%- set recomputed_states = cluster_state_facts_this_run_recomputes() %}
select
    organization_id,
    cluster_id,
    unixTimeMS_state_start,
    unixTimeMS_state_end,
    timestamp_state_start,
    timestamp_state_end,
    uptime_in_state_H,
    driver_node_type_id,
    node_type_id,
    driver_hourly_dbus is null as is_driver_unpriced,
    not is_single_node and worker_hourly_dbus is null as is_worker_unpriced
from {{ ref('cluster_state_fact') }}
where is_node_type_unknown
{%- if recomputed_states is not none %}
    and {{ recomputed_states }}
{%- endif %}
