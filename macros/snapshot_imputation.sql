{#- An object that predates the audit logs has no create action: its first API snapshot stands for it.
    first_snapshots: each entity's earliest snapshot row (`columns` of `relation`).
    without_create_action: the rows of `first_snapshots_relation` whose entity has no create action in
    `actions_relation` (`action_column` = 'create'): the rows to impute a create from. -#}
{% macro first_snapshots(relation, key_columns, time_column, columns) %}
    select
        {{ columns | join(',\n        ') }}
    from (
        select
            {{ columns | join(',\n            ') }},
            row_number() over (
                partition by {{ key_columns | join(', ') }} order by {{ time_column }}
            ) as snapshot_number
        from {{ relation }}
    ) as ranked_snapshots
    where snapshot_number = 1
{%- endmacro %}

{% macro without_create_action(first_snapshots_relation, actions_relation, key_columns, action_column) %}
    select first_snapshots.*
    from {{ first_snapshots_relation }} as first_snapshots
    left anti join (
        select distinct {{ key_columns | join(', ') }}
        from {{ actions_relation }}
        where {{ action_column }} = 'create'
    ) as created
        on
        {%- for key_column in key_columns %}
            {% if not loop.first %}and {% endif %}first_snapshots.{{ key_column }} = created.{{ key_column }}
        {%- endfor %}
{%- endmacro %}

{#- Post-hook of an incremental spec model: a create action that arrives after the object's snapImpute row
    (its audit event delivered late) supersedes it, as a full rebuild would have no snapImpute; the merge
    cannot delete, so this does. -#}
{% macro delete_superseded_snapshot_imputations(key_columns, action_column) %}
    delete from {{ this }}
    where
        {{ action_column }} = 'snapImpute'
        and ({{ key_columns | join(', ') }}) in (
            select {{ key_columns | join(', ') }}
            from {{ this }}
            where {{ action_column }} = 'create'
        )
{% endmacro %}
