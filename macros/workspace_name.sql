{#- Workspace name for an organization_id, from the `workspace_names` var (organization_id -> name),
    which the pipeline fills from the deployment config. Spark and Databricks SQL escape quotes in
    string literals with a backslash. -#}
{% macro workspace_name(organization_id_column) %}
    {%- set workspace_names = var('workspace_names', {}) -%}
    {%- if workspace_names -%}
        case {{ organization_id_column }}
            {%- for organization_id, name in workspace_names.items() %}
            when '{{ organization_id }}' then '{{ name | replace("\\", "\\\\") | replace("'", "\\'") }}'
            {%- endfor %}
        end
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{% endmacro %}
