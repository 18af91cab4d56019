{#- A savings finding's observed amount scaled to a 30-day month: amount × 30 days / the observed period,
    the period counted as at least one day so a short window is not extrapolated beyond 30×. -#}
{% macro monthly_saving(observed_amount, observed_from_ms, observed_until_ms) -%}
    {{ observed_amount }} * 30 * 86400000
    / greatest({{ observed_until_ms }} - {{ observed_from_ms }}, 86400000)
{%- endmacro %}

{#- Cost of the part of a state that falls in [window_start_ms, window_end_ms): the state's cost times
    the overlap over the state's duration (0 when they do not overlap). -#}
{% macro cost_in_window(state_cost, state_start_ms, state_end_ms, window_start_ms, window_end_ms) -%}
    {{ state_cost }}
    * greatest(
        least({{ state_end_ms }}, {{ window_end_ms }}) - greatest({{ state_start_ms }}, {{ window_start_ms }}), 0
    )
    / nullif({{ state_end_ms }} - {{ state_start_ms }}, 0)
{%- endmacro %}
