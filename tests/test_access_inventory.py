"""Who can reach a workspace: token and global init script snapshots, and the people in the audit log.

The fake API serves the sample workspace's tokens and global init scripts through databricks-sdk; the
loaders land them in bronze as they do every other snapshot; no token value exists anywhere on the way.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient

from overwatch.api_snapshot_loader import load_api_snapshot
from overwatch.bronze_tables import api_snapshot_table
from overwatch.deployment_config import WorkspaceConfig
from overwatch.fake_api import FakeDatabricksApi
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow
from overwatch.sample_workspace import generate_sample_workspace

TOKEN_VARIABLE = "OVERWATCH_TEST_ACCESS_TOKEN"
TOKEN = "dapi-access-inventory-test-token"
# Fields a token listing could carry a secret in; none may appear.
SECRET_FIELDS = {"token_value", "value", "token"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("access_sample")
    manifest = generate_sample_workspace(sample_dir, days=3, workspace_count=1, size="small", seed=11)
    return manifest, sample_dir


@pytest.fixture
def api(sample, monkeypatch: pytest.MonkeyPatch):
    manifest, sample_dir = sample
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    sqlite_path = sample_dir / "api" / f"{manifest.workspaces[0].organization_id}.sqlite"
    with FakeDatabricksApi(sqlite_path, token=TOKEN, page_size=3) as server:
        yield server


def audit_events(sample_dir: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((sample_dir / "audit_logs").rglob("*.json"))
        for line in path.read_text().splitlines()
    ]


def test_token_listing_holds_metadata_and_no_token_value(api):
    client = WorkspaceClient(host=api.host, token=TOKEN)
    tokens = client.api_client.do("GET", "/api/2.0/token-management/tokens")["token_infos"]
    assert tokens
    assert all(SECRET_FIELDS.isdisjoint(token) for token in tokens)
    assert all({"token_id", "creation_time", "expiry_time", "owner_id"} <= set(token) for token in tokens)
    assert any(token["expiry_time"] == -1 for token in tokens), "no never-expiring token to find"
    assert "dapi" not in json.dumps(tokens)


def test_global_init_scripts_are_listed_without_a_body(api):
    client = WorkspaceClient(host=api.host, token=TOKEN)
    scripts = client.api_client.do("GET", "/api/2.0/global-init-scripts")["scripts"]
    assert {script["name"] for script in scripts}
    assert all("script" not in script for script in scripts)
    assert {script["enabled"] for script in scripts} == {True, False}


@pytest.mark.parametrize("entity", ["tokens", "global_init_scripts"])
def test_snapshot_loader_lands_each_object_once(sample, api, spark, isolated_target, entity: str):
    manifest, sample_dir = sample
    summary = manifest.workspaces[0]
    workspace = WorkspaceConfig(
        organization_id=summary.organization_id,
        workspace_name=summary.workspace_name,
        cloud=summary.cloud,
        api_host=api.host,
        token_env_var=TOKEN_VARIABLE,
        audit_log_path=str(sample_dir / "audit_logs"),
    )
    context = LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)
    window = LoadWindow(manifest.start_time, manifest.end_time)
    expected = summary.tokens if entity == "tokens" else summary.global_init_scripts
    assert load_api_snapshot(context, window, entity=entity) == expected
    assert load_api_snapshot(context, window, entity=entity) == 0
    rows = spark.table(isolated_target.bronze_table(api_snapshot_table(entity).name)).collect()
    assert len(rows) == expected
    assert all(TOKEN not in row.raw_json and "token_value" not in row.raw_json for row in rows)


def test_sample_audit_log_has_failed_logins_account_changes_and_notebook_lifecycle(sample):
    manifest, sample_dir = sample
    events = audit_events(sample_dir)
    actions = Counter((event["serviceName"], event["actionName"]) for event in events)
    failed_logins = [
        event
        for event in events
        if event["serviceName"] == "accounts"
        and (event["actionName"].endswith("Login") or event["actionName"] == "login")
        and event["response"]["statusCode"] >= 400
    ]
    assert failed_logins
    assert len({event["sourceIPAddress"] for event in events if event["serviceName"] == "accounts"}) > 1
    for action in ("add", "createGroup", "addPrincipalToGroup", "setAdmin", "removeAdmin", "tokenLogin"):
        assert actions["accounts", action], action
    for action in ("createNotebook", "renameNotebook", "moveNotebook", "deleteNotebook", "attachNotebook"):
        assert actions["notebook", action], action
    assert actions["notebook", "runCommand"]
    assert manifest.workspaces[0].failed_logins > 0
