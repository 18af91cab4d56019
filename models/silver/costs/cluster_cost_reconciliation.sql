{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['organization_id', 'cluster_id', 'usage_date'],
        partition_by=date_partitioning('usage_date'),
        merge_window_column='usage_date',
        pre_hook="{{ delete_window_days('usage_date') }}",
    )
}}

{#- Per cluster and UTC day: the DBUs of cluster_cost_daily against a reference. Locally (and by default) the
    reference is cluster_usage_reference_bronze, known running intervals of each cluster priced with the same
    node DBU rates and Photon multipliers, cut at the run's until-time; on Databricks, with var
    reconcile_with_billing_usage, it is system.billing.usage (DBUs billed per cluster and day).
    Incremental: a run compares again the days from the newest one less the look-back (macro
    incremental_window_start) on, after its pre-hook deleted them (macro delete_window_days); a day before
    them changes only through events later than the look-back, as in every windowed model. -#}
{%- set far_future = "cast('9999-12-31 00:00:00' as timestamp)" -%}
{%- set window_start = incremental_window_start('usage_date') -%}
{#- An interval ending before the window has no day in it. -#}
{%- set intervals_ending_after_ms = 'unix_millis(timestamp(' ~ window_start ~ '))' if window_start else '0' -%}

with

computed_daily as (

    select
        organization_id,
        cluster_id,
        usage_date,
        -- Unknown node types leave the day's DBUs unknown (null), not understated.
        case when max(case when is_node_type_unknown then 1 else 0 end) = 0 then sum(total_dbus) end
            as computed_dbus,
        max(case when is_node_type_unknown then 1 else 0 end) = 1 as has_unknown_node_type
    from {{ ref('cluster_cost_daily') }}
    {%- if window_start %}
        where usage_date >= {{ window_start }}
    {%- endif %}
    group by organization_id, cluster_id, usage_date

),

{% if var('reconcile_with_billing_usage') %}
reference_daily as (

    select
        cast(workspace_id as string) as organization_id,
        usage_metadata.cluster_id as cluster_id,
        usage_date,
        sum(usage_quantity) as reference_dbus
    from system.billing.usage
    where
        usage_metadata.cluster_id is not null
        and usage_unit = 'DBU'
        {%- if window_start %}
            and usage_date >= {{ window_start }}
        {%- endif %}
    group by cast(workspace_id as string), usage_metadata.cluster_id, usage_date

),
{% else %}
    run_window as (

        {{ run_window_until_ms(ref('stg_api__cluster_events'), 'event_time_ms') }}

    ),

    reference_intervals as (

        select
            reference.organization_id,
            reference.cluster_id,
            reference.interval_start_ms,
            least(reference.interval_end_ms, run_window.until_time_ms) as interval_end_ms,
            reference.current_num_workers,
            reference.driver_node_type_id,
            reference.node_type_id,
            reference.is_photon,
            reference.is_single_node,
            reference.sku
        from {{ ref('stg_usage_reference__cluster_intervals') }} as reference
        cross join run_window
        where
            reference.is_running
            and reference.interval_start_ms < run_window.until_time_ms
            and (reference.interval_end_ms is null or reference.interval_end_ms > {{ intervals_ending_after_ms }})

    ),

    reference_interval_days as (

        select
            reference_intervals.*,
            interval_day.usage_date,
            cast(unix_date(interval_day.usage_date) as bigint) * 86400000 as day_start_ms
        from reference_intervals
            lateral view explode(
                sequence(
                    date_from_unix_date(cast(floor(interval_start_ms / 86400000) as int)),
                    date_from_unix_date(cast(floor((interval_end_ms - 1) / 86400000) as int)),
                    interval 1 day
                )
            ) interval_day as usage_date

    ),

    reference_priced as (

        select
            reference_interval_days.organization_id,
            reference_interval_days.cluster_id,
            reference_interval_days.usage_date,
            {%- set interval_hours -%}
                (
                    least(reference_interval_days.interval_end_ms, reference_interval_days.day_start_ms + 86400000)
                    - greatest(reference_interval_days.interval_start_ms, reference_interval_days.day_start_ms)
                ) / 3600000
            {%- endset -%}
            {%- set photon_multiplier -%}
                case
                    when reference_interval_days.is_photon then coalesce(photon_multipliers.photon_multiplier, 1)
                    else 1
                end
            {%- endset %}
            {{ node_dbus('driver_details.hourly_dbus', '1', photon_multiplier, interval_hours) }}
            + case
                when reference_interval_days.is_single_node then 0
                else {{ node_dbus(
                    'worker_details.hourly_dbus', 'reference_interval_days.current_num_workers',
                    photon_multiplier, interval_hours
                ) }}
            end as reference_dbus
        from reference_interval_days
        left join {{ ref('instance_details') }} as driver_details
            on
                reference_interval_days.driver_node_type_id = driver_details.node_type_id
                and timestamp_millis(reference_interval_days.interval_start_ms) >= driver_details.active_from
                and timestamp_millis(reference_interval_days.interval_start_ms)
                < coalesce(driver_details.active_until, {{ far_future }})
        left join {{ ref('instance_details') }} as worker_details
            on
                reference_interval_days.node_type_id = worker_details.node_type_id
                and timestamp_millis(reference_interval_days.interval_start_ms) >= worker_details.active_from
                and timestamp_millis(reference_interval_days.interval_start_ms)
                < coalesce(worker_details.active_until, {{ far_future }})
        left join {{ ref('photon_dbu_multipliers') }} as photon_multipliers
            on
                reference_interval_days.sku = photon_multipliers.sku
                and timestamp_millis(reference_interval_days.interval_start_ms) >= photon_multipliers.active_from
                and timestamp_millis(reference_interval_days.interval_start_ms)
                < coalesce(photon_multipliers.active_until, {{ far_future }})

    ),

    reference_daily as (

        select
            organization_id,
            cluster_id,
            usage_date,
            sum(reference_dbus) as reference_dbus
        from reference_priced
        {%- if window_start %}
            where usage_date >= {{ window_start }}
        {%- endif %}
        group by organization_id, cluster_id, usage_date

    ),
{% endif %}

compared as (

    select
        coalesce(computed_daily.organization_id, reference_daily.organization_id) as organization_id,
        coalesce(computed_daily.cluster_id, reference_daily.cluster_id) as cluster_id,
        coalesce(computed_daily.usage_date, reference_daily.usage_date) as usage_date,
        computed_daily.computed_dbus,
        reference_daily.reference_dbus,
        coalesce(computed_daily.has_unknown_node_type, false) as has_unknown_node_type
    from computed_daily
    full outer join reference_daily
        on
            computed_daily.organization_id = reference_daily.organization_id
            and computed_daily.cluster_id = reference_daily.cluster_id
            and computed_daily.usage_date = reference_daily.usage_date

)

select
    organization_id,
    cluster_id,
    usage_date,
    computed_dbus,
    reference_dbus,
    computed_dbus - reference_dbus as dbu_difference,
    case
        when reference_dbus != 0 then 100 * (computed_dbus - reference_dbus) / reference_dbus
    end as dbu_difference_pct,
    has_unknown_node_type
from compared
where coalesce(computed_dbus, 0) != 0 or coalesce(reference_dbus, 0) != 0 or computed_dbus is null
