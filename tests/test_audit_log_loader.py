"""The audit log loader on the embedded engine, over delivery files written by the test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from overwatch.audit_log_loader import load_audit_logs
from overwatch.bronze_tables import AUDIT_LOG, FILE_TRACKER, QUARANTINE
from overwatch.deployment_config import WorkspaceConfig
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow

ORGANIZATION_ID = "5551234567890123"
WINDOW = LoadWindow(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 7, tzinfo=UTC))


def audit_event(request_id: str, action: str = "create", **extra: object) -> dict:
    return {
        "version": "2.0",
        "auditLevel": "WORKSPACE_LEVEL",
        "timestamp": 1767600000000,
        "orgId": ORGANIZATION_ID,
        "shardName": "example-shard",
        "accountId": "account-1",
        "sourceIPAddress": "10.1.2.3",
        "userAgent": "databricks-sdk-py/0.40",
        "sessionId": "session-1",
        "userIdentity": {"email": "ada.lovelace@example.com"},
        "serviceName": "clusters",
        "actionName": action,
        "requestId": request_id,
        "requestParams": {"cluster_name": "etl", "autoscale": {"min_workers": 2, "max_workers": 8}},
        "response": {"statusCode": 200, "errorMessage": None, "result": '{"cluster_id":"0105-1-abc"}'},
        **extra,
    }


def write_delivery_file(root: Path, day: str, name: str, lines: list[str]) -> Path:
    folder = root / f"workspaceId={ORGANIZATION_ID}" / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def context(spark, isolated_target, tmp_path: Path) -> LoadContext:
    workspace = WorkspaceConfig(
        organization_id=ORGANIZATION_ID,
        workspace_name="test-workspace",
        cloud="aws",
        api_host="http://127.0.0.1:9",
        token_env_var="UNUSED_TOKEN",
        audit_log_path=str(tmp_path / "audit"),
    )
    return LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)


def table_rows(context: LoadContext, table_name: str) -> list:
    return context.spark.table(context.target.bronze_table(table_name)).collect()


def row_counts(context: LoadContext) -> dict[str, int]:
    return {
        name: len(table_rows(context, name)) for name in (AUDIT_LOG.name, QUARANTINE.name, FILE_TRACKER.name)
    }


def test_bad_lines_go_to_quarantine_and_the_rest_of_the_file_loads(context: LoadContext, tmp_path: Path):
    good = json.dumps(audit_event("request-1", newTopLevelField={"added": "later"}))
    cut_in_half = json.dumps(audit_event("request-2"))[:80]
    missing_action = json.dumps({"timestamp": 1767600000000, "serviceName": "clusters"})
    lines = [good, cut_in_half, json.dumps(audit_event("request-3", "edit")), "", missing_action, "[1, 2]"]
    write_delivery_file(tmp_path / "audit", "2026-01-05", "part-0.json", lines)

    inserted = load_audit_logs(context, WINDOW)

    assert inserted == 2
    events = {row.requestId: row for row in table_rows(context, AUDIT_LOG.name)}
    assert set(events) == {"request-1", "request-3"}
    first = events["request-1"]
    assert str(first.date) == "2026-01-05"
    assert first.organization_id == ORGANIZATION_ID
    assert json.loads(first.requestParams["autoscale"]) == {"min_workers": 2, "max_workers": 8}
    assert json.loads(first.unparsed_fields["newTopLevelField"]) == {"added": "later"}
    assert first.userIdentity.email == "ada.lovelace@example.com"
    assert first.source_file.endswith("date=2026-01-05/part-0.json")
    assert first.load_run_id == "run-1"

    quarantined = {row.line_number: row for row in table_rows(context, QUARANTINE.name)}
    assert set(quarantined) == {2, 5, 6}
    assert quarantined[2].raw_record == cut_in_half
    assert quarantined[2].reason.startswith("malformed JSON")
    assert quarantined[5].reason == "missing or mistyped required field(s): actionName"
    assert quarantined[6].reason.startswith("malformed JSON")

    (tracked,) = table_rows(context, FILE_TRACKER.name)
    assert (tracked.record_count, tracked.quarantined_count) == (2, 3)


def test_duplicates_from_at_least_once_delivery_are_dropped(context: LoadContext, tmp_path: Path):
    event = json.dumps(audit_event("request-1"))
    write_delivery_file(tmp_path / "audit", "2026-01-05", "part-0.json", [event, event])
    write_delivery_file(tmp_path / "audit", "2026-01-05", "part-1.json", [event])

    assert load_audit_logs(context, WINDOW) == 1
    assert len(table_rows(context, FILE_TRACKER.name)) == 2


def test_reloading_the_same_window_changes_nothing(context: LoadContext, tmp_path: Path):
    events = [json.dumps(audit_event(f"request-{number}")) for number in range(5)]
    write_delivery_file(tmp_path / "audit", "2026-01-04", "part-0.json", [*events, "{not json"])
    load_audit_logs(context, WINDOW)
    counts_after_first_load = row_counts(context)

    assert load_audit_logs(context, WINDOW) == 0
    assert (
        row_counts(context)
        == counts_after_first_load
        == {
            AUDIT_LOG.name: 5,
            QUARANTINE.name: 1,
            FILE_TRACKER.name: 1,
        }
    )


def test_a_run_killed_before_tracking_its_files_resumes_cleanly(context: LoadContext, tmp_path: Path):
    events = [json.dumps(audit_event(f"request-{number}")) for number in range(4)]
    write_delivery_file(tmp_path / "audit", "2026-01-03", "part-0.json", [*events, "{broken"])
    load_audit_logs(context, WINDOW)
    # What a kill between the bronze merge and the tracker write leaves behind: rows, but no tracking.
    context.spark.sql(f"delete from {context.target.bronze_table(FILE_TRACKER.name)}")

    assert load_audit_logs(context, WINDOW) == 0
    assert row_counts(context) == {AUDIT_LOG.name: 4, QUARANTINE.name: 1, FILE_TRACKER.name: 1}


def test_files_dated_after_the_window_wait_for_the_next_run(context: LoadContext, tmp_path: Path):
    write_delivery_file(tmp_path / "audit", "2026-01-06", "part-0.json", [json.dumps(audit_event("inside"))])
    write_delivery_file(tmp_path / "audit", "2026-01-07", "part-0.json", [json.dumps(audit_event("after"))])

    assert load_audit_logs(context, WINDOW) == 1
    next_window = LoadWindow(WINDOW.until_time, datetime(2026, 1, 8, tzinfo=UTC))
    assert load_audit_logs(context, next_window) == 1
    assert {row.requestId for row in table_rows(context, AUDIT_LOG.name)} == {"inside", "after"}


def test_a_workspace_without_delivered_logs_loads_nothing(context: LoadContext):
    assert load_audit_logs(context, WINDOW) == 0


def test_events_differing_in_any_top_level_field_stay_apart(context: LoadContext, tmp_path: Path):
    base = audit_event("request-1")
    variants = [
        base,
        {**base, "workspaceId": "0"},
        {**base, "auditLevel": "ACCOUNT_LEVEL"},
        {**base, "userAgent": "curl/8.5.0"},
        {**base, "newTopLevelField": "only here"},
        # A null in one field and the same value in its neighbour must not hash alike.
        {**base, "requestId": None, "sessionId": "request-1"},
        {**base, "requestId": "session-1", "sessionId": None},
    ]
    lines = [json.dumps(event) for event in variants]
    # Redelivered copies, one with its keys in another order, are the same events.
    lines += [lines[0], json.dumps(dict(reversed(list(variants[4].items()))))]
    write_delivery_file(tmp_path / "audit", "2026-01-05", "part-0.json", lines)

    assert load_audit_logs(context, WINDOW) == len(variants)
    assert len(table_rows(context, AUDIT_LOG.name)) == 7


def test_events_without_request_id_or_response_are_loaded(context: LoadContext, tmp_path: Path):
    without_request_id = {key: value for key, value in audit_event("unused").items() if key != "requestId"}
    without_response = {key: value for key, value in audit_event("request-2").items() if key != "response"}
    lines = [json.dumps(without_request_id), json.dumps(without_response)]
    write_delivery_file(tmp_path / "audit", "2026-01-05", "part-0.json", lines)

    assert load_audit_logs(context, WINDOW) == 2
    rows = sorted(table_rows(context, AUDIT_LOG.name), key=lambda row: row.requestId or "")
    assert [row.requestId for row in rows] == [None, "request-2"]
    assert rows[0].response.statusCode == 200
    assert rows[1].response is None
    assert table_rows(context, QUARANTINE.name) == []


def test_a_workspace_never_loads_the_account_level_folder(context: LoadContext, tmp_path: Path):
    account_folder = tmp_path / "audit" / "workspaceId=0" / "date=2026-01-05"
    account_folder.mkdir(parents=True)
    (account_folder / "part-0.json").write_text(json.dumps(audit_event("account-event")) + "\n")

    assert load_audit_logs(context, WINDOW) == 0
    assert table_rows(context, FILE_TRACKER.name) == []
