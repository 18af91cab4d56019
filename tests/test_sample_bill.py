"""The sample workspace's bill: computed from what the simulation ran, covering every product, and
netting (corrections included) to the simulation's own truth."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from overwatch.sample_workspace import generate_sample_workspace

PROJECT_DIR = Path(__file__).resolve().parents[1]
REFERENCE_NODE_TYPES = PROJECT_DIR.parent / "shared" / "reference" / "node_types.csv"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# Databricks' Photon DBU multipliers for classic clusters (the public figures the seeds also cite).
PHOTON_MULTIPLIER = {"interactive": 2.0, "job": 2.9}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("bill_sample")
    manifest = generate_sample_workspace(sample_dir, days=3, workspace_count=2, size="medium", seed=13)
    return manifest, sample_dir


@pytest.fixture(scope="module")
def records(sample) -> list[dict]:
    _, sample_dir = sample
    return [
        json.loads(line)
        for path in sorted((sample_dir / "billing" / "usage").glob("*.json"))
        for line in path.read_text().splitlines()
    ]


def net_by(records: list[dict], key) -> dict:
    totals: dict = defaultdict(Decimal)
    for record in records:
        totals[key(record)] += Decimal(str(record["usage_quantity"]))
    return dict(totals)


def test_the_bill_covers_every_product(records: list[dict], sample) -> None:
    manifest, _ = sample
    skus = {record["sku_name"] for record in records}
    for sku in (
        "PREMIUM_ALL_PURPOSE_COMPUTE",
        "PREMIUM_ALL_PURPOSE_COMPUTE_(PHOTON)",
        "PREMIUM_JOBS_COMPUTE",
        "PREMIUM_JOBS_COMPUTE_(PHOTON)",
        "PREMIUM_SQL_COMPUTE",
        "PREMIUM_SQL_PRO_COMPUTE",
        "PREMIUM_DLT_CORE_COMPUTE",
        "PREMIUM_DLT_ADVANCED_COMPUTE_(PHOTON)",
    ):
        assert sku in skus, sku
    for prefix in (
        "PREMIUM_SERVERLESS_SQL_COMPUTE_",
        "PREMIUM_JOBS_SERVERLESS_COMPUTE_",
        "PREMIUM_ALL_PURPOSE_SERVERLESS_COMPUTE_",
        "PREMIUM_SERVERLESS_REAL_TIME_INFERENCE_",
    ):
        assert any(sku.startswith(prefix) for sku in skus), prefix
    origins = {record["billing_origin_product"] for record in records}
    assert {"ALL_PURPOSE", "JOBS", "SQL", "DLT", "MODEL_SERVING", "INTERACTIVE", "NETWORKING"} <= origins
    metadata_keys = {key for record in records for key in record["usage_metadata"]}
    assert {
        "cluster_id", "node_type", "job_id", "job_run_id", "warehouse_id", "notebook_id", "notebook_path",
        "dlt_pipeline_id", "dlt_update_id", "endpoint_name", "endpoint_id", "budget_policy_id",
    } <= metadata_keys  # fmt: skip
    assert {record["record_type"] for record in records} == {"ORIGINAL", "RETRACTION", "RESTATEMENT"}
    assert any(record["custom_tags"] for record in records)
    assert any("run_as" in record["identity_metadata"] for record in records)
    # The account's own usage, and a workspace the deployment does not observe.
    observed = {workspace.organization_id for workspace in manifest.workspaces}
    assert any(record["workspace_id"] is None for record in records)
    assert {record["workspace_id"] for record in records} - observed - {None}


def test_corrections_retract_the_original_and_restate_it_a_day_later(records: list[dict]) -> None:
    by_window: dict[tuple, list[dict]] = defaultdict(list)
    for record in records:
        key = (
            record["workspace_id"],
            record["sku_name"],
            record["usage_start_time"],
            json.dumps(record["usage_metadata"]),
        )
        by_window[key].append(record)
    corrected = [group for group in by_window.values() if len(group) > 1]
    assert 2 <= len(corrected) <= 10
    for group in corrected:
        by_type = {record["record_type"]: record for record in group}
        assert set(by_type) == {"ORIGINAL", "RETRACTION", "RESTATEMENT"}
        assert by_type["RETRACTION"]["usage_quantity"] == -by_type["ORIGINAL"]["usage_quantity"]
        assert by_type["RESTATEMENT"]["usage_quantity"] != by_type["ORIGINAL"]["usage_quantity"]
        assert by_type["RETRACTION"]["ingestion_date"] > by_type["RETRACTION"]["usage_date"]
    assert len({record["record_id"] for record in records}) == len(records)


def test_the_bill_nets_to_the_truth_file(records: list[dict], sample) -> None:
    _, sample_dir = sample
    with (sample_dir / "billing" / "expected_net_usage.csv").open() as file:
        truth = {
            (row["organization_id"], row["usage_date"], row["sku_name"]): Decimal(row["usage_quantity"])
            for row in csv.DictReader(file)
        }
    billed = net_by(
        records, lambda record: (record["workspace_id"] or "0", record["usage_date"], record["sku_name"])
    )
    assert billed == truth


def test_classic_compute_bills_the_ledger_at_each_node_types_rate(records: list[dict], sample) -> None:
    """DBUs per cluster and day, recomputed from the ledger with the published DBU rates."""
    _, sample_dir = sample
    with REFERENCE_NODE_TYPES.open() as file:
        rates = {row["node_type_id"]: float(row["hourly_dbus"]) for row in csv.DictReader(file)}
    expected: dict[tuple[str, str, str], float] = defaultdict(float)
    unpublished_clusters = set()
    with (sample_dir / "ledger" / "cluster_intervals.csv").open() as file:
        for row in csv.DictReader(file):
            if row["is_running"] != "true":
                continue
            if {row["node_type_id"], row["driver_node_type_id"]} - rates.keys():
                unpublished_clusters.add(row["cluster_id"])
                continue
            workers = 0 if row["is_single_node"] == "true" else int(row["current_num_workers"])
            per_hour = rates[row["driver_node_type_id"]] + workers * rates[row["node_type_id"]]
            if row["is_photon"] == "true":
                per_hour *= PHOTON_MULTIPLIER[row["cluster_type"]]
            start, end = int(row["interval_start_ms"]), int(row["interval_end_ms"])
            for day in range(start // DAY_MS, (end - 1) // DAY_MS + 1):
                hours = (min(end, (day + 1) * DAY_MS) - max(start, day * DAY_MS)) / HOUR_MS
                usage_date = datetime.fromtimestamp(day * DAY_MS / 1000, tz=UTC).date().isoformat()
                expected[(row["organization_id"], row["cluster_id"], usage_date)] += hours * per_hour
    assert unpublished_clusters
    billed = net_by(
        [record for record in records if "cluster_id" in record["usage_metadata"]],
        lambda record: (record["workspace_id"], record["usage_metadata"]["cluster_id"], record["usage_date"]),
    )
    billed = {key: quantity for key, quantity in billed.items() if key[1] not in unpublished_clusters}
    assert billed.keys() == {key for key, dbus in expected.items() if dbus > 0}
    for key, quantity in billed.items():
        # Each hour's record is rounded to 6 decimals: at most 24 half-units of rounding a day.
        assert float(quantity) == pytest.approx(expected[key], abs=24 * 5e-7), key


def test_clusters_on_node_types_the_seeds_lack_are_billed(records: list[dict]) -> None:
    known: set[str] = set()
    for cloud in ("aws", "azure", "gcp"):
        with (PROJECT_DIR / "seeds" / f"instance_details_{cloud}.csv").open() as file:
            known |= {row["node_type_id"] for row in csv.DictReader(file)}
    unknown = [
        record
        for record in records
        if record["usage_metadata"].get("cluster_id") and record["usage_metadata"]["node_type"] not in known
    ]
    assert len({record["workspace_id"] for record in unknown}) == 2
    assert all(record["usage_quantity"] > 0 for record in unknown if record["record_type"] == "ORIGINAL")


def test_serverless_job_runs_and_pipeline_updates_are_where_databricks_shows_them(
    records: list[dict], sample
) -> None:
    manifest, sample_dir = sample
    for workspace in manifest.workspaces:
        organization_id = workspace.organization_id
        with sqlite3.connect(sample_dir / "api" / f"{organization_id}.sqlite") as connection:
            runs = [json.loads(text) for (text,) in connection.execute("SELECT json FROM job_runs")]
        clusterless = {
            str(run["run_id"])
            for run in runs
            if "cluster_instance" not in run and not run.get("job_clusters")
        }
        billed_runs = {
            record["usage_metadata"]["job_run_id"]
            for record in records
            if record["workspace_id"] == organization_id
            and record["sku_name"].startswith("PREMIUM_JOBS_SERVERLESS")
        }
        assert billed_runs == clusterless
        assert len(clusterless) == workspace.serverless_job_runs > 0
        audit_updates = {
            json.loads(line)["requestParams"]["update_id"]
            for path in (sample_dir / "audit_logs" / f"workspaceId={organization_id}").rglob("*.json")
            for line in path.read_text().splitlines()
            if json.loads(line)["serviceName"] == "deltaPipelines"
        }
        billed_updates = {
            record["usage_metadata"]["dlt_update_id"]
            for record in records
            if record["workspace_id"] == organization_id and record["billing_origin_product"] == "DLT"
        }
        assert billed_updates == audit_updates
        assert len(audit_updates) == workspace.dlt_pipeline_updates


def test_every_sku_has_a_list_price_but_the_unpriced_one(records: list[dict], sample) -> None:
    _, sample_dir = sample
    prices = [
        json.loads(line)
        for line in (sample_dir / "billing" / "list_prices" / "list_prices.json").read_text().splitlines()
    ]
    priced = {(price["cloud"], price["sku_name"], price["usage_unit"]) for price in prices}
    billed = {(record["cloud"], record["sku_name"], record["usage_unit"]) for record in records}
    assert {sku for _, sku, _ in billed - priced} == {"PREMIUM_APPS_PREVIEW_COMPUTE"}
    assert priced <= billed
    assert all(Decimal(price["pricing"]["default"]) > 0 for price in prices)
    # One SKU is repriced during the period: its earlier price ends where the new one starts.
    history: dict[tuple, list[dict]] = defaultdict(list)
    for price in prices:
        history[(price["cloud"], price["sku_name"])].append(price)
    repriced = [
        sorted(rows, key=lambda row: row["price_start_time"]) for rows in history.values() if len(rows) > 1
    ]
    assert repriced
    for earlier, later in repriced:
        assert earlier["price_end_time"] == later["price_start_time"] and later["price_end_time"] is None
        assert Decimal(later["pricing"]["effective_list"]["default"]) < Decimal(later["pricing"]["default"])
