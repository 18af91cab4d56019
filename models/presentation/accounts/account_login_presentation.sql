{#- About people: built only when the deployment config turns personal-data views on. -#}
{{ config(enabled=var('personal_data_expose_views', false)) }}

{{ presentation_view('account_login') }}
