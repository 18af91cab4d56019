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


{#- Cloud of a workspace (AWS, AZURE or GCP, as instance_details names them) for an organization_id, from the
    `workspace_clouds` var (organization_id -> cloud) the pipeline fills from the deployment config; null
    for a workspace the var does not name. -#}
{% macro workspace_cloud(organization_id_column) %}
    {%- set workspace_clouds = var('workspace_clouds', {}) -%}
    {%- if workspace_clouds -%}
        case {{ organization_id_column }}
            {%- for organization_id, cloud in workspace_clouds.items() %}
            when '{{ organization_id }}' then '{{ cloud | upper }}'
            {%- endfor %}
        end
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{% endmacro %}
