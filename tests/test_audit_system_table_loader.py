"""Audit logs from a table shaped like Databricks' `system.access.audit`, on the embedded engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from overwatch.account_audit_loader import load_account_audit_logs
from overwatch.audit_system_table_loader import load_audit_system_table
from overwatch.bronze_tables import AUDIT_LOG
from overwatch.deployment_config import AccountConfig, WorkspaceConfig
from overwatch.load_context import AccountLoadContext, LoadContext
from overwatch.run_log import LoadWindow, epoch_ms

ORGANIZATION_ID = "7771234567890123"
OTHER_WORKSPACE = "8881234567890123"
ACCOUNT_LEVEL = "0"
WINDOW = LoadWindow(datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC))
# The documented schema of system.access.audit.
SYSTEM_AUDIT_SCHEMA = (
    "account_id string, workspace_id string, version string, event_time timestamp, event_date date, "
    "source_ip_address string, user_agent string, session_id string, "
    "user_identity struct<email: string, subjectName: string>, service_name string, action_name string, "
    "request_id string, request_params map<string, string>, "
    "response struct<statusCode: int, errorMessage: string, result: string>, audit_level string, "
    "event_id string, identity_metadata struct<run_by: string, run_as: string>"
)


def system_event(workspace_id: str, event_id: str, event_time: datetime) -> tuple:
    return (
        "account-1",
        workspace_id,
        "2.0",
        event_time,
        event_time.date(),
        "10.0.0.7",
        "Apache-HttpClient/4.5.13",
        "session-9",
        ("grace.hopper@example.com", None),
        "clusters",
        "create",
        f"request-{event_id}",
        {"cluster_name": "nightly", "autoscale": '{"min_workers":1,"max_workers":4}'},
        (200, None, '{"cluster_id":"0105-000000-abc"}'),
        "WORKSPACE_LEVEL",
        event_id,
        ("grace.hopper@example.com", "etl-service-principal"),
    )


@pytest.fixture
def context(spark, isolated_target) -> LoadContext:
    table_name = f"{isolated_target.schema}_system.audit"
    spark.sql(f"create schema if not exists {isolated_target.schema}_system")
    rows = [
        system_event(ORGANIZATION_ID, "inside", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        system_event(ORGANIZATION_ID, "late-from-yesterday", datetime(2026, 1, 4, 23, tzinfo=UTC)),
        system_event(ORGANIZATION_ID, "after", datetime(2026, 1, 6, 0, 0, 1, tzinfo=UTC)),
        system_event(OTHER_WORKSPACE, "other-workspace", datetime(2026, 1, 5, 11, tzinfo=UTC)),
        system_event(ACCOUNT_LEVEL, "account-level", datetime(2026, 1, 5, 12, tzinfo=UTC)),
    ]
    spark.createDataFrame(rows, SYSTEM_AUDIT_SCHEMA).writeTo(table_name).using("iceberg").createOrReplace()
    workspace = WorkspaceConfig(
        organization_id=ORGANIZATION_ID,
        workspace_name="system-table-workspace",
        cloud="aws",
        api_host="https://dbc-1.cloud.databricks.com",
        token_env_var="UNUSED_TOKEN",
        audit_log_source="system_table",
        audit_log_table=table_name,
    )
    return LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)


def test_system_table_events_land_in_the_delivery_shape(context: LoadContext):
    assert load_audit_system_table(context, WINDOW) == 2

    rows = {
        row.unparsed_fields["event_id"]: row
        for row in context.spark.table(context.target.bronze_table(AUDIT_LOG.name)).collect()
    }
    assert set(rows) == {"inside", "late-from-yesterday"}
    inside = rows["inside"]
    assert inside.organization_id == ORGANIZATION_ID
    assert str(inside.date) == "2026-01-05"
    assert inside.timestamp == epoch_ms(datetime(2026, 1, 5, 10, tzinfo=UTC))
    assert (inside.serviceName, inside.actionName, inside.auditLevel) == (
        "clusters",
        "create",
        "WORKSPACE_LEVEL",
    )
    assert inside.userIdentity.email == "grace.hopper@example.com"
    assert inside.requestParams["autoscale"] == '{"min_workers":1,"max_workers":4}'
    assert (inside.response.statusCode, inside.response.result) == (200, '{"cluster_id":"0105-000000-abc"}')
    assert '"run_as":"etl-service-principal"' in inside.unparsed_fields["identity_metadata"]
    assert inside.source_file == context.workspace.audit_log_table


def test_rereading_the_window_adds_nothing(context: LoadContext):
    load_audit_system_table(context, WINDOW)
    assert load_audit_system_table(context, WINDOW) == 0


def test_account_level_rows_load_once_under_organization_zero(context: LoadContext):
    table_name = context.workspace.audit_log_table
    account = AccountConfig(audit_log_source="system_table", audit_log_table=table_name)
    account_context = AccountLoadContext(
        context.spark, context.target, account, "run-1", progress=lambda _message: None
    )

    assert load_account_audit_logs(account_context, WINDOW) == 1
    assert load_account_audit_logs(account_context, WINDOW) == 0
    assert load_audit_system_table(context, WINDOW) == 2
    rows = context.spark.table(context.target.bronze_table(AUDIT_LOG.name)).collect()
    by_event = {row.unparsed_fields["event_id"]: row for row in rows}
    assert set(by_event) == {"inside", "late-from-yesterday", "account-level"}
    assert (by_event["account-level"].organization_id, by_event["account-level"].workspaceId) == ("0", "0")
