"""Both targets of the one dbt profile: the loaders read the same definition dbt does."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.dbt_runner import run_dbt
from overwatch.lakehouse import TargetError, load_target

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABRICKS_ENVIRONMENT = {
    "DATABRICKS_HOST": "https://dbc-00000000-0000.cloud.databricks.com",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/0000000000000000",
    "DATABRICKS_TOKEN": "dapi-not-a-real-token",
    "OVERWATCH_CATALOG": "observability",
}


def test_local_target_carries_the_embedded_spark_configuration(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OVERWATCH_LAKE_DIR", "/lake/here")
    target = load_target("local", PROJECT_DIR)
    assert target.table_format == "iceberg"
    assert target.spark_conf["spark.sql.defaultCatalog"] == "lake"
    assert target.spark_conf["spark.sql.warehouse.dir"] == "/lake/here/warehouse"
    assert target.spark_conf["spark.jars"].endswith(".jar") and Path(target.spark_conf["spark.jars"]).exists()
    assert target.bronze_table("audit_log_bronze") == "`overwatch_bronze`.`audit_log_bronze`"


def test_databricks_target_uses_unity_catalog_and_delta(monkeypatch: pytest.MonkeyPatch):
    for name, value in DATABRICKS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    target = load_target("databricks", PROJECT_DIR)
    assert target.table_format == "delta"
    assert target.spark_conf == {}
    assert target.bronze_table("pipeline_report") == "`observability`.`overwatch_bronze`.`pipeline_report`"


def test_loaders_on_databricks_need_no_warehouse_credentials(monkeypatch: pytest.MonkeyPatch):
    """The loaders task runs on the job's cluster: it needs the catalog and schema, not a SQL warehouse."""
    for name in ("DATABRICKS_HOST", "DATABRICKS_HTTP_PATH", "DATABRICKS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OVERWATCH_CATALOG", "observability")
    assert load_target("databricks", PROJECT_DIR).bronze_schema == "overwatch_bronze"


def test_a_missing_variable_the_target_needs_fails_clearly(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OVERWATCH_LAKE_DIR", raising=False)
    monkeypatch.setattr("overwatch.lakehouse.prepare_local_environment", lambda project=None: None)
    with pytest.raises(TargetError, match="OVERWATCH_LAKE_DIR"):
        load_target("local", PROJECT_DIR)


def test_unknown_target_is_named(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(TargetError, match="'staging' is not in the dbt profile"):
        load_target("staging", PROJECT_DIR)


def test_project_parses_for_the_databricks_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Production keeps compiling: dbt parse against dbt-databricks needs no connection."""
    for name, value in DATABRICKS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    outcome = run_dbt(
        [
            "parse",
            "--target",
            "databricks",
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path),
        ],
        raise_on_failure=False,
    )
    assert outcome.succeeded
    assert (tmp_path / "manifest.json").exists()
