"""A load run commits each bronze table at most once, whatever the number of workspaces and modules, plus
once for the run log; and a run killed between two of those commits resumes without losing or doubling
a row.

Commits are counted in each Iceberg table's own `snapshots` metadata table, before and after the run.
The sample workspace (2 workspaces, every module: delivered audit logs at workspace and account level,
the REST API served by the fake API, warehouse events, Spark event logs, the usage ledger and the bill)
is loaded by `run_loaders` as `make demo` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from overwatch.bronze_tables import ALL_TABLES, AUDIT_LOG, FILE_TRACKER, PIPELINE_REPORT, create_bronze_tables
from overwatch.commit_metrics import commit_count
from overwatch.demo import DEMO_TOKEN_VARIABLE, demo_config
from overwatch.deployment_config import DeploymentConfig, parse_config
from overwatch.fake_api import FakeDatabricksApi
from overwatch.lakehouse import Target
from overwatch.pipeline import RunSummary, run_loaders
from overwatch.run_log import SUCCEEDED
from overwatch.sample_workspace import generate_sample_workspace
from overwatch.sample_workspace.generator import SampleWorkspaceManifest
from overwatch.scan_metrics import SqlExecutionLog

TOKEN = "dapi-commit-test-token"
BRONZE_DATA_TABLES = [table.name for table in ALL_TABLES if table.name != PIPELINE_REPORT.name]


@dataclass(frozen=True)
class Sample:
    manifest: SampleWorkspaceManifest
    directory: Path


class KilledAfter(Exception):
    """Stands for the process dying right after a given table's commit."""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    directory = tmp_path_factory.mktemp("commit_sample")
    manifest = generate_sample_workspace(directory, days=1, workspace_count=2, size="small", seed=11)
    return Sample(manifest, directory)


@pytest.fixture(scope="module")
def served_config(sample: Sample) -> Iterator[DeploymentConfig]:
    """The demo's deployment config for the sample, its workspaces' APIs served on loopback."""
    with pytest.MonkeyPatch.context() as patch, ExitStack() as servers:
        patch.setenv(DEMO_TOKEN_VARIABLE, TOKEN)
        hosts = {
            workspace.organization_id: servers.enter_context(
                FakeDatabricksApi(
                    sample.directory / "api" / f"{workspace.organization_id}.sqlite",
                    token=TOKEN,
                    page_size=50,
                )
            ).host
            for workspace in sample.manifest.workspaces
        }
        yield parse_config(demo_config(sample.manifest, hosts, sample.directory), "commit-test")


def schema_target(spark, local_target: Target, schema: str) -> Target:
    target = replace(local_target, schema=schema)
    create_bronze_tables(spark, target)
    return target


def commits_per_table(spark, target: Target) -> dict[str, int]:
    return {table.name: commit_count(spark, target, target.bronze_table(table.name)) for table in ALL_TABLES}


def row_counts(spark, target: Target) -> dict[str, int]:
    return {name: spark.table(target.bronze_table(name)).count() for name in BRONZE_DATA_TABLES}


def load(spark, target: Target, config: DeploymentConfig, sample: Sample, **kwargs) -> RunSummary:
    return run_loaders(config, target, spark, until=sample.manifest.end_time, **kwargs)


@dataclass(frozen=True)
class CleanRun:
    target: Target
    summary: RunSummary
    commits_before: dict[str, int]
    commits_after: dict[str, int]


@pytest.fixture(scope="module")
def clean_run(spark, local_target: Target, served_config: DeploymentConfig, sample: Sample) -> CleanRun:
    target = schema_target(spark, local_target, "t_commits_clean")
    before = commits_per_table(spark, target)
    summary = load(spark, target, served_config, sample, progress=lambda _message: None)
    return CleanRun(target, summary, before, commits_per_table(spark, target))


def test_a_load_run_of_two_workspaces_commits_each_table_at_most_once(spark, clean_run: CleanRun):
    assert {run.status for run in clean_run.summary.module_runs} == {SUCCEEDED}
    assert len({run.organization_id for run in clean_run.summary.module_runs} - {"0"}) == 2
    added = {
        name: clean_run.commits_after[name] - clean_run.commits_before[name]
        for name in clean_run.commits_after
    }
    assert added[PIPELINE_REPORT.name] == 1
    assert all(commits <= 1 for commits in added.values()), added
    # Every table the run wrote rows to was committed, once: nothing was written outside the count.
    written = {name for name, rows in row_counts(spark, clean_run.target).items() if rows}
    assert written and {name for name, commits in added.items() if commits} >= written


def test_rows_written_are_the_rows_each_table_holds(spark, clean_run: CleanRun):
    """Each module's rows_written (from the commit's own metrics, split by organization where several
    workspaces wrote one table) adds up to the rows its table holds after the run."""
    rows_by_table = row_counts(spark, clean_run.target)
    audit = spark.table(clean_run.target.bronze_table(AUDIT_LOG.name))
    per_organization = {
        row.organization_id: row[1] for row in audit.groupBy("organization_id").count().collect()
    }
    audit_runs = {
        run.organization_id: run.rows_written
        for run in clean_run.summary.module_runs
        if run.module_name in ("audit_logs", "account_audit_logs")
    }
    assert audit_runs == per_organization
    assert sum(audit_runs.values()) == rows_by_table[AUDIT_LOG.name]
    snapshots = sum(
        run.rows_written for run in clean_run.summary.module_runs if run.module_name == "clusters"
    )
    assert snapshots == rows_by_table["clusters_snapshot_bronze"] > 0


def test_a_run_killed_between_commits_resumes_without_loss_or_doubles(
    spark, local_target: Target, served_config: DeploymentConfig, sample: Sample, clean_run: CleanRun
):
    target = schema_target(spark, local_target, "t_commits_killed")

    def die_after_audit_commit(message: str) -> None:
        if message.startswith(f"commit {AUDIT_LOG.name}:"):
            raise KilledAfter(message)

    with pytest.raises(KilledAfter):
        load(spark, target, served_config, sample, progress=die_after_audit_commit)
    # The audit rows are committed; nothing claims them yet: no file is tracked, no watermark moved.
    assert (
        spark.table(target.bronze_table(AUDIT_LOG.name)).count()
        == row_counts(spark, clean_run.target)[AUDIT_LOG.name]
    )
    assert spark.table(target.bronze_table(FILE_TRACKER.name)).count() == 0
    assert spark.table(target.bronze_table(PIPELINE_REPORT.name)).count() == 0

    resumed = load(spark, target, served_config, sample, progress=lambda _message: None)

    assert {run.status for run in resumed.module_runs} == {SUCCEEDED}
    assert row_counts(spark, target) == row_counts(spark, clean_run.target)
    audit_rows = [run.rows_written for run in resumed.module_runs if run.module_name.endswith("audit_logs")]
    assert audit_rows and set(audit_rows) == {0}
    # A re-run of the same windows finds every module up to date and commits nothing; over tables that
    # exist it issues no DDL either (one listing of the schema, no `create ... if not exists` per table).
    commits = commits_per_table(spark, target)
    executions = SqlExecutionLog(spark)
    assert load(spark, target, served_config, sample, progress=lambda _message: None).module_runs == ()
    plan_nodes = {node for run in executions.executions() for node in executions.plan_nodes(run.execution_id)}
    assert plan_nodes and not {node for node in plan_nodes if node.startswith("Create")}, plan_nodes
    assert commits_per_table(spark, target) == commits
