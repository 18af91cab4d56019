"""The bill in gold (billable_usage, pipeline_update_cost, chargeback_daily) built by dbt on the local Spark
from a small hand-made bill: an original record retracted and restated, serverless jobs, notebooks, SQL,
pipelines and model serving, classic jobs compute whose list price changes, and an app on a SKU the price
list lacks (it lands unpriced and flagged, and the priced-products test lets it be).
Expected values are computed by hand from the rows below and the default contract prices in
dbt_project.yml (automated 0.30, serverless SQL 0.70 USD per DBU)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from overwatch.bronze_tables import BILLING_USAGE, LIST_PRICES, create_bronze_tables, insert_new_rows
from overwatch.dbt_runner import DbtOutcome, run_dbt

SCHEMA = "billing_models"
WORKSPACE = "1110000000000001"
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
BILL_DATA_TESTS = {
    "assert_billable_usage_matches_the_bill",
    "assert_billable_usage_keeps_every_billing_record",
    "assert_chargeback_buckets_add_up_to_each_day",
    "assert_every_billed_product_has_priced_rows",
}
JOBS_SERVERLESS = "PREMIUM_JOBS_SERVERLESS_COMPUTE_US_EAST_1"
NOTEBOOK_SERVERLESS = "PREMIUM_ALL_PURPOSE_SERVERLESS_COMPUTE_US_EAST_1"
SQL_SERVERLESS = "PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_1"
MODEL_SERVING = "PREMIUM_SERVERLESS_REAL_TIME_INFERENCE_US_EAST_1"
JOBS_CLASSIC = "PREMIUM_JOBS_COMPUTE"
VECTOR_SEARCH = "PREMIUM_VECTOR_SEARCH_COMPUTE"
UNKNOWN_SKU = "PREMIUM_APPS_PREVIEW_COMPUTE"


def usage_record(
    record_id: str,
    record_type: str,
    sku_name: str,
    product: str,
    start: str,
    quantity: str,
    metadata: str,
    *,
    tags: dict[str, str] | None = None,
    run_as: str | None = None,
    serverless: bool = True,
    ingested: date = date(2024, 3, 3),
) -> tuple:
    """A row of billing_usage_bronze, in its column order; the usage window is one hour."""
    start_time = datetime.fromisoformat(start)
    features = f'{{"is_serverless":{str(serverless).lower()},"is_photon":false}}'
    return (
        *(WORKSPACE, "acc", WORKSPACE, record_id, sku_name, "AWS"),
        *(
            start_time,
            start_time + timedelta(hours=1),
            start_time.date(),
            tags or {},
            "DBU",
            Decimal(quantity),
        ),
        *(metadata, f'{{"run_as":"{run_as}"}}' if run_as else "{}", record_type, ingested, product, features),
        *("COMPUTE_TIME", "hand-made", "run-1", datetime(2024, 3, 5)),
    )


R1 = {"sku_name": JOBS_SERVERLESS, "product": "JOBS", "start": "2024-03-01 10:00:00"}
R1_IDENTITY = {
    "metadata": '{"job_id":"7","job_run_id":"70"}',
    "tags": {"team": "data"},
    "run_as": "a@example.com",
}
BILL = [
    # 4 DBUs retracted and restated at 3: one usage record of 3 DBUs.
    usage_record("r1", "ORIGINAL", **R1, quantity="4", **R1_IDENTITY, ingested=date(2024, 3, 2)),
    usage_record(
        "r1-retraction", "RETRACTION", **R1, quantity="-4", **R1_IDENTITY, ingested=date(2024, 3, 4)
    ),
    usage_record(
        "r1-restatement", "RESTATEMENT", **R1, quantity="3", **R1_IDENTITY, ingested=date(2024, 3, 4)
    ),
    usage_record(
        *("r2", "ORIGINAL", NOTEBOOK_SERVERLESS, "INTERACTIVE", "2024-03-01 12:00:00", "2"),
        '{"notebook_id":"n1","budget_policy_id":"bp1"}',
        run_as="b@example.com",
    ),
    usage_record(
        *("r3", "ORIGINAL", SQL_SERVERLESS, "SQL", "2024-03-01 13:00:00", "5"),
        '{"warehouse_id":"w1"}',
        tags={"team": "bi"},
    ),
    usage_record(
        *("r4", "ORIGINAL", JOBS_SERVERLESS, "DLT", "2024-03-02 09:00:00", "1.5"),
        '{"dlt_pipeline_id":"p1","dlt_update_id":"u1"}',
    ),
    usage_record(
        *("r5", "ORIGINAL", MODEL_SERVING, "MODEL_SERVING", "2024-03-02 10:00:00", "10"),
        '{"endpoint_name":"e1"}',
    ),
    usage_record(
        *("r6", "ORIGINAL", JOBS_CLASSIC, "JOBS", "2024-03-02 11:00:00", "2"),
        '{"cluster_id":"c1","job_id":"8","job_run_id":"80"}',
        tags={"team": "data"},
        serverless=False,
    ),
    usage_record(
        *("r7", "ORIGINAL", UNKNOWN_SKU, "APPS", "2024-03-02 12:00:00", "1"),
        '{"app_id":"a1"}',
    ),
]


def list_price(sku_name: str, start: str, end: str | None, price: str) -> tuple:
    """A row of list_prices_bronze, in its column order."""
    period = (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
    pricing = f'{{"default":"{price}","promotional":{{"default":"{price}"}}}}'
    return (
        "0",
        "acc",
        *period,
        sku_name,
        "AWS",
        "USD",
        "DBU",
        pricing,
        "hand-made",
        "run-1",
        datetime(2024, 3, 5),
    )


LIST_PRICE_ROWS = [
    list_price(JOBS_SERVERLESS, "2024-01-01 00:00:00", None, "0.35"),
    list_price(NOTEBOOK_SERVERLESS, "2024-01-01 00:00:00", None, "0.75"),
    list_price(SQL_SERVERLESS, "2024-01-01 00:00:00", None, "0.70"),
    list_price(MODEL_SERVING, "2024-01-01 00:00:00", None, "0.07"),
    list_price(JOBS_CLASSIC, "2024-01-01 00:00:00", "2024-03-02 11:30:00", "0.15"),
    list_price(JOBS_CLASSIC, "2024-03-02 11:30:00", None, "0.20"),
]


@pytest.fixture(scope="module")
def target(spark, local_target, module_schema: str):
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    insert_new_rows(spark, target, BILLING_USAGE, spark.createDataFrame(BILL, BILLING_USAGE.columns))
    insert_new_rows(spark, target, LIST_PRICES, spark.createDataFrame(LIST_PRICE_ROWS, LIST_PRICES.columns))
    return target


@pytest.fixture(scope="module")
def build(target) -> DbtOutcome:
    return run_dbt(["build", "--select", *BILL_MODELS, *BILL_DATA_TESTS, "--exclude", "test_type:unit"])


def _rows(spark, target, view: str) -> list:
    return spark.table(target.model_table("presentation", view)).collect()


def test_the_bill_builds_and_its_data_tests_pass(build: DbtOutcome):
    statuses = {result.node.name: str(result.status) for result in build.result.results}
    assert {name: statuses.get(name) for name in BILL_DATA_TESTS} == dict.fromkeys(BILL_DATA_TESTS, "pass")


def test_billable_usage_nets_corrections_and_prices_every_record(spark, target, build: DbtOutcome):
    rows = {row.record_id: row for row in _rows(spark, target, "billableUsage")}
    # Nine bill records, two of them corrections of r1: seven usage records.
    assert sorted(rows) == ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]
    assert (rows["r1"].usage_quantity, rows["r1"].correction_count) == (Decimal(3), 2)
    expected = {  # record: (list price, list cost, contract price source, contract cost)
        "r1": (0.35, 3 * 0.35, "list_price", 3 * 0.35),
        "r2": (0.75, 2 * 0.75, "list_price", 2 * 0.75),
        "r3": (0.70, 5 * 0.70, "contract", 5 * 0.70),
        "r4": (0.35, 1.5 * 0.35, "list_price", 1.5 * 0.35),
        "r5": (0.07, 10 * 0.07, "list_price", 10 * 0.07),
        "r6": (0.15, 2 * 0.15, "contract", 2 * 0.30),
    }
    for record_id, (price, list_cost, source, contract_cost) in expected.items():
        row = rows[record_id]
        assert row.is_priced and row.unpriced_reason is None, record_id
        assert (row.list_price, row.list_cost) == (pytest.approx(price), pytest.approx(list_cost)), record_id
        assert row.contract_price_source == source, record_id
        assert row.contract_cost == pytest.approx(contract_cost), record_id
    unknown = rows["r7"]
    assert (unknown.is_priced, unknown.unpriced_reason) == (False, "unknown_sku")
    assert (unknown.list_cost, unknown.contract_cost, unknown.usage_quantity) == (None, None, Decimal(1))
    products = {(row.billing_origin_product, row.is_serverless) for row in rows.values() if row.is_priced}
    for product in ("JOBS", "INTERACTIVE", "SQL", "DLT", "MODEL_SERVING"):
        assert (product, True) in products


def test_pipeline_updates_are_priced_from_the_bill(spark, target, build: DbtOutcome):
    updates = _rows(spark, target, "pipelineUpdateCost")
    assert [(row.dlt_pipeline_id, row.dlt_update_id, row.usage_records) for row in updates] == [
        ("p1", "u1", 1)
    ]
    assert (updates[0].dbus, updates[0].list_cost) == (1.5, pytest.approx(1.5 * 0.35))


def test_chargeback_splits_each_day_with_an_untagged_bucket(spark, target, build: DbtOutcome):
    buckets = {
        (row.bucket_type, row.tag_key, row.tag_value, row.run_as): row.list_cost
        for row in _rows(spark, target, "chargebackDaily")
        if row.usage_date == date(2024, 3, 1)
    }
    # 2024-03-01: r1 (team=data, a@, 1.05), r2 (no tags, budget policy bp1, b@, 1.5), r3 (team=bi, 3.5).
    assert buckets == {
        ("custom_tag", "team", "data", None): pytest.approx(1.05),
        ("custom_tag", "team", "bi", None): pytest.approx(3.5),
        ("custom_tag", "team", None, None): pytest.approx(1.5),
        ("budget_policy", "budget_policy_id", "bp1", None): pytest.approx(1.5),
        ("budget_policy", "budget_policy_id", None, None): pytest.approx(4.55),
        ("run_as", "run_as", None, _hashed("a@example.com")): pytest.approx(1.05),
        ("run_as", "run_as", None, _hashed("b@example.com")): pytest.approx(1.5),
        ("run_as", "run_as", None, None): pytest.approx(3.5),
    }


def _hashed(email: str) -> str:
    """The presentation view's mask (personal_data.mask is on by default): SHA-256 of the value."""
    import hashlib

    return hashlib.sha256(email.encode()).hexdigest()


def test_a_product_with_no_list_price_at_its_usage_lands_flagged_and_fails_the_priced_products_test(
    spark, target, build: DbtOutcome
):
    """A product whose SKU is listed only from after its usage cannot be priced: the test fails on it."""
    search = usage_record("r8", "ORIGINAL", VECTOR_SEARCH, "VECTOR_SEARCH", "2024-03-02 13:00:00", "1", "{}")
    insert_new_rows(spark, target, BILLING_USAGE, spark.createDataFrame([search], BILLING_USAGE.columns))
    later_price = list_price(VECTOR_SEARCH, "2024-04-01 00:00:00", None, "0.50")
    insert_new_rows(spark, target, LIST_PRICES, spark.createDataFrame([later_price], LIST_PRICES.columns))
    run_dbt(["run", "--select", "stg_billing__usage", "billing_usage_silver", "billable_usage"])
    priced_products_test = ["test", "--select", "assert_every_billed_product_has_priced_rows"]
    outcome = run_dbt(priced_products_test, raise_on_failure=False)

    assert not outcome.succeeded
    [result] = [result for result in outcome.result.results if result.node.name == priced_products_test[-1]]
    assert (str(result.status), result.failures) == ("fail", 1)
    [landed] = [row for row in _rows(spark, target, "billableUsage") if row.record_id == "r8"]
    assert (landed.is_priced, landed.unpriced_reason) == (False, "no_list_price_at_usage_time")
    assert (landed.list_cost, landed.contract_cost) == (None, None)
