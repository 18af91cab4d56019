{#- Body of a presentation view: the calling model's own documented (contracted) columns, read from the
    latest version of a gold model. ref() without a version resolves to the model's latest version (the
    highest one unless latest_version pins it), so adding a gold v2 re-points the view with no edit here.
    Columns flagged as personal data in the .yml are masked (macros/personal_data.sql). A column whose meta
    names a `gold_column` re-exposes that gold column under another name (Overwatch's, where this project
    renamed it), so queries written for Overwatch run unchanged. -#}
{% macro presentation_view(gold_model_name) %}
    {%- set gold_relation = ref(gold_model_name) -%}
    {%- set column_names = model.columns.keys() | list -%}
    {%- if not column_names and execute -%}
        {{ exceptions.raise_compiler_error(
            "presentation model " ~ model.name ~ " must list its columns in its .yml"
        ) }}
    {%- endif %}
select
    {%- for column_name in column_names %}
    {%- set personal_data = personal_data_kind(model.columns[column_name]) %}
    {%- set gold_column = presentation_gold_column(model.columns[column_name]) %}
    {%- if personal_data == 'path' %}
    {{ mask_workspace_path(gold_column) }} as {{ column_name }}{{ ',' if not loop.last }}
    {%- elif personal_data %}
    {{ mask_personal_data(gold_column) }} as {{ column_name }}{{ ',' if not loop.last }}
    {%- elif gold_column != column_name %}
    {{ gold_column }} as {{ column_name }}{{ ',' if not loop.last }}
    {%- else %}
    {{ column_name }}{{ ',' if not loop.last }}
    {%- endif %}
    {%- endfor %}
from {{ gold_relation }}
{%- endmacro %}


{#- The gold column a presentation column reads: its meta `gold_column` when set, else its own name. -#}
{% macro presentation_gold_column(column) -%}
    {%- set column_meta = column.get('meta') or {} -%}
    {%- set column_config_meta = (column.get('config') or {}).get('meta') or {} -%}
    {{ return(column_config_meta.get('gold_column', column_meta.get('gold_column', column.name))) }}
{%- endmacro %}
