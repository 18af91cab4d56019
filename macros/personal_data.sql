{#- Personal data (emails, user names, user ids, IP addresses) in presentation views: with the
    `personal_data_mask` var on (the default; DeploymentConfig.personal_data.mask), the SHA-256 hash of
    the trimmed, lower-cased value, so analysts can still count and join people without reading who
    they are. Null stays null. Gold keeps the values: only the presentation layer is granted to analysts. -#}
{% macro mask_personal_data(column_expression) -%}
    {{ return(adapter.dispatch('mask_personal_data', 'overwatch')(column_expression)) }}
{%- endmacro %}

{% macro default__mask_personal_data(column_expression) -%}
    {%- if var('personal_data_mask', true) -%}
        sha2(lower(trim(cast({{ column_expression }} as string))), 256)
    {%- else -%}
        {{ column_expression }}
    {%- endif -%}
{%- endmacro %}

{#- A workspace path names its owner in its second segment (/Users/<email>/..., /Repos/<email>/...): with
    masking on, that segment is replaced by the hash mask_personal_data gives the same email, and the rest
    of the path is kept. Other paths (/Shared/...) are unchanged. One line: the personal-data test reads
    the compiled views line by line. -#}
{% macro mask_workspace_path(column_expression) -%}
    {{ return(adapter.dispatch('mask_workspace_path', 'overwatch')(column_expression)) }}
{%- endmacro %}

{% macro default__mask_workspace_path(column_expression) -%}
    {%- if var('personal_data_mask', true) -%}
        {%- set owner = "element_at(split(" ~ column_expression ~ ", '/'), 3)" -%}
        {%- set root = "element_at(split(" ~ column_expression ~ ", '/'), 2)" -%}
        case when {{ column_expression }} rlike '^/(Users|Repos)/[^/]+' then concat('/', {{ root }}, '/', {{ mask_personal_data(owner) }}, substring({{ column_expression }}, length({{ root }}) + length({{ owner }}) + 3)) else {{ column_expression }} end
    {%- else -%}
        {{ column_expression }}
    {%- endif -%}
{%- endmacro %}

{#- What personal data a documented column holds, from `config: {meta: {personal_data: ...}}` (or the older
    column-level `meta`) in the model's .yml: 'path' for a workspace path, 'value' for any other flagged
    column, '' when not flagged. -#}
{% macro personal_data_kind(column) -%}
    {%- set column_meta = column.get('meta') or {} -%}
    {%- set column_config_meta = (column.get('config') or {}).get('meta') or {} -%}
    {%- set flag = column_config_meta.get('personal_data', column_meta.get('personal_data', false)) -%}
    {{ return('path' if flag == 'path' else ('value' if flag else '')) }}
{%- endmacro %}
