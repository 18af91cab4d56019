"""The main job end to end on the embedded engine: generate, serve, load, dbt build, and load again (the lake
is built in tests/end_to_end/conftest.py)."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from end_to_end.end_to_end_lake import FULL_REFRESH_SCHEMA, SCHEMA
from overwatch.bronze_tables import (
    ACCOUNT_ORGANIZATION_ID,
    ALL_TABLES,
    AUDIT_LOG,
    CLUSTER_EVENTS,
    CLUSTER_USAGE_REFERENCE,
    PIPELINE_REPORT,
)
from overwatch.dbt_runner import run_dbt
from overwatch.demo import serve_and_load
from overwatch.deployment_config import Scope
from overwatch.lakehouse import load_target
from overwatch.layer_summary import count_rows_per_layer, format_summary
from overwatch.pipeline import account_modules_to_run, modules_to_run
from overwatch.run_log import LoadWindow
from table_equality import table_difference

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "overview.md"
GUIDE_QUERY = re.compile(r"```sql\n(.*?)```", re.DOTALL)
GUIDE_VIEW = re.compile(r"overwatch_presentation\.(\w+)")
# Built only with personal_data.expose_views, which this build leaves off.
PERSONAL_DATA_VIEWS = {"accountlogin", "accountmod"}


def bronze_counts(spark, target) -> dict[str, int]:
    return {table.name: spark.table(target.bronze_table(table.name)).count() for table in ALL_TABLES}


def counts_by_workspace(spark, target, table_name: str) -> dict[str, int]:
    rows = spark.table(target.bronze_table(table_name)).groupBy("organization_id").count().collect()
    return {row.organization_id: row["count"] for row in rows}


def test_every_module_of_every_workspace_succeeds_in_both_runs(first_run, loaded, sample):
    manifest, _ = sample
    config, first_load = loaded
    first_summary, _states = first_run
    # Workspace modules run for each workspace, account modules (account audit events, the bill) once per run.
    workspace_modules, account_modules = len(modules_to_run(config)), len(account_modules_to_run(config))
    assert workspace_modules + account_modules == len(Scope) and account_modules > 0
    for summary in (first_summary, first_load):
        assert not summary.failed, [(run.module_name, run.error_message) for run in summary.failed]
        assert len(summary.module_runs) == workspace_modules * len(manifest.workspaces) + account_modules
    assert {run.window.from_time for run in first_load.module_runs} == {
        manifest.start_time + timedelta(days=4)
    }


def test_bronze_holds_each_audit_event_once(spark, first_load, sample):
    manifest, _ = sample
    target = load_target()
    expected = {workspace.organization_id: workspace.audit_events for workspace in manifest.workspaces}
    # Account-level events, delivered under workspaceId=0, are loaded once under organization_id 0.
    expected[ACCOUNT_ORGANIZATION_ID] = manifest.account_audit_events
    assert counts_by_workspace(spark, target, AUDIT_LOG.name) == expected
    assert all(workspace.audit_duplicate_lines > 0 for workspace in manifest.workspaces)


def test_bronze_holds_every_cluster_event_of_the_window(spark, first_load, sample):
    manifest, sample_dir = sample
    start = manifest.start_time - timedelta(days=1)
    end = manifest.end_time
    expected = {}
    for workspace in manifest.workspaces:
        with sqlite3.connect(sample_dir / "api" / f"{workspace.organization_id}.sqlite") as connection:
            (expected[workspace.organization_id],) = connection.execute(
                "select count(*) from cluster_events where timestamp_ms between ? and ?",
                (int(start.timestamp() * 1000), int(end.timestamp() * 1000)),
            ).fetchone()
    assert counts_by_workspace(spark, load_target(), CLUSTER_EVENTS.name) == expected


def test_bronze_holds_the_usage_ledger_of_each_workspace(spark, first_load, sample):
    _manifest, sample_dir = sample
    ledger = spark.read.csv(str(sample_dir / "ledger" / "cluster_intervals.csv"), header=True)
    expected = {
        row.organization_id: row["count"] for row in ledger.groupBy("organization_id").count().collect()
    }
    assert counts_by_workspace(spark, load_target(), CLUSTER_USAGE_REFERENCE.name) == expected


def test_loading_the_same_window_again_changes_no_bronze_table(spark, first_load, sample):
    manifest, sample_dir = sample
    target = load_target()
    report = target.bronze_table(PIPELINE_REPORT.name)
    before = bronze_counts(spark, target)
    # Forget the second run's watermarks, so the next run loads exactly its window again.
    second_window_start = manifest.start_time + timedelta(days=4)
    spark.sql(f"delete from {report} where from_time >= timestamp '{second_window_start:%Y-%m-%d %H:%M:%S}'")
    report_rows_kept = spark.table(report).count()

    _config, repeated_load = serve_and_load(manifest, sample_dir)

    assert not repeated_load.failed
    assert {run.window for run in repeated_load.module_runs} == {
        LoadWindow(second_window_start, manifest.end_time)
    }
    after = bronze_counts(spark, target)
    assert after.pop(PIPELINE_REPORT.name) == report_rows_kept + len(repeated_load.module_runs)
    before.pop(PIPELINE_REPORT.name)
    assert after == before
    assert all(run.rows_written == 0 for run in repeated_load.module_runs)


def test_dbt_build_passes_and_fills_every_layer(spark, second_build, sample):
    """The build includes every dbt test: keys, contracts, type-2 seeds and the 0.5% DBU reconciliation."""
    manifest, _ = sample
    counts = count_rows_per_layer(spark, load_target())
    print(format_summary(counts))
    # The Hive metastore may hand names back lower-cased (clusterStateFact).
    rows = {(count.layer, count.name.lower()): count.rows for count in counts}
    assert rows[("presentation", "cluster")] == rows[("gold", "cluster_v1")] > 0
    assert rows[("presentation", "clusterstatefact")] == rows[("gold", "cluster_state_fact_v1")] > 0
    assert rows[("silver", "cluster_silver")] > 0
    run_costs = rows[("gold", "job_run_cost_potential_fact_v1")]
    assert rows[("presentation", "jobruncostpotentialfact")] == run_costs > 0
    workspaces = spark.table(f"{SCHEMA}_presentation.cluster").select("organization_id", "workspace_name")
    assert {tuple(row) for row in workspaces.distinct().collect()} == {
        (workspace.organization_id, workspace.workspace_name) for workspace in manifest.workspaces
    }


def test_every_example_query_of_the_guide_runs_on_its_view(spark, second_build):
    """The data engineering guide on the docs site shows a query per presentation view: each one runs."""
    # dbt's incremental models leave session temporary views (`*__dbt_tmp`), which every
    # `show views` lists: only the schema's own views are the presentation layer.
    views = {
        row.viewName.lower()
        for row in spark.sql(f"show views in {SCHEMA}_presentation").collect()
        if not row.isTemporary
    }
    queried = set()
    for query in GUIDE_QUERY.findall(GUIDE.read_text()):
        view = GUIDE_VIEW.search(query).group(1).lower()
        queried.add(view)
        if view in views:
            spark.sql(query.replace("overwatch_presentation.", f"{SCHEMA}_presentation.")).collect()
    assert views - queried == set()
    assert queried - views <= PERSONAL_DATA_VIEWS


def test_every_started_task_run_on_a_job_cluster_is_given_a_cost(spark, second_build):
    """Each task run that started on a job cluster gets a positive share of that cluster's cost."""
    started_on_job_clusters = spark.sql(
        f"""
        select organization_id, run_id from {SCHEMA}_gold.job_run_v1
        where cluster_type in ('job_cluster', 'new') and task_runtime.startEpochMS is not null
        """
    )
    costed = spark.sql(
        f"""
        select organization_id, run_id from {SCHEMA}_presentation.jobRunCostPotentialFact
        where total_cost > 0
        """
    )
    assert started_on_job_clusters.count() > 0
    assert started_on_job_clusters.subtract(costed).count() == 0


def test_runs_sharing_an_all_purpose_cluster_split_its_states(spark, second_build):
    """The sample submits overlapping runs onto running all-purpose clusters: they share those states."""
    shared = spark.sql(
        f"""
        select organization_id, cluster_id, unixTimeMS_state_start, sum(cluster_share) as total_share
        from {SCHEMA}_presentation.jobRunClusterStateShare
        where not isAutomated and max_concurrent_runs >= 2
        group by organization_id, cluster_id, unixTimeMS_state_start
        """
    ).collect()
    assert shared
    assert all(0 < row.total_share <= 1 + 1e-9 for row in shared)


def test_savings_view_shows_each_planted_kind_of_finding(spark, second_build, sample):
    """Each case the sample plants in every workspace (sample_workspace/savings_cases.py) is found."""
    manifest, _ = sample
    findings = spark.sql(
        f"""
        select organization_id, finding_type, entity_name, estimated_monthly_saving
        from {SCHEMA}_presentation.savings
        """
    ).collect()
    for workspace in manifest.workspaces:
        found = {
            (row.finding_type, row.entity_name)
            for row in findings
            if row.organization_id == workspace.organization_id
            and (row.estimated_monthly_saving is None or row.estimated_monthly_saving > 0)
        }
        kinds = {finding_type for finding_type, _name in found}
        assert {
            ("idle_all_purpose_cluster", "idle-no-autotermination"),
            ("long_auto_termination", "idle-no-autotermination"),
            ("long_auto_termination", "shared-etl"),
            ("scheduled_job_on_all_purpose_cluster", "shared-etl-morning-refresh"),
            ("sql_warehouse_not_scaling_down", "bi-scaled-up"),
        } <= found
        # Job clusters with event logs, the SQL warehouses and the cluster on a node type newer than the
        # catalogs are left as the simulation makes them.
        assert {"low_spark_utilisation_job", "idle_sql_warehouse", "unpriced_node_type"} <= kinds


def test_cluster_costs_reconcile_with_the_ledger_on_every_cluster_day(spark, second_build, sample):
    manifest, _ = sample
    reconciliation = spark.table(f"{SCHEMA}_silver.cluster_cost_reconciliation")
    clusters = reconciliation.select("organization_id", "cluster_id").distinct().count()
    assert clusters >= 50 * len(manifest.workspaces)


def test_a_second_run_updates_open_states_in_place(first_run, second_build):
    _summary, first_states = first_run
    # A job cluster whose TERMINATING had not arrived by the first run's end may have an imputed end then,
    # which its real TERMINATING replaces in the second: its states may change or go.
    imputed_ends = {key[:2] for key, value in first_states.items() if value[2]}
    first_states = {key: value for key, value in first_states.items() if key[:2] not in imputed_ends}
    closed_before = {key: value for key, value in first_states.items() if not value[1]}
    open_before = {key for key, value in first_states.items() if value[1]}

    assert closed_before and open_before
    assert {key: second_build[key] for key in closed_before} == closed_before
    assert open_before <= set(second_build)
    assert any(second_build[key] != first_states[key] for key in open_before)


def test_the_second_build_selects_what_the_new_data_and_the_new_until_time_reach(second_build_selection):
    build = second_build_selection
    assert build.succeeded and not build.selection.full
    assert build.selection.changed_vars == ("until_time_ms",)
    # The open cluster states end at until_time_ms: a new one rebuilds them and what reads them.
    assert {
        "model.overwatch.cluster_state_silver",
        "model.overwatch.cluster_state_fact.v1",
        "model.overwatch.cluster_state_fact_presentation",
    } <= set(build.selected)
    assert 0 < len(build.selected) <= build.node_count


def test_a_run_with_nothing_new_loads_nothing_and_builds_nothing(spark, nothing_new_build):
    summary, build = nothing_new_build
    assert not summary.failed
    assert all(run.rows_written == 0 for run in summary.module_runs)
    assert build.succeeded and not build.selection.full
    assert build.selected == ()
    assert build.result is None
    assert build.describe().startswith("0 sources fresher, 0 modified: 0 of ")


def test_a_full_refresh_build_gives_the_incremental_builds_tables_row_for_row(spark, full_refresh_build):
    """Every silver and gold table of the two incremental builds (first four days, then the rest; the
    second selecting only what the new data reaches, then a third with nothing new) holds the same rows,
    each as often, as a single --full-refresh build of the same bronze.

    Snapshots are left out: their history records the dbt runs that saw each version, so two runs keep
    versions one run never sees; the models reading them backdate a price's first version, and so are
    compared. No column is excluded: nothing the models write depends on when they were built.
    """
    tables, _seconds = full_refresh_build
    assert any(table.startswith("_gold.") for table in tables)
    assert any(table.startswith("_silver.") for table in tables)
    differences = [
        difference
        for table in tables
        if (difference := table_difference(spark, f"{SCHEMA}{table}", f"{FULL_REFRESH_SCHEMA}{table}"))
    ]
    assert not differences, "\n".join(difference.describe() for difference in differences)


def test_the_job_cluster_whose_terminating_was_lost_ends_at_its_last_task(spark, second_build, sample):
    """The planted case (sample_workspace/lost_termination_case.py): no TERMINATING event, so the end is
    imputed at the last task's end, 100 ms before the simulation stopped it (the bill has no later hour)."""
    manifest, _ = sample
    states = spark.table(f"{SCHEMA}_silver.cluster_state_silver")
    for workspace in manifest.workspaces:
        planted = workspace.lost_termination
        assert planted is not None
        rows = (
            states.where(
                f"organization_id = '{workspace.organization_id}' and cluster_id = '{planted.cluster_id}'"
            )
            .orderBy("state_start_ms")
            .collect()
        )
        running, imputed = rows[-2], rows[-1]
        assert (running.is_running, running.is_end_imputed, running.state_end_ms) == (
            True,
            True,
            planted.last_task_end_ms - 1,
        )
        assert (imputed.state, imputed.is_imputed, imputed.is_open, imputed.state_start_ms) == (
            "TERMINATING",
            True,
            True,
            planted.stopped_ms - 100,
        )
        assert sum(row.is_end_imputed for row in rows) == 1


def test_docs_catalog_lists_every_relation_with_column_types(spark, loaded, lake_dir, tmp_path):
    """Analysts read column types on the docs site: the Iceberg catalog gap is closed locally too."""
    run_dbt(["docs", "generate", "--target-path", str(tmp_path)])

    catalog = json.loads((tmp_path / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    built = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "snapshot", "seed") and node["config"].get("enabled", True)
    ]
    missing = [unique_id for unique_id in built if not catalog["nodes"].get(unique_id, {}).get("columns")]
    assert missing == []
    untyped = [
        f"{unique_id}.{name}"
        for unique_id in built
        for name, column in catalog["nodes"][unique_id]["columns"].items()
        if not column["type"]
    ]
    assert untyped == []
    assert catalog["nodes"]["model.overwatch.cluster_presentation"]["metadata"]["type"] == "view"
    assert set(catalog["sources"]) == {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if source["package_name"] == "overwatch"
    }
