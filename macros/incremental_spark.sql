{#- dbt-spark 1.10's incremental materialization (macros/materializations/incremental/incremental.sql of
    dbt-spark) with two changes: the `merge` strategy's source is computed once, into a table of its own
    (macro create_merge_source_sql), which the merge reads and which is dropped after it; and a model with
    the `merge_window_column` config merges into the partitions of the source's days only
    (macro merge_window_predicate, macros/incremental_window.sql).

    Why: dbt-spark hands the merge a temporary view of the model's SQL. Iceberg's copy-on-write MERGE then
    evaluates that view twice (the runtime group filter that finds the data files holding matches, then the
    rewrite of those files), and an incremental model's SQL (window functions over the look-back, reads of the
    model's own table) costs more than the model's full rebuild. From a table, the merge is a join of two scans.
    Spark's `cache table` does not help: a MERGE does not read a cached view's rows.
    Only the spark adapter (the local engine) uses this materialization: dbt-databricks' own incremental
    materialization is the more specific one on Databricks, so Delta builds are unchanged. -#}
{% materialization incremental, adapter='spark', supported_languages=['sql', 'python'] -%}
  {#-- Validate early so we don't run SQL if the file_format + strategy combo is invalid --#}
  {%- set raw_file_format = config.get('file_format', default='parquet') -%}
  {%- set raw_strategy = config.get('incremental_strategy') or 'append' -%}
  {%- set grant_config = config.get('grants') -%}

  {%- set file_format = dbt_spark_validate_get_file_format(raw_file_format) -%}
  {%- set strategy = dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}

  {#-- Set vars --#}

  {%- set unique_key = config.get('unique_key', none) -%}
  {%- set partition_by = config.get('partition_by', none) -%}
  {%- set language = model['language'] -%}
  {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}
  {%- set incremental_predicates = config.get('predicates', none) or config.get('incremental_predicates', none) -%}
  {%- set target_relation = this -%}
  {%- set existing_relation = load_relation(this) -%}
  {% set tmp_relation = this.incorporate(path = {"identifier": this.identifier ~ '__dbt_tmp'}) -%}

  {#-- for SQL model we will create temp view that doesn't have database and schema --#}
  {%- if language == 'sql'-%}
    {%- set tmp_relation = tmp_relation.include(database=false, schema=false) -%}
  {%- endif -%}

  {#-- Set Overwrite Mode --#}
  {%- if strategy in ['insert_overwrite', 'microbatch'] and partition_by -%}
    {%- call statement() -%}
      set spark.sql.sources.partitionOverwriteMode = DYNAMIC
    {%- endcall -%}
  {%- endif -%}

  {#-- Run pre-hooks --#}
  {{ run_hooks(pre_hooks) }}

  {#-- Incremental run logic --#}
  {%- if existing_relation is none -%}
    {#-- Relation must be created --#}
    {%- call statement('main', language=language) -%}
      {{ create_table_as(False, target_relation, compiled_code, language) }}
    {%- endcall -%}
    {% do persist_constraints(target_relation, model) %}
  {%- elif existing_relation.is_view or should_full_refresh() -%}
    {#-- Relation must be dropped & recreated --#}
    {% set is_delta = (file_format == 'delta' and existing_relation.is_delta) %}
    {% if not is_delta %} {#-- If Delta, we will `create or replace` below, so no need to drop --#}
      {% do adapter.drop_relation(existing_relation) %}
    {% endif %}
    {%- call statement('main', language=language) -%}
      {{ create_table_as(False, target_relation, compiled_code, language) }}
    {%- endcall -%}
    {% do persist_constraints(target_relation, model) %}
  {%- else -%}
    {#-- Relation must be merged --#}
    {%- set merge_from_table = language == 'sql' and strategy == 'merge' -%}
    {%- if merge_from_table -%}
      {#-- This project's change: the merge source as a table, computed once --#}
      {%- set tmp_relation = merge_source_relation(target_relation) -%}
      {%- call statement('create_tmp_relation') -%}
        {{ create_merge_source_sql(tmp_relation, compiled_code) }}
      {%- endcall -%}
    {%- else -%}
      {%- call statement('create_tmp_relation', language=language) -%}
        {{ create_table_as(True, tmp_relation, compiled_code, language) }}
      {%- endcall -%}
    {%- endif -%}
    {%- do process_schema_changes(on_schema_change, tmp_relation, existing_relation) -%}
    {#-- This project's change: a model with a merge window merges into its recent partitions only --#}
    {%- set window_predicate = merge_window_predicate(tmp_relation) if merge_from_table else none -%}
    {%- if window_predicate -%}
      {%- set incremental_predicates = (incremental_predicates or []) + [window_predicate] -%}
    {%- endif -%}
    {%- call statement('main') -%}
      {{ dbt_spark_get_incremental_sql(strategy, tmp_relation, target_relation, existing_relation, unique_key, incremental_predicates) }}
    {%- endcall -%}
    {%- if merge_from_table -%}
      {%- call statement('drop_merge_source') -%}
        {{ drop_merge_source_sql(tmp_relation) }}
      {%- endcall -%}
    {%- endif -%}
    {%- if language == 'python' -%}
      {#--
      This is yucky.
      See note in dbt-spark/dbt/include/spark/macros/adapters.sql
      re: python models and temporary views.

      Also, why do neither drop_relation or adapter.drop_relation work here?!
      --#}
      {% call statement('drop_relation') -%}
        drop table if exists {{ tmp_relation }}
      {%- endcall %}
    {%- endif -%}
  {%- endif -%}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}

{%- endmaterialization %}

{#- The table an incremental merge reads its source from, named after the model's, in a namespace named after
    the model's schema of the session's `merge_sources` catalog: a path-based (hadoop) Iceberg catalog under the
    warehouse directory, which the first merge of a session defines. Dropping a table there deletes its
    directory; the Hive catalog's DROP ... PURGE runs a Spark job to delete the files, 0.4-0.5 s for each
    incremental model. dbt-spark renders no catalog, so the catalog leads the schema name. -#}
{% macro merge_source_relation(target) -%}
    {%- set catalog_conf = 'spark.sql.catalog.merge_sources' -%}
    {%- if run_query('set ' ~ catalog_conf).columns[1].values()[0] == '<undefined>' -%}
        {%- set warehouse_dir = run_query('set spark.sql.warehouse.dir').columns[1].values()[0] -%}
        {#- The catalog's own key last: a model on another thread that finds it set must find the catalog's
            type and warehouse set too (dbt runs models on several threads of one session). -#}
        {%- do run_query('set ' ~ catalog_conf ~ '.type=hadoop') -%}
        {%- do run_query('set ' ~ catalog_conf ~ '.warehouse=' ~ warehouse_dir ~ '/_merge_sources') -%}
        {%- do run_query('set ' ~ catalog_conf ~ '=org.apache.iceberg.spark.SparkCatalog') -%}
    {%- endif -%}
    {{ return(target.incorporate(path={
        "database": none,
        "schema": "merge_sources." ~ target.schema,
        "identifier": target.identifier ~ "__dbt_merge_source",
    })) }}
{%- endmacro %}

{#- The model's SQL written once into the merge source table (replacing one a failed run left behind). -#}
{% macro create_merge_source_sql(relation, compiled_code) -%}
    create or replace table {{ relation }}
    {{ file_format_clause() }}
    as
    {{ compiled_code }}
{%- endmacro %}

{#- The merge source table dropped once the merge has committed: its catalog deletes the files with it. -#}
{% macro drop_merge_source_sql(relation) -%}
    drop table if exists {{ relation }}
{%- endmacro %}
