{#- Type-2 periods (active_from, active_until, is_active) of a price the deployment config sets, from its dbt
    snapshot (`snapshot_name`, keyed by `price_key` = organization_id/`item_column`). Why the first version is
    backdated: history loaded by the first run must be priced, so an account-wide ('*') price's first version
    stands for all time before it. A workspace's own price is backdated only when the first run already saw
    it; one added later starts when a run first sees it, the account-wide price covering the time before.
    Snapshot rows written before prices were per workspace have no organization_id: they are account-wide. -#}
{% macro configured_price_periods(snapshot_name, item_column, price_column) %}
with

price_versions as (

    select
        coalesce(organization_id, '*') as organization_id,
        {{ item_column }},
        {{ price_column }},
        dbt_valid_from,
        dbt_valid_to,
        row_number() over (
            partition by coalesce(organization_id, '*'), {{ item_column }} order by dbt_valid_from
        ) as version_number,
        min(dbt_valid_from) over () as first_run_valid_from
    from {{ ref(snapshot_name) }}

)

select
    organization_id,
    {{ item_column }},
    {{ price_column }},
    case
        when version_number = 1 and (organization_id = '*' or dbt_valid_from = first_run_valid_from)
            then cast('1970-01-01 00:00:00' as timestamp)
        else dbt_valid_from
    end as active_from,
    dbt_valid_to as active_until,
    dbt_valid_to is null as is_active
from price_versions
{% endmacro %}


{#- Left joins of a price table keyed by workspace (`prices`: organization_id, `item_column`, active_from,
    active_until) for a workspace's own price (`<alias>_workspace`) and the account-wide one
    (`<alias>_default`, organization_id '*'), as of `at_time`. Read the price with workspace_price(): the
    workspace's own when it sets one, else the account-wide one. -#}
{% macro workspace_price_joins(prices, alias, organization_id, item_column, item_value, at_time) %}
    {%- for scope in ['workspace', 'default'] %}
    {%- set joined = alias ~ '_' ~ scope %}
    left join {{ prices }} as {{ joined }}
        on
            {{ joined }}.organization_id = {{ organization_id if scope == 'workspace' else "'*'" }}
            and {{ item_value }} = {{ joined }}.{{ item_column }}
            and {{ at_time }} >= {{ joined }}.active_from
            and {{ at_time }} < coalesce({{ joined }}.active_until, cast('9999-12-31 00:00:00' as timestamp))
    {%- endfor %}
{%- endmacro %}


{% macro workspace_price(alias, price_column) -%}
    coalesce({{ alias }}_workspace.{{ price_column }}, {{ alias }}_default.{{ price_column }})
{%- endmacro %}
