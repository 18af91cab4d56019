"""The sample workspace's bill through gold: the generated bill, landed by the billing loader, built into
billable_usage, pipeline_update_cost and chargeback_daily. Expected values come from the generator's own
truth (`billing/expected_net_usage.csv`, net usage per workspace, day and SKU summed from what the
simulation ran) and from its bill files, never from the models."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from overwatch.billing_loader import load_billing_usage, load_list_prices
from overwatch.bronze_tables import create_bronze_tables
from overwatch.dbt_runner import DbtOutcome, run_dbt
from overwatch.deployment_config import AccountConfig
from overwatch.load_context import AccountLoadContext
from overwatch.run_log import LoadWindow
from overwatch.sample_workspace import generate_sample_workspace

SCHEMA = "sample_bill_gold"
BILL_MODELS = [
    "stg_billing__usage",
    "stg_billing__list_prices",
    "billing_usage_silver",
    "dbu_contract_prices_configured",
    "dbu_contract_price_history",
    "dbu_contract_prices",
    "billable_usage",
    "billable_usage_presentation",
    "pipeline_update_cost",
    "pipeline_update_cost_presentation",
    "chargeback_daily",
    "chargeback_daily_presentation",
]
BILL_DATA_TESTS = [
    "assert_billable_usage_matches_the_bill",
    "assert_billable_usage_keeps_every_billing_record",
    "assert_chargeback_buckets_add_up_to_each_day",
    "assert_every_billed_product_has_priced_rows",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("sample_bill_gold")
    manifest = generate_sample_workspace(sample_dir, days=2, workspace_count=1, size="small", seed=7)
    return manifest, sample_dir / "billing"


@pytest.fixture(scope="module")
def target(spark, local_target, module_schema: str, sample):
    manifest, billing_dir = sample
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    account = AccountConfig(billing_source="files", billing_path=str(billing_dir))
    context = AccountLoadContext(spark, target, account, "run-1", progress=lambda _message: None)
    window = LoadWindow(manifest.start_time, manifest.end_time)
    load_list_prices(context, window)
    load_billing_usage(context, window)
    return target


@pytest.fixture(scope="module")
def build(target) -> DbtOutcome:
    return run_dbt(["build", "--select", *BILL_MODELS, *BILL_DATA_TESTS, "--exclude", "test_type:unit"])


def _presentation(spark, target, view: str) -> list:
    return spark.table(target.model_table("presentation", view)).collect()


def _bill_records(billing_dir: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((billing_dir / "usage").glob("*.json"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def test_the_bills_data_tests_pass(build: DbtOutcome):
    statuses = {result.node.name: str(result.status) for result in build.result.results}
    assert {name: statuses.get(name) for name in BILL_DATA_TESTS} == dict.fromkeys(BILL_DATA_TESTS, "pass")


def test_billable_usage_per_workspace_day_and_sku_is_the_simulations_net_usage(spark, target, sample, build):
    _, billing_dir = sample
    with (billing_dir / "expected_net_usage.csv").open() as file:
        truth = {
            (row["organization_id"], row["usage_date"], row["sku_name"]): Decimal(row["usage_quantity"])
            for row in csv.DictReader(file)
        }
    gold: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in _presentation(spark, target, "billableUsage"):
        gold[(row.organization_id, row.usage_date.isoformat(), row.sku_name)] += row.usage_quantity
    assert dict(gold) == truth


def test_every_product_of_the_bill_is_priced_but_the_sku_the_price_list_lacks(spark, target, sample, build):
    _, billing_dir = sample
    records = _bill_records(billing_dir)
    listed = {
        json.loads(line)["sku_name"] for line in (billing_dir / "list_prices" / "list_prices.json").open()
    }
    unlisted = {record["sku_name"] for record in records} - listed
    assert unlisted, "the sample bill has a SKU the price list lacks"
    rows = _presentation(spark, target, "billableUsage")
    priced = {(row.billing_origin_product, row.is_serverless) for row in rows if row.is_priced}
    for product in ("JOBS", "INTERACTIVE", "SQL", "MODEL_SERVING"):
        assert (product, True) in priced, product
    assert ("DLT", False) in priced
    flagged = {(row.sku_name, row.is_priced, row.unpriced_reason, row.list_cost) for row in rows}
    assert {entry for entry in flagged if entry[0] in unlisted} == {
        (sku, False, "unknown_sku", None) for sku in unlisted
    }


def test_every_pipeline_update_of_the_bill_has_a_cost(spark, target, sample, build):
    _, billing_dir = sample
    updates = {
        (record["usage_metadata"]["dlt_pipeline_id"], record["usage_metadata"]["dlt_update_id"])
        for record in _bill_records(billing_dir)
        if (record.get("usage_metadata") or {}).get("dlt_update_id")
    }
    rows = _presentation(spark, target, "pipelineUpdateCost")
    assert updates and {(row.dlt_pipeline_id, row.dlt_update_id) for row in rows} == updates
    assert all(row.is_priced and row.list_cost > 0 for row in rows)
