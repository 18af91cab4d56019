"""SQL query history and SQL warehouse events loaders, against the fake API and the sample workspace."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from overwatch.bronze_tables import QUARANTINE, SQL_QUERY_HISTORY, WAREHOUSE_EVENTS
from overwatch.deployment_config import WorkspaceConfig
from overwatch.fake_api import FakeDatabricksApi
from overwatch.load_context import LoadContext
from overwatch.query_history_loader import QUERY_HISTORY_PATH, load_query_history
from overwatch.run_log import LoadWindow
from overwatch.sample_workspace import generate_sample_workspace
from overwatch.warehouse_events_loader import load_warehouse_events

TOKEN_VARIABLE = "OVERWATCH_TEST_API_TOKEN"
TOKEN = "dapi-test-token-value"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("warehouse_sample")
    manifest = generate_sample_workspace(sample_dir, days=2, workspace_count=1, size="small", seed=11)
    return manifest, sample_dir


@pytest.fixture
def api(sample, monkeypatch: pytest.MonkeyPatch):
    manifest, sample_dir = sample
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    organization_id = manifest.workspaces[0].organization_id
    with FakeDatabricksApi(
        sample_dir / "api" / f"{organization_id}.sqlite", token=TOKEN, page_size=4
    ) as server:
        yield server


def workspace_config(sample, api_host: str, warehouse_events_path: Path | None) -> WorkspaceConfig:
    manifest, sample_dir = sample
    summary = manifest.workspaces[0]
    return WorkspaceConfig(
        organization_id=summary.organization_id,
        workspace_name=summary.workspace_name,
        cloud=summary.cloud,
        api_host=api_host,
        token_env_var=TOKEN_VARIABLE,
        audit_log_path=str(sample_dir / "audit_logs"),
        warehouse_events_path=str(warehouse_events_path) if warehouse_events_path else None,
    )


@pytest.fixture
def context(spark, isolated_target, sample, api) -> LoadContext:
    _, sample_dir = sample
    workspace = workspace_config(sample, api.host, sample_dir / "warehouse_events")
    return LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)


def generated_queries(sample) -> list[tuple[str, int, int]]:
    manifest, sample_dir = sample
    path = sample_dir / "api" / f"{manifest.workspaces[0].organization_id}.sqlite"
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT query_id, start_time_ms, end_time_ms FROM sql_queries ORDER BY start_time_ms"
        ).fetchall()


def bronze(context: LoadContext, table_name: str):
    return context.spark.table(context.target.bronze_table(table_name))


def at_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def test_query_history_pages_through_every_query_with_metrics_once(context, sample, api):
    manifest, _ = sample
    queries = generated_queries(sample)
    window = LoadWindow(manifest.start_time, manifest.end_time)

    inserted = load_query_history(context, window)
    inserted_again = load_query_history(context, window)

    assert inserted == len(queries) > api.page_size
    assert inserted_again == 0
    pages = [request for request in api.requests_served if request[1] == QUERY_HISTORY_PATH]
    assert len(pages) == 2 * -(-len(queries) // api.page_size)
    landed = bronze(context, SQL_QUERY_HISTORY.name).collect()
    assert {row.query_id for row in landed} == {query_id for query_id, _, _ in queries}
    assert all(row.is_final and json.loads(row.raw_json)["metrics"]["total_time_ms"] > 0 for row in landed)


def test_a_query_running_at_the_window_end_is_reread_and_its_finished_version_lands(context, sample, api):
    manifest, _ = sample
    queries = generated_queries(sample)
    running_id, start_ms, end_ms = next(query for query in queries if query[2] - query[1] >= 2)
    window_end_ms = (start_ms + end_ms) // 2
    api.as_of_ms = window_end_ms

    load_query_history(context, LoadWindow(manifest.start_time, at_ms(window_end_ms)))
    first_versions = {row.query_id: row for row in bronze(context, SQL_QUERY_HISTORY.name).collect()}
    api.as_of_ms = None
    load_query_history(context, LoadWindow(at_ms(window_end_ms), manifest.end_time))

    assert first_versions[running_id].status == "RUNNING"
    assert not first_versions[running_id].is_final
    assert first_versions[running_id].query_end_time_ms is None
    versions = [
        row for row in bronze(context, SQL_QUERY_HISTORY.name).collect() if row.query_id == running_id
    ]
    assert sorted(row.is_final for row in versions) == [False, True]
    finished = next(row for row in versions if row.is_final)
    assert finished.query_end_time_ms == end_ms
    # Queries already finished at the first load are listed again by the re-read but add nothing.
    rows = bronze(context, SQL_QUERY_HISTORY.name).collect()
    assert len(rows) == len(queries) + sum(not row.is_final for row in first_versions.values())


def test_warehouse_events_load_from_files_once_and_quarantine_bad_lines(
    spark, isolated_target, sample, api, tmp_path
):
    manifest, sample_dir = sample
    events_dir = tmp_path / "warehouse_events"
    shutil.copytree(sample_dir / "warehouse_events", events_dir)
    events_file = next(events_dir.rglob("*.json"))
    good_lines = events_file.read_text().splitlines()
    with events_file.open("a") as handle:
        handle.write('{"warehouse_id": "w1", "event_type": "RUNNING"\n')
        handle.write('{"warehouse_id": "w1", "event_type": "RUNNING", "cluster_count": 1}\n')
    window = LoadWindow(manifest.start_time, manifest.end_time)
    without_source = workspace_config(sample, api.host, None)
    skipped = load_warehouse_events(
        LoadContext(spark, isolated_target, without_source, "run-0", progress=lambda _message: None), window
    )
    workspace = workspace_config(sample, api.host, events_dir)
    context = LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)

    first = load_warehouse_events(context, window)
    second = load_warehouse_events(context, window)

    assert skipped == 0  # locally there is no system table to fall back on
    assert first == len(good_lines)
    assert second == 0
    landed = bronze(context, WAREHOUSE_EVENTS.name).collect()
    assert {row.event_type for row in landed} <= {
        "STARTING",
        "RUNNING",
        "SCALED_UP",
        "SCALED_DOWN",
        "STOPPING",
        "STOPPED",
    }
    assert all(row.workspace_id == manifest.workspaces[0].organization_id for row in landed)
    reasons = sorted(row.reason for row in bronze(context, QUARANTINE.name).collect())
    assert len(reasons) == 2
    assert reasons[0].startswith("malformed JSON")
    assert reasons[1] == "missing or mistyped required field(s): event_time"
