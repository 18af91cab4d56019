"""The savings rule `sql_warehouse_not_scaling_down` on a one-day sample workspace, built on the local
engine: the warehouse the sample plants (sample_workspace/savings_cases.py), scaled up to four clusters
and left at four for hours after its last query, is flagged. Expected figures come from the sample's own
warehouse events and queries, the seed's DBUs per hour and the deployment's contract price."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from overwatch.dbt_runner import run_dbt
from overwatch.demo import DEMO_TOKEN_VARIABLE, demo_config
from overwatch.deployment_config import DeploymentConfig, Scope, parse_config
from overwatch.fake_api import FakeDatabricksApi
from overwatch.lakehouse import load_target, spark_session
from overwatch.pipeline import run_loaders
from overwatch.sample_workspace import SampleWorkspaceManifest, generate_sample_workspace

SCHEMA = "savings_warehouses"
PLANTED_WAREHOUSE = "bi-scaled-up"
# The rule's defaults (dbt_project.yml), passed explicitly so the expectation does not drift with them.
SCALE_DOWN_MINUTES = 30
MIN_HOURS = 1
SMALL_DBUS_PER_HOUR = 12  # seeds/sql_warehouse_dbus.csv
HOUR_MS = 3_600_000
# Loaders of what the rule's models do not read, skipped to keep the module short.
UNREAD_SCOPES = [
    Scope.JOBS, Scope.JOB_RUNS, Scope.CLUSTER_POLICIES, Scope.INSTANCE_PROFILES, Scope.TOKENS,
    Scope.GLOBAL_INIT_SCRIPTS, Scope.CLUSTER_USAGE_REFERENCE, Scope.SPARK_EVENTS, Scope.ACCOUNT_AUDIT_LOGS,
]  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("savings_warehouses")
    manifest = generate_sample_workspace(sample_dir, days=1, workspace_count=1, size="small", seed=11)
    return manifest, sample_dir


def load_what_the_rule_reads(manifest: SampleWorkspaceManifest, sample_dir: Path) -> DeploymentConfig:
    """The demo's deployment config and loaders against the fake API, without the unread modules."""
    with (
        pytest.MonkeyPatch.context() as patch,
        FakeDatabricksApi(
            sample_dir / "api" / f"{manifest.workspaces[0].organization_id}.sqlite", token="savings-test"
        ) as api,
    ):
        patch.setenv(DEMO_TOKEN_VARIABLE, "savings-test")
        raw_config = demo_config(manifest, {manifest.workspaces[0].organization_id: api.host}, sample_dir)
        config = parse_config(raw_config | {"skip_scopes": [str(scope) for scope in UNREAD_SCOPES]}, "test")
        target = load_target()
        run_loaders(config, target, spark_session(target), until=manifest.end_time)
    return config


@pytest.fixture(scope="module")
def findings(spark, module_schema: str, sample) -> list:
    manifest, sample_dir = sample
    config = load_what_the_rule_reads(manifest, sample_dir)
    dbt_vars = config.dbt_vars(until_time=manifest.end_time) | {
        "savings_warehouse_scale_down_minutes": SCALE_DOWN_MINUTES,
        "savings_warehouse_scaled_up_idle_min_hours": MIN_HOURS,
    }
    # The rule and what it reads (seeds, price snapshots, cluster and warehouse states), without data tests.
    selection = ["--select", "+savings_sql_warehouses_not_scaling_down"]
    resource_types = ["--resource-type", "model", "--resource-type", "seed", "--resource-type", "snapshot"]
    run_dbt(["build", *selection, *resource_types, "--vars", json.dumps(dbt_vars)])
    price = config.dbt_vars()["dbu_contract_prices"]["sql_pro"]
    rows = spark.table(f"{module_schema}_silver.savings_sql_warehouses_not_scaling_down").collect()
    return [(row, price) for row in rows]


def planted_run(sample_dir: Path, organization_id: str) -> tuple[str, list[tuple[int, int]], list[tuple]]:
    """The planted warehouse's id, queries (start, end) and events (time, clusters), from the sample."""
    with sqlite3.connect(sample_dir / "api" / f"{organization_id}.sqlite") as connection:
        warehouse_id = next(
            item["id"]
            for (text,) in connection.execute("SELECT json FROM sql_warehouses")
            if (item := json.loads(text))["name"] == PLANTED_WAREHOUSE
        )
        queries = list(
            connection.execute(
                "SELECT start_time_ms, end_time_ms FROM sql_queries WHERE warehouse_id = ?", (warehouse_id,)
            )
        )
    events_path = sample_dir / "warehouse_events" / f"workspaceId={organization_id}" / "warehouse_events.json"
    events = sorted(
        (_epoch_ms(event["event_time"]), event["cluster_count"])
        for line in events_path.read_text().splitlines()
        if (event := json.loads(line))["warehouse_id"] == warehouse_id
    )
    return warehouse_id, queries, events


def test_the_planted_warehouse_is_flagged_with_its_extra_clusters_cost(findings, sample):
    manifest, sample_dir = sample
    organization_id = manifest.workspaces[0].organization_id
    warehouse_id, queries, events = planted_run(sample_dir, organization_id)
    last_query_end = max(end for _start, end in queries)
    first_query_start = min(start for start, _end in queries)
    # The burst leaves no gap as long as the threshold and every scaled-up state starts after its first
    # query, so the unneeded time is the scaled-up time from the threshold after the last query on.
    busy_until = first_query_start
    for start, end in sorted(queries):
        assert start - busy_until < SCALE_DOWN_MINUTES * 60_000
        busy_until = max(busy_until, end)
    scaled_up = [(start, end, clusters) for (start, clusters), (end, _) in pairwise(events) if clusters > 1]
    assert all(start > first_query_start for start, _end, _clusters in scaled_up)
    unneeded_from = last_query_end + SCALE_DOWN_MINUTES * 60_000
    scaled_up_hours = sum(end - start for start, end, _clusters in scaled_up) / HOUR_MS
    unneeded_hours = sum(max(end - max(start, unneeded_from), 0) for start, end, _c in scaled_up) / HOUR_MS
    extra_cluster_hours = (
        sum(max(end - max(start, unneeded_from), 0) * (clusters - 1) for start, end, clusters in scaled_up)
        / HOUR_MS
    )
    scaled_up_cluster_hours = sum((end - start) * clusters for start, end, clusters in scaled_up) / HOUR_MS

    flagged = {(row.organization_id, row.entity_id): (row, price) for row, price in findings}
    row, price = flagged[(organization_id, warehouse_id)]
    assert (row.finding_type, row.entity_name) == ("sql_warehouse_not_scaling_down", PLANTED_WAREHOUSE)
    assert row.evidence == (
        f"scaled up to 4 clusters for {scaled_up_hours:.1f} h, {unneeded_hours:.1f} h of it more than "
        f"{SCALE_DOWN_MINUTES} min after its last query ended"
    )
    assert row.observed_cost == pytest.approx(scaled_up_cluster_hours * SMALL_DBUS_PER_HOUR * price, rel=1e-4)
    observed_days = max(row.observed_until_ms - row.observed_from_ms, 86_400_000) / 86_400_000
    expected_saving = extra_cluster_hours * SMALL_DBUS_PER_HOUR * price * 30 / observed_days
    assert row.estimated_monthly_saving == pytest.approx(expected_saving, rel=1e-4)


def _epoch_ms(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp() * 1000)
