"""The sample-workspace generator: deterministic, in Databricks' formats, and self-consistent."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
import sqlite3
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from overwatch.sample_workspace import generate_sample_workspace

REQUIRED_AUDIT_FIELDS = (
    "version", "auditLevel", "timestamp", "orgId", "shardName", "accountId", "sourceIPAddress", "userAgent",
    "sessionId", "userIdentity", "serviceName", "actionName", "requestId", "requestParams", "response",
)  # fmt: skip
COUNT_EVENTS = ("RUNNING", "RESIZING", "UPSIZE_COMPLETED")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sample")
    generate_sample_workspace(output, days=3, workspace_count=2, size="small", seed=7)
    return output


@pytest.fixture(scope="module")
def manifest(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "manifest.json").read_text())


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _audit_lines(sample_dir: Path) -> list[str]:
    return [
        line
        for path in sorted(sample_dir.rglob("auditlogs_*.json"))
        for line in path.read_text().splitlines()
    ]


def _ledger(sample_dir: Path) -> dict[str, list[dict]]:
    rows_by_cluster: dict[str, list[dict]] = defaultdict(list)
    with (sample_dir / "ledger" / "cluster_intervals.csv").open() as file:
        for row in csv.DictReader(file):
            rows_by_cluster[row["cluster_id"]].append(row)
    return {
        cluster: sorted(rows, key=lambda row: int(row["interval_start_ms"]))
        for cluster, rows in rows_by_cluster.items()
    }


def _events(sample_dir: Path) -> dict[str, list[dict]]:
    events: dict[str, list[dict]] = defaultdict(list)
    for database in sorted((sample_dir / "api").glob("*.sqlite")):
        with sqlite3.connect(database) as connection:
            for (text,) in connection.execute("SELECT json FROM cluster_events ORDER BY sequence"):
                event = json.loads(text)
                events[event["cluster_id"]].append(event)
    return events


def test_same_seed_gives_byte_identical_output(sample_dir: Path, tmp_path: Path) -> None:
    generate_sample_workspace(tmp_path, days=3, workspace_count=2, size="small", seed=7)
    assert _file_hashes(tmp_path) == _file_hashes(sample_dir)


def test_another_seed_gives_another_workspace(sample_dir: Path, tmp_path: Path) -> None:
    generate_sample_workspace(tmp_path, days=3, workspace_count=2, size="small", seed=8)
    assert _file_hashes(tmp_path) != _file_hashes(sample_dir)


def test_layout_follows_audit_log_delivery_and_manifest(sample_dir: Path, manifest: dict) -> None:
    assert (manifest["start_date"], manifest["end_date"], manifest["days"]) == ("2026-01-05", "2026-01-08", 3)
    assert [workspace["cloud"] for workspace in manifest["workspaces"]] == ["aws", "azure"]
    for workspace in manifest["workspaces"]:
        organization_id = workspace["organization_id"]
        assert re.fullmatch(r"\d{16}", organization_id)
        assert (sample_dir / "api" / f"{organization_id}.sqlite").is_file()
        folder = sample_dir / "audit_logs" / f"workspaceId={organization_id}"
        assert sorted(path.name for path in folder.iterdir()) == [
            "date=2026-01-05", "date=2026-01-06", "date=2026-01-07",
        ]  # fmt: skip
        files = list(folder.rglob("*.json"))
        assert len(files) == workspace["audit_files"]
        assert all(re.fullmatch(r"auditlogs_[0-9a-f]{32}\.json", path.name) for path in files)
        active_per_day = workspace["active_clusters_per_day"]
        assert min(active_per_day) >= 6 and max(active_per_day) <= 14
    account_folder = sample_dir / "audit_logs" / "workspaceId=0"
    assert len(list(account_folder.rglob("auditlogs_*.json"))) == manifest["account_audit_files"] > 0


def test_every_audit_line_is_a_delivery_schema_event(sample_dir: Path, manifest: dict) -> None:
    organization_ids = {workspace["organization_id"] for workspace in manifest["workspaces"]}
    actions = set()
    for line in _audit_lines(sample_dir):
        event = json.loads(line)
        assert all(field in event for field in REQUIRED_AUDIT_FIELDS)
        # Account-level events are filed under workspace id 0.
        level = "ACCOUNT_LEVEL" if event["orgId"] == "0" else "WORKSPACE_LEVEL"
        assert isinstance(event["timestamp"], int) and event["auditLevel"] == level
        assert event["orgId"] in organization_ids | {"0"} and "email" in event["userIdentity"]
        assert all(isinstance(value, str) for value in event["requestParams"].values())
        # Only people fail: a mistyped password, an expired token, a refused admin grant.
        if event["response"]["statusCode"] != 200:
            assert event["serviceName"] == "accounts" and event["response"]["statusCode"] in (401, 403)
            assert event["response"]["errorMessage"]
        else:
            assert event["response"]["errorMessage"] is None
        actions.add((event["serviceName"], event["actionName"]))
    expected = {
        ("clusters", name)
        for name in ("create", "edit", "start", "restart", "resize", "delete", "permanentDelete")
    } | {
        ("clusters", "changeClusterAcl"),
        ("jobs", "runStart"),
        ("jobs", "runSucceeded"),
        ("jobs", "submitRun"),
    }
    expected |= {("notebook", "runCommand"), ("notebook", "attachNotebook"), ("instancePools", "create")}
    expected |= {
        ("databrickssql", "startEndpoint"),
        ("accounts", "login"),
        ("accounts", "removePrincipalFromGroup"),
        ("accounts", "setAccountAdmin"),
        ("accounts", "addPrincipalsToGroup"),
    }
    assert expected <= actions


def test_cluster_create_events_carry_the_spec(sample_dir: Path) -> None:
    creates = [
        event
        for event in map(json.loads, _audit_lines(sample_dir))
        if (event["serviceName"], event["actionName"]) == ("clusters", "create")
    ]
    job_clusters = [event for event in creates if event["requestParams"]["cluster_source"] == "JOB"]
    assert job_clusters and len(job_clusters) < len(creates)
    for event in creates:
        params = event["requestParams"]
        assert json.loads(event["response"]["result"])["cluster_id"]
        assert {"cluster_name", "spark_version", "spark_conf", "custom_tags"} <= params.keys()
        assert ("num_workers" in params) != ("autoscale" in params)
        assert isinstance(json.loads(params["custom_tags"]), dict)
    assert all(
        re.fullmatch(r"job-\d+-run-\d+", event["requestParams"]["cluster_name"]) for event in job_clusters
    )


def test_some_lines_are_delivered_twice_within_their_date(sample_dir: Path, manifest: dict) -> None:
    lines_by_date: dict[str, list[str]] = defaultdict(list)
    for path in sample_dir.rglob("auditlogs_*.json"):
        lines_by_date[path.parent.name].extend(path.read_text().splitlines())
    duplicates = sum(len(lines) - len(set(lines)) for lines in lines_by_date.values())
    workspace_duplicates = sum(workspace["audit_duplicate_lines"] for workspace in manifest["workspaces"])
    assert duplicates == workspace_duplicates + manifest["account_audit_duplicate_lines"]
    assert workspace_duplicates > 0


def test_ledger_intervals_tile_each_cluster_lifetime(sample_dir: Path, manifest: dict) -> None:
    start_ms, end_ms = 1767571200000, 1767571200000 + 3 * 86_400_000
    deleted = {}
    for database in (sample_dir / "api").glob("*.sqlite"):
        with sqlite3.connect(database) as connection:
            deleted.update(connection.execute("SELECT cluster_id, deleted_time_ms FROM clusters").fetchall())
    ledger = _ledger(sample_dir)
    assert ledger.keys() == deleted.keys()
    for cluster_id, rows in ledger.items():
        assert start_ms <= int(rows[0]["interval_start_ms"])
        for previous, following in itertools.pairwise(rows):
            assert previous["interval_end_ms"] == following["interval_start_ms"]
        assert all(int(row["interval_start_ms"]) < int(row["interval_end_ms"]) for row in rows)
        assert int(rows[-1]["interval_end_ms"]) == (deleted[cluster_id] or end_ms)


def test_ledger_agrees_with_cluster_events(sample_dir: Path, manifest: dict) -> None:
    ledger, events = _ledger(sample_dir), _events(sample_dir)
    # The planted job cluster whose TERMINATING event is lost (lost_termination_case): its stop is in the
    # ledger, the one boundary without an event.
    lost_stops = {
        workspace["lost_termination"]["cluster_id"]: workspace["lost_termination"]["stopped_ms"]
        for workspace in manifest["workspaces"]
        if workspace["lost_termination"]
    }
    assert lost_stops
    for cluster_id, rows in ledger.items():
        timestamps = [event["timestamp"] for event in events[cluster_id]]
        assert timestamps == sorted(timestamps)
        boundaries = {int(row["interval_start_ms"]) for row in rows[1:]}
        if cluster_id in lost_stops:
            assert lost_stops[cluster_id] in boundaries - set(timestamps)
            boundaries.discard(lost_stops[cluster_id])
        assert boundaries <= set(timestamps)
        for event in events[cluster_id]:
            row = next(
                row
                for row in rows
                if int(row["interval_start_ms"]) <= event["timestamp"] < int(row["interval_end_ms"])
            )
            details = event["details"]
            if event["type"] in COUNT_EVENTS:
                assert int(row["current_num_workers"]) == details["current_num_workers"]
                assert int(row["target_num_workers"]) == details["target_num_workers"]
                assert row["is_running"] == "true"
            if event["type"] in ("CREATING", "STARTING"):
                assert (row["is_running"], row["current_num_workers"]) == ("true", "0")
            if event["type"] == "TERMINATING":
                assert (row["is_running"], row["current_num_workers"]) == ("false", "0")


def test_ledger_describes_the_cluster_kinds(sample_dir: Path) -> None:
    rows = [row for cluster_rows in _ledger(sample_dir).values() for row in cluster_rows]
    assert {(row["cluster_type"], row["sku"]) for row in rows} == {
        ("interactive", "interactive"),
        ("job", "automated"),
    }
    assert any(row["is_photon"] == "true" for row in rows)
    single_node = [row for row in rows if row["is_single_node"] == "true"]
    assert single_node and all(row["current_num_workers"] == "0" for row in single_node)


def test_some_clusters_predate_the_audit_logs_and_some_cross_midnight(sample_dir: Path) -> None:
    created_in_logs = {
        json.loads(event["response"]["result"])["cluster_id"]
        for event in map(json.loads, _audit_lines(sample_dir))
        if (event["serviceName"], event["actionName"]) == ("clusters", "create")
    }
    predating = []
    for database in (sample_dir / "api").glob("*.sqlite"):
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT cluster_id, json FROM clusters WHERE created_time_ms < 1767571200000"
            )
            predating += [(cluster_id, json.loads(text)) for cluster_id, text in rows]
    assert predating and not {cluster_id for cluster_id, _ in predating} & created_in_logs
    assert all(details["cluster_source"] in ("UI", "API") for _, details in predating)
    crossing = [
        row
        for rows in _ledger(sample_dir).values()
        for row in rows
        if row["is_running"] == "true"
        and int(row["interval_start_ms"]) // 86_400_000 != (int(row["interval_end_ms"]) - 1) // 86_400_000
    ]
    assert crossing


def test_large_preset_runs_hundreds_of_clusters_a_day(tmp_path: Path) -> None:
    manifest = generate_sample_workspace(tmp_path, days=1, workspace_count=1, size="large")
    workspace = manifest.workspaces[0]
    assert workspace.active_clusters_per_day[0] >= 250
    with sqlite3.connect(tmp_path / "api" / f"{workspace.organization_id}.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM clusters").fetchone()[0] >= 250


def test_each_workspace_plants_the_savings_cases(sample_dir: Path, manifest: dict) -> None:
    """An idle cluster without auto-termination, and a scheduled job on a long-auto-termination cluster."""
    for workspace in manifest["workspaces"]:
        with sqlite3.connect(sample_dir / "api" / f"{workspace['organization_id']}.sqlite") as connection:
            clusters = [json.loads(text) for (text,) in connection.execute("SELECT json FROM clusters")]
            jobs = [json.loads(text) for (text,) in connection.execute("SELECT json FROM jobs")]
            runs = [json.loads(text) for (text,) in connection.execute("SELECT json FROM job_runs")]
        by_name = {cluster["cluster_name"]: cluster for cluster in clusters}
        idle, shared = by_name["idle-no-autotermination"], by_name["shared-etl"]
        assert idle["autotermination_minutes"] == 0 and idle["state"] == "RUNNING"
        assert shared["autotermination_minutes"] > 60
        scheduled = next(job for job in jobs if job["settings"]["name"] == "shared-etl-morning-refresh")
        assert scheduled["settings"]["schedule"]["pause_status"] == "UNPAUSED"
        assert scheduled["settings"]["tasks"][0]["existing_cluster_id"] == shared["cluster_id"]
        scheduled_runs = [run for run in runs if run.get("job_id") == scheduled["job_id"]]
        assert len(scheduled_runs) == manifest["days"]
        assert all(run["trigger"] == "PERIODIC" for run in scheduled_runs)
        assert {run["cluster_instance"]["cluster_id"] for run in scheduled_runs} == {shared["cluster_id"]}


def test_each_workspace_plants_a_warehouse_that_stays_scaled_up_after_its_queries(
    sample_dir: Path, manifest: dict
) -> None:
    """A warehouse without auto-stop scales up to four clusters under a burst of queries and runs on at
    four for hours after the last one; its bill is its events' cluster-hours at its size's rate."""
    for workspace in manifest["workspaces"]:
        organization_id = workspace["organization_id"]
        with sqlite3.connect(sample_dir / "api" / f"{organization_id}.sqlite") as connection:
            rows = connection.execute("SELECT json FROM sql_warehouses")
            warehouse = next(item for (text,) in rows if (item := json.loads(text))["name"] == "bi-scaled-up")
            query_ends = [
                end_ms
                for (end_ms,) in connection.execute(
                    "SELECT end_time_ms FROM sql_queries WHERE warehouse_id = ?", (warehouse["id"],)
                )
            ]
        assert warehouse["auto_stop_mins"] == 0 and warehouse["max_num_clusters"] == 4
        events_folder = sample_dir / "warehouse_events" / f"workspaceId={organization_id}"
        events_path = events_folder / "warehouse_events.json"
        events = sorted(
            (_epoch_ms(event["event_time"]), event["event_type"], event["cluster_count"])
            for line in events_path.read_text().splitlines()
            if (event := json.loads(line))["warehouse_id"] == warehouse["id"]
        )
        kinds = [event_type for _at, event_type, _clusters in events]
        assert kinds == ["STARTING", "RUNNING", "SCALED_UP", "SCALED_UP", "SCALED_UP", "STOPPING", "STOPPED"]
        scaled_to_four_ms = events[4][0]
        stopping_ms = events[5][0]
        assert events[4][2] == 4 and len(query_ends) >= 30
        # Scaled up to four before the queries stop, and at four for hours after the last one.
        assert scaled_to_four_ms < max(query_ends)
        assert stopping_ms - max(query_ends) >= 4 * 3_600_000
        # Small: 12 DBUs an hour per cluster (the generator's rate), netted over corrections.
        expected_dbus = sum(
            clusters * (end_ms - start_ms) / 3_600_000 * 12
            for (start_ms, _kind, clusters), (end_ms, _next, _c) in itertools.pairwise(events)
        )
        usage_path = sample_dir / "billing" / "usage" / f"usage_{organization_id}.json"
        billed = sum(
            record["usage_quantity"]
            for line in usage_path.read_text().splitlines()
            if ((record := json.loads(line))["usage_metadata"] or {}).get("warehouse_id") == warehouse["id"]
        )
        assert billed == pytest.approx(expected_dbus, abs=1e-3)


def _epoch_ms(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp() * 1000)
