{#- DBUs of nodes of one type over a period: DBUs per node-hour x nodes x Photon multiplier x hours. The one
    formula behind cluster states, cluster costs and their reconciliation. -#}
{% macro node_dbus(hourly_dbus, node_count, photon_multiplier, hours) %}
    {{- '(' ~ hourly_dbus ~ ') * (' ~ node_count ~ ') * (' ~ photon_multiplier ~ ') * (' ~ hours ~ ')' -}}
{%- endmacro %}
