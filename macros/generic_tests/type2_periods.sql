{#- A type-2 table (active_from, active_until, is_active) is consistent: every key has exactly one active row,
    the active row is the open one (active_until null), and each closed row ends where the key's next row
    starts, so periods neither gap nor overlap. Returns one row per violation. With allow_gaps, a key may
    pause or end (a period ends before the next starts, or the last one is closed, so no row is active): a
    price the deployment config stopped setting, the account-wide price applying meanwhile. -#}
{% test type2_periods(model, key_columns, allow_gaps=false) %}

{%- set keys = key_columns | join(', ') %}

with

periods as (

    select
        {{ keys }},
        active_from,
        active_until,
        is_active,
        lead(active_from) over (partition by {{ keys }} order by active_from) as next_active_from
    from {{ model }}

),

row_violations as (

    select
        {{ keys }},
        active_from,
        case
            when is_active is null then 'is_active is null'
            when is_active != (active_until is null) then 'is_active disagrees with active_until'
            {%- if not allow_gaps %}
            when next_active_from is null and active_until is not null then 'last period is closed'
            {%- endif %}
            when next_active_from is not null and active_until is null then 'open period is not the last'
            {%- if allow_gaps %}
            when next_active_from < active_until then 'overlap with the next period'
            {%- else %}
            when next_active_from != active_until then 'gap or overlap with the next period'
            {%- endif %}
            when active_until <= active_from then 'empty or negative period'
        end as violation
    from periods

),

key_violations as (

    select
        {{ keys }},
        min(active_from) as active_from,
        'key has ' || cast(sum(case when is_active then 1 else 0 end) as string) || ' active rows' as violation
    from {{ model }}
    group by {{ keys }}
    having sum(case when is_active then 1 else 0 end) {{ '> 1' if allow_gaps else '!= 1' }}

)

select * from row_violations where violation is not null
union all
select * from key_violations

{% endtest %}
