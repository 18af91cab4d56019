"""Audit events of every class the account models read, through the load run and a dbt build.

Fixtures are hand-made from the documented audit log schema: one event for every action of the seed
`audit_account_actions` (the audit log reference's login, user, group, admin and entitlement actions) at
each level the reference lists it, workspace-level under the workspace's id and account-level under
workspaceId=0, plus events without a requestId, without a response, differing only in user agent,
redelivered, and broken. Expected counts come from the lines the test writes.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from overwatch.bronze_tables import AUDIT_LOG, PIPELINE_REPORT, QUARANTINE, create_bronze_tables
from overwatch.dbt_runner import run_dbt
from overwatch.deployment_config import AccountConfig, DeploymentConfig, Scope
from overwatch.pipeline import run_loaders

PROJECT_DIR = Path(__file__).resolve().parents[1]
SCHEMA = "account_audit"
WORKSPACE_ID = "6661234567890123"
ACCOUNT_ID = "a1b2c3d4-0000-4000-8000-000000000001"
DAY = date(2026, 1, 5)
EVENT_TIME_MS = 1767610800000  # 2026-01-05 11:00 UTC
FIRST_UNTIL = datetime(2026, 1, 6, tzinfo=UTC)
AUDIT_MODULES = {Scope.AUDIT_LOGS, Scope.ACCOUNT_AUDIT_LOGS}


def seed_actions() -> list[dict[str, str]]:
    with (PROJECT_DIR / "seeds" / "audit_account_actions.csv").open() as seed:
        return list(csv.DictReader(seed))


@dataclass
class DeliveredFolder:
    """The lines written to one delivery folder, and what each should become."""

    organization_id: str
    lines: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    quarantined: int = 0
    redelivered: int = 0

    def event(self, event: dict) -> None:
        self.events.append(event)
        self.lines.append(json.dumps(event))

    def write(self, root: Path) -> None:
        folder = root / f"workspaceId={self.organization_id}" / f"date={DAY.isoformat()}"
        folder.mkdir(parents=True)
        (folder / "part-0.json").write_text("\n".join(self.lines) + "\n")


def audit_event(organization_id: str, service: str, action: str, number: int, **overrides: object) -> dict:
    account_level = organization_id == "0"
    event = {
        "version": "2.0",
        "auditLevel": "ACCOUNT_LEVEL" if account_level else "WORKSPACE_LEVEL",
        "timestamp": EVENT_TIME_MS + number * 1000,
        "orgId": organization_id,
        "workspaceId": organization_id,
        "accountId": ACCOUNT_ID,
        "sourceIPAddress": "203.0.113.20",
        "userAgent": "Mozilla/5.0",
        "sessionId": f"session-{number}",
        "userIdentity": {"email": "admin@example.com"},
        "serviceName": service,
        "actionName": action,
        "requestId": f"{organization_id}-{number}",
        "requestParams": {"targetUserName": "bo@example.com", "targetGroupName": "data-engineers"},
        "response": {"statusCode": 200, "errorMessage": None, "result": None},
    }
    event.update(overrides)
    return {key: value for key, value in event.items() if value is not ...}


def workspace_folder() -> DeliveredFolder:
    folder = DeliveredFolder(WORKSPACE_ID)
    listed = [row for row in seed_actions() if "workspace" in row["audit_levels"].split()]
    for number, row in enumerate(listed):
        folder.event(audit_event(WORKSPACE_ID, row["service_name"], row["action_name"], number))
    number = len(listed)
    folder.event(audit_event(WORKSPACE_ID, "accounts", "login", number, requestId=...))
    folder.event(audit_event(WORKSPACE_ID, "accounts", "login", number + 1, response=...))
    failed = {"statusCode": 401, "errorMessage": "Invalid credentials", "result": None}
    folder.event(audit_event(WORKSPACE_ID, "accounts", "samlLogin", number + 2, response=failed))
    # The same token login from two clients: same request id and time, different user agent.
    folder.event(audit_event(WORKSPACE_ID, "accounts", "tokenLogin", number + 3))
    folder.event(audit_event(WORKSPACE_ID, "accounts", "tokenLogin", number + 3, userAgent="curl/8.5.0"))
    folder.event(audit_event(WORKSPACE_ID, "clusters", "delete", number + 4))
    folder.lines.append(folder.lines[0])
    folder.redelivered += 1
    folder.lines += ['{"timestamp": 1767610800000, "serviceName": "accounts"', '{"serviceName": "accounts"}']
    folder.quarantined += 2
    return folder


def account_folder() -> DeliveredFolder:
    folder = DeliveredFolder("0")
    listed = [row for row in seed_actions() if "account" in row["audit_levels"].split()]
    for number, row in enumerate(listed):
        # Account-level events without a request id or a response are real; a few of each.
        overrides = {"requestId": ...} if number % 3 == 0 else {}
        overrides |= {"response": ...} if number % 5 == 0 else {}
        folder.event(audit_event("0", row["service_name"], row["action_name"], number, **overrides))
    folder.lines.append("not json at all")
    folder.quarantined += 1
    return folder


@dataclass(frozen=True)
class LoadedAudit:
    folders: tuple[DeliveredFolder, ...]
    first_run: dict
    second_run: dict


def deployment(root: Path) -> DeploymentConfig:
    return DeploymentConfig.model_validate(
        {
            "workspaces": [
                {
                    "organization_id": WORKSPACE_ID,
                    "workspace_name": "audit-workspace",
                    "cloud": "aws",
                    "api_host": "http://127.0.0.1:9",
                    "token_env_var": "UNUSED_TOKEN",
                    "audit_log_path": str(root),
                }
            ],
            "account": {"account_id": ACCOUNT_ID, "audit_log_path": str(root)},
            "dbu_contract_prices": {
                "interactive": 0.55,
                "automated": 0.3,
                "jobs_light": 0.1,
                "sql_compute": 0.22,
                "serverless": 0.7,
            },
            "primordial_date": DAY.isoformat(),
            "skip_scopes": [scope.value for scope in Scope if scope not in AUDIT_MODULES],
        }
    )


@pytest.fixture(scope="module")
def loaded(spark, local_target, module_schema: str, tmp_path_factory: pytest.TempPathFactory) -> LoadedAudit:
    root = tmp_path_factory.mktemp("audit_delivery")
    folders = (workspace_folder(), account_folder())
    for folder in folders:
        folder.write(root)
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    config = deployment(root)
    quiet = {"progress": lambda _message: None}
    first = run_loaders(config, target, spark, until=FIRST_UNTIL, **quiet)
    second = run_loaders(config, target, spark, until=datetime(2026, 1, 7, tzinfo=UTC), **quiet)
    dbt_vars = {"personal_data_expose_views": True, "workspace_names": {WORKSPACE_ID: "audit-workspace"}}
    models = ["audit_account_actions", "stg_audit__events", "account_login", "account_mod"]
    presentation = ["account_login_presentation", "account_mod_presentation"]
    # The models' unit tests run once, in the end-to-end build.
    build = ["build", "--select", *models, *presentation, "--exclude-resource-type", "unit_test"]
    run_dbt([*build, "--vars", json.dumps(dbt_vars)])

    def by_module(summary) -> dict:
        return {(run.organization_id, run.module_name): run for run in summary.module_runs}

    return LoadedAudit(folders, by_module(first), by_module(second))


def rows(spark, table: str) -> list:
    return spark.table(table).collect()


def test_each_line_lands_in_bronze_or_quarantine_once(spark, loaded: LoadedAudit):
    bronze = rows(spark, f"{SCHEMA}_bronze.{AUDIT_LOG.name}")
    quarantine = rows(spark, f"{SCHEMA}_bronze.{QUARANTINE.name}")
    for folder in loaded.folders:
        landed = [row for row in bronze if row.organization_id == folder.organization_id]
        held = [row for row in quarantine if row.organization_id == folder.organization_id]
        assert len(held) == folder.quarantined
        assert all(row.reason for row in held)
        assert len(landed) == len(folder.events)
        assert len(folder.lines) == len(landed) + len(held) + folder.redelivered
        assert loaded.first_run[folder.organization_id, _module(folder)].rows_written == len(folder.events)
        assert loaded.second_run[folder.organization_id, _module(folder)].rows_written == 0
    account_rows = [row for row in bronze if row.organization_id == "0"]
    assert {row.workspaceId for row in account_rows} == {"0"}


def _module(folder: DeliveredFolder) -> str:
    return Scope.ACCOUNT_AUDIT_LOGS.value if folder.organization_id == "0" else Scope.AUDIT_LOGS.value


def test_the_account_module_is_recorded_under_organization_zero(spark, loaded: LoadedAudit):
    report = rows(spark, f"{SCHEMA}_bronze.{PIPELINE_REPORT.name}")
    account_runs = [row for row in report if row.organization_id == "0"]
    assert {row.module_name for row in account_runs} == {Scope.ACCOUNT_AUDIT_LOGS.value}
    assert {row.status for row in account_runs} == {"SUCCEEDED"}
    workspace_modules = {row.module_name for row in report if row.organization_id == WORKSPACE_ID}
    assert workspace_modules == {Scope.AUDIT_LOGS.value}


def expected_rows(loaded: LoadedAudit, account_model: str) -> list[tuple[str, str, str]]:
    listed = {
        (row["service_name"], row["action_name"])
        for row in seed_actions()
        if row["account_model"] == account_model
    }
    return sorted(
        (folder.organization_id, event["serviceName"], event["actionName"])
        for folder in loaded.folders
        for event in folder.events
        if (event["serviceName"], event["actionName"]) in listed
    )


def test_account_models_read_every_listed_action_at_both_levels(spark, loaded: LoadedAudit):
    logins = rows(spark, f"{SCHEMA}_gold.account_login_v1")
    changes = rows(spark, f"{SCHEMA}_gold.account_mod_v1")
    login_actions = sorted(
        (row.organization_id, row.service_name, "login" if row.login_type == "ssh" else row.login_type)
        for row in logins
    )
    change_actions = sorted((row.organization_id, row.service_name, row.action) for row in changes)
    assert login_actions == expected_rows(loaded, "account_login")
    assert change_actions == expected_rows(loaded, "account_mod")
    covered = {(service, action) for _, service, action in login_actions + change_actions}
    assert covered == {(row["service_name"], row["action_name"]) for row in seed_actions()}


def test_a_missing_response_is_an_unknown_outcome_not_a_failure(spark, loaded: LoadedAudit):
    logins = rows(spark, f"{SCHEMA}_gold.account_login_v1")
    without_response = [
        (folder.organization_id, event["timestamp"])
        for folder in loaded.folders
        for event in folder.events
        if "response" not in event
    ]
    by_event = {(row.organization_id, row.login_unixTimeMS): row for row in logins}
    unknown = [by_event[key] for key in without_response if key in by_event]
    assert unknown
    assert all(row.is_failed_login is None and row.response_status_code is None for row in unknown)
    failed = [row for row in logins if row.is_failed_login]
    assert [(row.login_type, row.response_status_code) for row in failed] == [("samlLogin", 401)]
    assert sum(row.request_id is None for row in logins) >= 2


def test_a_failing_account_module_is_recorded_and_retried_alone(spark, isolated_target, tmp_path: Path):
    config = deployment(tmp_path).model_copy(
        update={
            "account": AccountConfig(audit_log_source="system_table", audit_log_table="missing_schema.audit")
        }
    )
    quiet = {"progress": lambda _message: None}

    first = run_loaders(config, isolated_target, spark, until=FIRST_UNTIL, **quiet)
    second = run_loaders(config, isolated_target, spark, until=FIRST_UNTIL, **quiet)

    statuses = {(run.organization_id, run.module_name): run.status for run in first.module_runs}
    assert statuses == {
        (WORKSPACE_ID, Scope.AUDIT_LOGS.value): "SUCCEEDED",
        ("0", Scope.ACCOUNT_AUDIT_LOGS.value): "FAILED",
    }
    assert "missing_schema" in first.failed[0].error_message
    assert [(run.organization_id, run.module_name) for run in second.module_runs] == [
        ("0", Scope.ACCOUNT_AUDIT_LOGS.value)
    ]
