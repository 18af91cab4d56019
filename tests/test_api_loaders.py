"""API snapshot and cluster events loaders, and the run log, against the fake API through databricks-sdk."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from overwatch.api_snapshot_loader import load_api_snapshot, load_job_runs
from overwatch.bronze_tables import CLUSTER_EVENTS, JOB_RUNS, PIPELINE_REPORT, api_snapshot_table
from overwatch.cluster_events_loader import LOOKBACK, load_cluster_events
from overwatch.deployment_config import Scope, WorkspaceConfig, parse_config
from overwatch.fake_api import FakeDatabricksApi, load_recorded_responses
from overwatch.load_context import LoadContext
from overwatch.pipeline import run_loaders
from overwatch.run_log import FAILED, SUCCEEDED, LoadWindow, epoch_ms
from overwatch.sample_workspace import generate_sample_workspace

TOKEN_VARIABLE = "OVERWATCH_TEST_API_TOKEN"
TOKEN = "dapi-test-token-value"
SHARED_API_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "api"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("sample")
    manifest = generate_sample_workspace(sample_dir, days=3, workspace_count=1, size="small", seed=7)
    return manifest, sample_dir


@pytest.fixture
def api(sample, monkeypatch: pytest.MonkeyPatch):
    manifest, sample_dir = sample
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    organization_id = manifest.workspaces[0].organization_id
    with FakeDatabricksApi(
        sample_dir / "api" / f"{organization_id}.sqlite", token=TOKEN, page_size=3
    ) as server:
        yield server


@pytest.fixture
def workspace(sample, api) -> WorkspaceConfig:
    manifest, sample_dir = sample
    summary = manifest.workspaces[0]
    return WorkspaceConfig(
        organization_id=summary.organization_id,
        workspace_name=summary.workspace_name,
        cloud=summary.cloud,
        api_host=api.host,
        token_env_var=TOKEN_VARIABLE,
        audit_log_path=str(sample_dir / "audit_logs"),
    )


@pytest.fixture
def context(spark, isolated_target, workspace) -> LoadContext:
    return LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)


@pytest.fixture
def window(sample) -> LoadWindow:
    manifest, _ = sample
    return LoadWindow(manifest.start_time, manifest.end_time)


def sample_rows(sample, query: str, parameters: tuple = ()) -> list[tuple]:
    manifest, sample_dir = sample
    path = sample_dir / "api" / f"{manifest.workspaces[0].organization_id}.sqlite"
    with sqlite3.connect(path) as connection:
        return connection.execute(query, parameters).fetchall()


def bronze(context: LoadContext, table_name: str):
    return context.spark.table(context.target.bronze_table(table_name))


def test_clusters_snapshot_keeps_every_cluster_and_its_raw_json(context, window, sample):
    expected = {
        row[0]: json.loads(row[1]) for row in sample_rows(sample, "select cluster_id, json from clusters")
    }
    expected = {key: value for key, value in expected.items() if not _deleted(sample, key)}

    assert load_api_snapshot(context, window, entity="clusters") == len(expected)

    rows = bronze(context, api_snapshot_table("clusters").name).collect()
    assert {row.entity_id: json.loads(row.raw_json) for row in rows} == expected
    assert {row.source_request for row in rows} == {"GET /api/2.1/clusters/list"}
    assert {row.snapshot_time.astimezone(UTC) for row in rows} == {window.until_time}


def _deleted(sample, cluster_id: str) -> bool:
    (deleted,) = sample_rows(
        sample, "select deleted_time_ms from clusters where cluster_id = ?", (cluster_id,)
    )[0]
    return deleted is not None


def test_jobs_snapshot_carries_tasks(context, window, sample):
    loaded = load_api_snapshot(context, window, entity="jobs")
    assert loaded == len(sample_rows(sample, "select job_id from jobs where deleted_time_ms is null"))
    jobs = [json.loads(row.raw_json) for row in bronze(context, api_snapshot_table("jobs").name).collect()]
    assert all(job["settings"]["tasks"] for job in jobs)


def test_throttling_and_server_errors_lose_nothing(context, window, api):
    api.inject_failures("/api/2.1/clusters/list", 429, 2, retry_after_seconds=0)
    api.inject_failures("/api/2.1/clusters/list", 500, 2)
    loaded = load_api_snapshot(context, window, entity="clusters")
    failures_served = [
        status for _method, path, status in api.requests_served if path.endswith("clusters/list")
    ]
    assert failures_served.count(429) == 2 and failures_served.count(500) == 2
    assert loaded == bronze(context, api_snapshot_table("clusters").name).count() > 0


def test_snapshot_of_the_same_window_twice_adds_nothing(context, window):
    first = load_api_snapshot(context, window, entity="instance_pools")
    assert load_api_snapshot(context, window, entity="instance_pools") == 0
    assert bronze(context, api_snapshot_table("instance_pools").name).count() == first


def test_cluster_events_follow_every_cluster_with_paging_and_lookback(context, window, sample):
    from overwatch.audit_log_loader import load_audit_logs

    load_audit_logs(context, window)
    load_api_snapshot(context, window, entity="clusters")
    start_ms = epoch_ms(window.from_time - LOOKBACK)
    end_ms = epoch_ms(window.until_time)
    expected = sample_rows(
        sample,
        "select cluster_id, type, timestamp_ms from cluster_events where timestamp_ms between ? and ?",
        (start_ms, end_ms),
    )

    inserted = load_cluster_events(context, window)

    loaded = [
        (row.cluster_id, row.type, row.timestamp) for row in bronze(context, CLUSTER_EVENTS.name).collect()
    ]
    assert sorted(loaded) == sorted(set(expected))
    assert inserted == len(loaded)
    assert load_cluster_events(context, window) == 0


def test_a_failed_module_is_retried_from_its_own_watermark(spark, isolated_target, workspace, api, sample):
    manifest, _ = sample
    config = parse_config(
        {
            "workspaces": [workspace.model_dump()],
            "dbu_contract_prices": {
                "interactive": 0.55,
                "automated": 0.3,
                "jobs_light": 0.1,
                "sql_compute": 0.22,
                "serverless": 0.7,
            },
            "primordial_date": manifest.start_date.isoformat(),
            "max_days_per_run": 2,
            "skip_scopes": [Scope.AUDIT_LOGS.value, Scope.CLUSTER_EVENTS.value],
        }
    )
    first_until = manifest.start_time + timedelta(days=1)
    # A token without the right on one API fails that module at once (403 is not retried).
    api.inject_failures("/api/2.2/jobs/list", 403, 1)

    first = run_loaders(config, isolated_target, spark, until=first_until, progress=lambda _message: None)
    second = run_loaders(config, isolated_target, spark, until=first_until, progress=lambda _message: None)

    statuses = {run.module_name: run.status for run in first.module_runs}
    assert statuses.pop("jobs") == FAILED
    assert set(statuses.values()) == {SUCCEEDED}
    (failed,) = first.failed
    assert "PermissionDenied" in failed.error_message and TOKEN not in failed.error_message
    assert [(run.module_name, run.status) for run in second.module_runs] == [("jobs", SUCCEEDED)]
    report = bronze_rows = spark.table(isolated_target.bronze_table(PIPELINE_REPORT.name)).collect()
    assert len(report) == len(first.module_runs) + 1
    assert {row.until_time.astimezone(UTC) for row in bronze_rows} == {first_until}


def test_recorded_real_api_responses_land_in_bronze_unchanged(spark, isolated_target, tmp_path, monkeypatch):
    """Answers recorded from real workspaces (shared samples) reach bronze through the SDK unchanged."""
    recorded = SHARED_API_SAMPLES / "terraform_provider_databricks"
    clusters_listing = json.loads((recorded / "clusters-list-response.json").read_text())["clusters"]
    database = tmp_path / "recorded.sqlite"
    load_recorded_responses(
        database,
        clusters_list=recorded / "clusters-list-response.json",
        jobs_list=recorded / "get-jobs-list.json",
        instance_pools=[recorded / "get-instance-pool1.json"],
        sql_warehouses_list=recorded / "get-sql-endpoints.json",
        cluster_policies=[recorded / "get-cluster-policy.json"],
    )
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    with FakeDatabricksApi(database, token=TOKEN, page_size=2) as server:
        workspace = WorkspaceConfig(
            organization_id="1",
            workspace_name="recorded",
            cloud="aws",
            api_host=server.host,
            token_env_var=TOKEN_VARIABLE,
            audit_log_path=str(tmp_path),
        )
        context = LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)
        window = LoadWindow(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
        loaded = {
            entity: load_api_snapshot(context, window, entity=entity)
            for entity in ("clusters", "jobs", "instance_pools", "sql_warehouses", "cluster_policies")
        }

    assert loaded == {
        "clusters": len(clusters_listing),
        # The recording lists job 15 twice; a snapshot holds each object once.
        "jobs": len(
            {job["job_id"] for job in json.loads((recorded / "get-jobs-list.json").read_text())["jobs"]}
        ),
        "instance_pools": 1,
        "sql_warehouses": 1,
        "cluster_policies": 1,
    }
    stored = {
        row.entity_id: json.loads(row.raw_json)
        for row in bronze(context, api_snapshot_table("clusters").name).collect()
    }
    assert stored == {cluster["cluster_id"]: cluster for cluster in clusters_listing}


def test_job_runs_of_the_window_and_runs_still_active_are_snapshotted(context, window, sample, api):
    start_ms, end_ms = epoch_ms(window.from_time), epoch_ms(window.until_time)
    started_in_window = {
        str(run_id)
        for (run_id,) in sample_rows(
            sample, "select run_id from job_runs where start_time_ms between ? and ?", (start_ms, end_ms - 1)
        )
    }
    assert started_in_window

    loaded = load_job_runs(context, window)

    rows = bronze(context, JOB_RUNS.name).collect()
    assert loaded == len(rows) == len(started_in_window)
    assert {row.entity_id for row in rows} == started_in_window
    assert all(json.loads(row.raw_json)["tasks"] for row in rows)
    requests = [path for _method, path, _status in api.requests_served if path.endswith("runs/list")]
    assert len(requests) > 2, "runs are paged"
    assert load_job_runs(context, window) == 0
