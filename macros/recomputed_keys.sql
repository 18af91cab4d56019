{#- The first day an incremental run of an aggregate per key (one row per pipeline update, say) reads its
    input from: the earliest `start_column` in this table of the keys `relation` has rows for from
    `window_start` on (their totals change, so all their rows are read again), or `window_start` itself when
    earlier (keys new to the table). A date literal, so reads prune partitions; the query behind it reads
    the window's rows of `relation` and this table, one row a key. -#}
{% macro recomputed_keys_read_from(relation, date_column, window_start, key_columns, start_column) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set first_day = run_query(
        'select cast(least(min(' ~ start_column ~ '), ' ~ window_start ~ ') as string) from ' ~ this
        ~ ' where (' ~ keys ~ ') in (select ' ~ keys ~ ' from ' ~ relation
        ~ ' where ' ~ date_column ~ ' >= ' ~ window_start ~ ')'
    ).columns[0].values()[0] -%}
    {{ return("date'" ~ first_day[:10] ~ "'") }}
{%- endmacro %}

{#- The input rows an incremental run of an aggregate per key reads, as a predicate over `relation`: every
    row, from the first day recomputed_keys_read_from finds on, of the keys with rows where `key_filter`
    holds from `window_start` on. -#}
{% macro rows_of_recomputed_keys(relation, date_column, window_start, key_columns, start_column, key_filter) -%}
    {%- set keys = key_columns | join(', ') -%}
    {{ date_column }} >= {{ recomputed_keys_read_from(relation, date_column, window_start, key_columns, start_column) }}
    and ({{ keys }}) in (
        select {{ keys }}
        from {{ relation }}
        where {{ key_filter }} and {{ date_column }} >= {{ window_start }}
    )
{%- endmacro %}
