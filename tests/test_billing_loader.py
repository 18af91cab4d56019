"""The bill's loader on the sample workspace's bill files: every line lands or is quarantined with its
reason, re-running adds nothing, and the look-back picks up corrections that arrive late."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from overwatch.billing_loader import load_billing_usage, load_list_prices
from overwatch.bronze_tables import (
    BILLING_USAGE,
    LIST_PRICES,
    PIPELINE_REPORT,
    QUARANTINE,
    create_bronze_tables,
)
from overwatch.deployment_config import AccountConfig, Scope, parse_config
from overwatch.load_context import AccountLoadContext
from overwatch.pipeline import account_modules_to_run, run_loaders
from overwatch.run_log import LoadWindow
from overwatch.sample_workspace import generate_sample_workspace

# system.billing.usage as Databricks documents it: nested fields are structs, not text.
SYSTEM_USAGE_SCHEMA = (
    "record_id string, account_id string, workspace_id string, sku_name string, cloud string, "
    "usage_start_time timestamp, usage_end_time timestamp, usage_date date, custom_tags map<string, string>, "
    "usage_unit string, usage_quantity decimal(38, 18), usage_metadata struct<cluster_id: string, "
    "job_id: string, warehouse_id: string, instance_pool_id: string, node_type: string, job_run_id: string, "
    "notebook_id: string, notebook_path: string, dlt_pipeline_id: string, dlt_update_id: string, "
    "dlt_maintenance_id: string, endpoint_name: string, endpoint_id: string, run_name: string, "
    "job_name: string, budget_policy_id: string, app_id: string, app_name: string>, "
    "identity_metadata struct<run_as: string, owned_by: string, created_by: string>, record_type string, "
    "ingestion_date date, billing_origin_product string, product_features struct<jobs_tier: string, "
    "sql_tier: string, dlt_tier: string, is_serverless: boolean, is_photon: boolean, "
    "performance_target: string, serving_type: string>, usage_type string"
)
MALFORMED = '{"record_id": "broken-line", "sku_name": '
WITHOUT_RECORD_ID = {"sku_name": "PREMIUM_JOBS_COMPUTE", "usage_quantity": 1.5}
MISTYPED_QUANTITY = {"record_id": "mistyped", "usage_quantity": "lots"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("bill_loader_sample")
    manifest = generate_sample_workspace(sample_dir, days=3, workspace_count=2, size="small", seed=5)
    return manifest, sample_dir


@pytest.fixture
def billing_dir(sample, tmp_path: Path) -> Path:
    """A copy of the generated bill the test may change."""
    _, sample_dir = sample
    copy = tmp_path / "billing"
    shutil.copytree(sample_dir / "billing", copy)
    return copy


def context_for(spark, target, billing_dir: Path, lookback_days: int = 3) -> AccountLoadContext:
    account = AccountConfig(
        billing_source="files", billing_path=str(billing_dir), billing_lookback_days=lookback_days
    )
    return AccountLoadContext(spark, target, account, "run-1", progress=lambda _message: None)


def whole_period(manifest) -> LoadWindow:
    return LoadWindow(manifest.start_time, manifest.end_time)


def usage_lines(billing_dir: Path) -> list[str]:
    return [
        line
        for path in sorted((billing_dir / "usage").glob("*.json"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def table(context: AccountLoadContext, table_name: str):
    return context.spark.table(context.target.bronze_table(table_name))


def quarantined(context: AccountLoadContext, source: str) -> dict[int, str]:
    rows = table(context, QUARANTINE.name).where(f"source = '{source}'").collect()
    return {row.line_number: row.reason for row in rows}


def test_every_line_lands_or_is_quarantined_and_a_rerun_adds_nothing(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    manifest, _ = sample
    extra = billing_dir / "usage" / "usage_extra.json"
    new_field = json.loads(usage_lines(billing_dir)[0])
    new_field.update(record_id="with-a-new-field", workspace_id="123")
    new_field["usage_metadata"]["field_databricks_adds_later"] = "kept"
    extra.write_text(
        "\n".join(
            [MALFORMED, json.dumps(WITHOUT_RECORD_ID), json.dumps(MISTYPED_QUANTITY), json.dumps(new_field)]
        )
        + "\n"
    )
    lines = usage_lines(billing_dir)
    valid = [json.loads(line) for line in lines if line != MALFORMED]
    valid = [record for record in valid if record.get("record_id")]
    valid = [record for record in valid if isinstance(record.get("usage_quantity"), float | int)]
    context = context_for(spark, isolated_target, billing_dir)

    inserted = load_billing_usage(context, whole_period(manifest))

    bronze = table(context, BILLING_USAGE.name)
    reasons = quarantined(context, "billing_usage")
    assert inserted == bronze.count() == len(valid) == len(lines) - 3
    assert bronze.count() + len(reasons) == len(lines)
    assert reasons == {
        1: "malformed JSON: the line is not one complete JSON object",
        2: "missing or mistyped required field(s): record_id, usage_start_time, ingestion_date",
        3: "missing or mistyped required field(s): "
        "sku_name, usage_quantity, usage_start_time, ingestion_date",
    }
    kept = bronze.where("record_id = 'with-a-new-field'").first()
    assert json.loads(kept.usage_metadata)["field_databricks_adds_later"] == "kept"
    assert kept.organization_id == "123"
    account_rows = bronze.where("workspace_id is null")
    assert account_rows.count() == sum(record["workspace_id"] is None for record in valid) > 0
    assert {row.organization_id for row in account_rows.collect()} == {"0"}
    record_types = {row.record_type: row["count"] for row in bronze.groupBy("record_type").count().collect()}
    assert record_types["RETRACTION"] == record_types["RESTATEMENT"] == manifest.corrected_billing_records > 0

    assert load_billing_usage(context, whole_period(manifest)) == 0
    assert table(context, BILLING_USAGE.name).count() == len(valid)
    assert quarantined(context, "billing_usage") == reasons


def test_bronze_nets_exactly_to_the_simulations_truth(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    manifest, _ = sample
    context = context_for(spark, isolated_target, billing_dir)
    load_billing_usage(context, whole_period(manifest))
    with (billing_dir / "expected_net_usage.csv").open() as file:
        truth = {
            (row["organization_id"], row["usage_date"], row["sku_name"]): Decimal(row["usage_quantity"])
            for row in csv.DictReader(file)
        }
    rows = (
        table(context, BILLING_USAGE.name)
        .groupBy("organization_id", "usage_date", "sku_name")
        .agg({"usage_quantity": "sum"})
        .collect()
    )
    landed = {(row[0], row[1].isoformat(), row[2]): row[3].normalize() for row in rows}
    assert landed == {key: quantity.normalize() for key, quantity in truth.items()}


def test_a_later_window_looks_back_for_a_late_correction(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    """Corrections of the first day's usage are ingested on the second day. Restatements that reach the
    table only after the second day was loaded are missed by the third day's window without a look-back
    and picked up with one."""
    manifest, _ = sample
    day = timedelta(days=1)
    start = manifest.start_time
    second_day, third_day = (start + day).date().isoformat(), (start + 2 * day).date().isoformat()
    originals = {path: path.read_text() for path in sorted((billing_dir / "usage").glob("*.json"))}
    late = []
    for path, text in originals.items():
        kept = []
        for line in text.splitlines():
            record = json.loads(line)
            is_late = record["record_type"] == "RESTATEMENT" and record["ingestion_date"] == second_day
            (late if is_late else kept).append(line)
        path.write_text("".join(f"{line}\n" for line in kept))
    assert late
    context = context_for(spark, isolated_target, billing_dir)
    loaded = load_billing_usage(context, LoadWindow(start, start + day))
    loaded += load_billing_usage(context, LoadWindow(start + day, start + 2 * day))
    assert loaded == sum(
        json.loads(line)["ingestion_date"] <= second_day for line in usage_lines(billing_dir)
    )
    for path, text in originals.items():
        path.write_text(text)

    without_lookback = context_for(spark, isolated_target, billing_dir, lookback_days=0)
    third_window = LoadWindow(start + 2 * day, start + 3 * day)
    ingested_third_day = sum(
        json.loads(line)["ingestion_date"] == third_day for line in usage_lines(billing_dir)
    )
    assert load_billing_usage(without_lookback, third_window) == ingested_third_day
    assert load_billing_usage(context, third_window) == len(late)
    landed = {row.record_id for row in table(context, BILLING_USAGE.name).select("record_id").collect()}
    assert {json.loads(line)["record_id"] for line in late} <= landed
    assert len(landed) == len(usage_lines(billing_dir))


def test_list_prices_land_once_for_every_sku_but_the_unpriced_one(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    manifest, _ = sample
    context = context_for(spark, isolated_target, billing_dir)
    price_lines = (billing_dir / "list_prices" / "list_prices.json").read_text().splitlines()
    assert load_list_prices(context, whole_period(manifest)) == len(price_lines)
    assert load_list_prices(context, whole_period(manifest)) == 0
    load_billing_usage(context, whole_period(manifest))
    unpriced = (
        table(context, BILLING_USAGE.name)
        .join(table(context, LIST_PRICES.name), ["cloud", "sku_name", "usage_unit"], "left_anti")
        .select("sku_name")
        .distinct()
        .collect()
    )
    assert [row.sku_name for row in unpriced] == ["PREMIUM_APPS_PREVIEW_COMPUTE"]
    price = table(context, LIST_PRICES.name).where("sku_name = 'PREMIUM_JOBS_COMPUTE'").first()
    assert (price.organization_id, price.currency_code) == ("0", "USD")
    assert Decimal(json.loads(price.pricing)["default"]) > 0


def test_the_load_run_lands_the_bill_once_per_account(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    """With an `account:` section the bill is loaded once, after the workspaces, under organization_id "0"."""
    manifest, _ = sample
    workspace = manifest.workspaces[0]
    workspace_scopes = [
        scope.value for scope in Scope if scope not in (Scope.BILLING_USAGE, Scope.LIST_PRICES)
    ]
    config = parse_config(
        {
            "workspaces": [
                {
                    "organization_id": workspace.organization_id,
                    "workspace_name": workspace.workspace_name,
                    "cloud": workspace.cloud,
                    "api_host": "http://127.0.0.1:9",
                    "token_env_var": "UNUSED_TOKEN",
                    "audit_log_path": "/nowhere",
                }
            ],
            "dbu_contract_prices": {
                "interactive": 0.55, "automated": 0.3, "jobs_light": 0.1, "sql_compute": 0.22,
                "serverless": 0.7,
            },
            "primordial_date": manifest.start_date.isoformat(),
            "skip_scopes": workspace_scopes,
            "account": {"billing_source": "files", "billing_path": str(billing_dir)},
        }
    )  # fmt: skip
    assert [scope for scope, _ in account_modules_to_run(config)] == [Scope.BILLING_USAGE, Scope.LIST_PRICES]

    summary = run_loaders(config, isolated_target, spark, until=manifest.end_time, progress=lambda _m: None)

    runs = {run.module_name: run for run in summary.module_runs}
    assert set(runs) == {"billing_usage", "list_prices"} and not summary.failed
    assert runs["billing_usage"].rows_written == len(usage_lines(billing_dir))
    assert {run.organization_id for run in summary.module_runs} == {"0"}
    report = spark.table(isolated_target.bronze_table(PIPELINE_REPORT.name)).where("organization_id = '0'")
    assert report.count() == 2
    again = run_loaders(config, isolated_target, spark, until=manifest.end_time, progress=lambda _m: None)
    assert again.module_runs == ()


def test_the_system_table_reader_lands_what_the_files_reader_lands(
    spark, isolated_target, sample, billing_dir: Path
) -> None:
    """On Databricks the same records come from system.billing.usage, structs and all: a table of the
    system table's schema, filled from the sample bill, lands the same bronze rows as its files."""
    manifest, _ = sample
    system_table = f"{isolated_target.schema}_system.billing_usage"
    spark.sql(f"create namespace if not exists {isolated_target.schema}_system")
    spark.read.schema(SYSTEM_USAGE_SCHEMA).json(str(billing_dir / "usage")).writeTo(system_table).create()
    from_files = context_for(spark, isolated_target, billing_dir)
    load_billing_usage(from_files, whole_period(manifest))
    databricks_target = replace(
        isolated_target, schema=f"{isolated_target.schema}_db", adapter_type="databricks"
    )
    create_bronze_tables(spark, replace(databricks_target, adapter_type="spark"))
    account = AccountConfig(billing_usage_table=system_table)
    from_table = AccountLoadContext(
        spark, databricks_target, account, "run-1", progress=lambda _message: None
    )

    assert (
        load_billing_usage(from_table, whole_period(manifest))
        == table(from_files, BILLING_USAGE.name).count()
    )

    def landed(context: AccountLoadContext) -> dict[str, tuple]:
        return {
            row.record_id: (
                row.organization_id, row.sku_name, row.usage_quantity, row.record_type, row.ingestion_date,
                row.custom_tags, json.loads(row.usage_metadata), json.loads(row.identity_metadata),
                json.loads(row.product_features),
            )
            for row in table(context, BILLING_USAGE.name).collect()
        }  # fmt: skip

    assert landed(from_table) == landed(from_files)
    sources = {
        row.source for row in table(from_table, BILLING_USAGE.name).select("source").distinct().collect()
    }
    assert sources == {system_table}


def test_a_billing_source_of_files_needs_a_path() -> None:
    with pytest.raises(ValueError, match="billing_path is required"):
        AccountConfig(billing_source="files")
    assert AccountConfig().billing_usage_table == "system.billing.usage"
