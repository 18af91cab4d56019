{#- Bounded incremental windows over date-partitioned tables. A model whose table grows with time is
    partitioned by a date column that never changes for a row (an event's date, a run's start date), reads
    its inputs and its own table from the window start on, and merges only into partitions from the window
    start on (config `merge_window_column`, applied by the spark incremental materialization). Every read
    is then pruned to the window's partitions, so one more day reads as much at a year of history as at a
    day. -#}

{#- The first day an incremental run recomputes: the newest `date_column` in the model's table less the
    look-back (var lookback_days unless given), as a date literal so that the table formats prune partitions
    and data files with it. None in a full build, and when the table is empty: read everything. In a unit test
    `this` is a fixture, not a table, so the same day comes from a scalar subquery over it. -#}
{% macro incremental_window_start(date_column, lookback_days=none) -%}
    {%- set days = var('lookback_days') if lookback_days is none else lookback_days -%}
    {#- A unit test without a `this` fixture has no `this` (is_incremental() would fail): a full build. -#}
    {%- if this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set newest = run_query(
            'select cast(max(' ~ date_column ~ ') as string) from ' ~ this
        ).columns[0].values()[0] -%}
        {%- if newest is none -%}
            {{ return(none) }}
        {%- endif -%}
        {%- set first_day = modules.datetime.date.fromisoformat(newest[:10]) - modules.datetime.timedelta(days=days) -%}
        {{ return("date'" ~ first_day.isoformat() ~ "'") }}
    {%- endif -%}
    {{ return(
        "coalesce((select date_sub(max(" ~ date_column ~ "), " ~ days ~ ") from " ~ this ~ "), date'1970-01-01')"
    ) }}
{%- endmacro %}

{#- incremental_window_start for an epoch-millisecond column: the newest `ms_column` in the model's table less
    the look-back, as an integer literal (reads prune data files by its statistics), or in a unit test a
    scalar subquery over the `this` fixture. None in a full build; 0 less the look-back for an empty table.
    With `processed_until`, from the later of the newest value and the until-time the model's last run
    recorded (post-hook record_processed_until, macros/processed_until.sql). -#}
{% macro incremental_window_start_ms(ms_column, lookback_days=none, processed_until=false) -%}
    {%- set lookback_ms = (var('lookback_days') if lookback_days is none else lookback_days) * 86400000 -%}
    {%- if this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set newest = run_query('select max(' ~ ms_column ~ ') from ' ~ this).columns[0].values()[0] or 0 -%}
        {%- if processed_until -%}
            {%- set newest = [newest, recorded_processed_until_ms(this) or 0] | max -%}
        {%- endif -%}
        {{ return((newest - lookback_ms) | int) }}
    {%- endif -%}
    {{ return('(select coalesce(max(' ~ ms_column ~ '), 0) - ' ~ lookback_ms ~ ' from ' ~ this ~ ')') }}
{%- endmacro %}

{#- The UTC day (a Python date, for a date literal) of an epoch-millisecond time. -#}
{% macro epoch_ms_date(epoch_ms) -%}
    {{ return(modules.datetime.date(1970, 1, 1) + modules.datetime.timedelta(days=(epoch_ms // 86400000) | int)) }}
{%- endmacro %}

{#- `partition_by` for a model's date column (then `more_columns`, such as an open flag that separates the
    rows a run rewrites from the settled ones): partitions locally (Iceberg), where pruning needs them;
    none on Databricks, where Delta's liquid clustering (config liquid_clustered_by) does that work and excludes
    partitioning. -#}
{% macro date_partitioning(date_column, more_columns=[]) -%}
    {{ return(adapter.dispatch('date_partitioning', 'overwatch')(date_column, more_columns)) }}
{%- endmacro %}

{% macro default__date_partitioning(date_column, more_columns=[]) -%}
    {{ return([date_column] + more_columns) }}
{%- endmacro %}

{% macro databricks__date_partitioning(date_column, more_columns=[]) -%}
    {{ return(none) }}
{%- endmacro %}

{#- `partition_by` for a table of epoch-millisecond times: days of the column locally (Iceberg's truncate
    transform, hidden: no column added); none on Databricks, as for date_partitioning. -#}
{% macro epoch_ms_day_partitioning(ms_column) -%}
    {{ return(adapter.dispatch('epoch_ms_day_partitioning', 'overwatch')(ms_column)) }}
{%- endmacro %}

{% macro default__epoch_ms_day_partitioning(ms_column) -%}
    {{ return(['truncate(86400000, ' ~ ms_column ~ ')']) }}
{%- endmacro %}

{% macro databricks__epoch_ms_day_partitioning(ms_column) -%}
    {{ return(none) }}
{%- endmacro %}

{#- `partition_by` for a table of timestamps: days of the column locally (Iceberg's hidden days transform);
    none on Databricks, as for date_partitioning. -#}
{% macro timestamp_day_partitioning(timestamp_column) -%}
    {{ return(adapter.dispatch('timestamp_day_partitioning', 'overwatch')(timestamp_column)) }}
{%- endmacro %}

{% macro default__timestamp_day_partitioning(timestamp_column) -%}
    {{ return(['days(' ~ timestamp_column ~ ')']) }}
{%- endmacro %}

{% macro databricks__timestamp_day_partitioning(timestamp_column) -%}
    {{ return(none) }}
{%- endmacro %}

{#- The merge predicate that confines a merge to the target's partitions from the merge source's first
    `merge_window_column` value on: without it Iceberg's copy-on-write MERGE scans every data file of the
    target for matches. The column is a date (from the first day on) or an epoch-millisecond time (from the
    first millisecond on). Correct only when that column never changes for a key (the row's date, a query's
    start). None when the model sets no window column or the source is empty. A model can give its own
    predicate instead: config merge_window_predicate_macro names a macro taking the source relation. -#}
{% macro merge_window_predicate(source_relation) -%}
    {#- A model whose recomputed rows are not a range of dates (open states) names its own predicate macro. -#}
    {%- set predicate_macro = config.get('merge_window_predicate_macro') -%}
    {%- if predicate_macro -%}
        {{ return(context[predicate_macro](source_relation)) }}
    {%- endif -%}
    {%- set window_column = config.get('merge_window_column') -%}
    {%- if not window_column -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first_value = run_query(
        'select min(' ~ window_column ~ ') from ' ~ source_relation
    ).columns[0].values()[0] -%}
    {%- if first_value is none -%}
        {{ return(none) }}
    {%- elif first_value is number -%}
        {{ return("dbt_internal_dest." ~ window_column ~ " >= " ~ (first_value | int)) }}
    {%- endif -%}
    {{ return("dbt_internal_dest." ~ window_column ~ " >= date'" ~ (first_value | string)[:10] ~ "'") }}
{%- endmacro %}

{#- The audit events of an incremental window, as conditions to append to a `where` over an audit staging
    model (event_time_ms, delivery_date): those from `window_start_ms` on (macro incremental_window_start_ms)
    and, when it is a literal, delivered from its day on: an event is delivered on or after its day, so the
    audit log's date partitions prune to the window. Empty in a full build. -#}
{% macro audit_events_from(window_start_ms) -%}
    {%- if window_start_ms is not none %} and event_time_ms >= {{ window_start_ms }}{% endif -%}
    {%- if window_start_ms is number %}
        and delivery_date >= date'{{ epoch_ms_date(window_start_ms).isoformat() }}'
    {%- endif %}
{%- endmacro %}

{#- `partition_by` of the state-hour tables (cluster_state_hour, warehouse_state_hour): the day of the state
    end, where an open state's hours stay while it runs, so that their delete prunes to the recent and the
    open states, then the day of the hour, so that readers of an hour window prune too; locally only, as
    epoch_ms_day_partitioning. -#}
{% macro state_hour_partitioning() -%}
    {{ return(
        ((epoch_ms_day_partitioning('state_end_ms') or []) + (timestamp_day_partitioning('hour_start') or []))
        or none
    ) }}
{%- endmacro %}
