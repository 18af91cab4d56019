"""jobrun_silver built in two incremental runs equals the same models rebuilt with --full-refresh.

A small generated workspace is loaded in two windows (audit logs, jobs and job runs from the fake API). After
the first window the job models are built; after the second they run incrementally (each reads only its
look-back of new bronze rows and the affected runs' existing rows); then they are rebuilt from scratch. Every
row of job_run_events, job_run_api_snapshot_latest and jobrun_silver must be the same both
ways, and the second window must have added job runs, so the incremental run had work to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, functions
from pyspark.sql.types import MapType

from overwatch.api_snapshot_loader import load_api_snapshot, load_job_runs
from overwatch.audit_log_loader import load_audit_logs
from overwatch.bronze_tables import create_bronze_tables
from overwatch.dbt_runner import run_dbt
from overwatch.deployment_config import WorkspaceConfig
from overwatch.fake_api import FakeDatabricksApi
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow
from overwatch.sample_workspace import generate_sample_workspace

SCHEMA = "jobrun_incremental"
TOKEN_VARIABLE = "OVERWATCH_JOBRUN_INCREMENTAL_TOKEN"
TOKEN = "dapi-jobrun-incremental"
INCREMENTAL_MODELS = ["job_run_events", "job_run_api_snapshot_latest", "jobrun_silver"]
DAYS = 3


@pytest.fixture(scope="module")
def job_schema() -> Iterator[str]:
    """dbt reads its schema from the profile, so the module points the profile at its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERWATCH_SCHEMA", SCHEMA)
        patch.setenv(TOKEN_VARIABLE, TOKEN)
        yield SCHEMA


def _load(spark, target, sample_dir: Path, organization_id: str, window: LoadWindow, run_id: str) -> None:
    with FakeDatabricksApi(sample_dir / "api" / f"{organization_id}.sqlite", token=TOKEN) as server:
        workspace = WorkspaceConfig(
            organization_id=organization_id,
            workspace_name="jobrun-incremental",
            cloud="aws",
            api_host=server.host,
            token_env_var=TOKEN_VARIABLE,
            audit_log_path=str(sample_dir / "audit_logs"),
        )
        context = LoadContext(spark, target, workspace, run_id, progress=lambda _message: None)
        load_audit_logs(context, window)
        load_api_snapshot(context, window, entity="jobs")
        load_job_runs(context, window)


def _job_run_count(spark) -> int:
    return (
        spark.table(f"{SCHEMA}_silver.jobrun_silver")
        .select("organization_id", "job_run_id")
        .distinct()
        .count()
    )


def _comparable(table: DataFrame) -> DataFrame:
    """Spark cannot EXCEPT map columns (job_run_events.request_params): compare them as JSON text."""
    return table.select(
        *(
            functions.to_json(column.name).alias(column.name)
            if isinstance(column.dataType, MapType)
            else column.name
            for column in table.schema.fields
        )
    )


@pytest.fixture(scope="module")
def built_both_ways(spark, local_target, job_schema: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    sample_dir = tmp_path_factory.mktemp("jobrun_incremental")
    manifest = generate_sample_workspace(sample_dir, days=DAYS, workspace_count=1, size="small")
    organization_id = manifest.workspaces[0].organization_id
    target = replace(local_target, schema=job_schema)
    create_bronze_tables(spark, target)
    middle = manifest.start_time + timedelta(days=DAYS - 1)

    _load(spark, target, sample_dir, organization_id, LoadWindow(manifest.start_time, middle), "run-1")
    run_dbt(["run", "--select", "+jobrun_silver"])  # with the staging views it reads
    runs_after_first_window = _job_run_count(spark)

    _load(spark, target, sample_dir, organization_id, LoadWindow(middle, manifest.end_time), "run-2")
    run_dbt(["run", "--select", *INCREMENTAL_MODELS])
    runs_after_second_window = _job_run_count(spark)
    for model in INCREMENTAL_MODELS:
        table = f"{SCHEMA}_silver.{model}"
        spark.sql(f"create or replace table {table}__incremental as select * from {table}")

    run_dbt(["run", "--select", *INCREMENTAL_MODELS, "--full-refresh"])
    return {"first": runs_after_first_window, "second": runs_after_second_window}


def test_the_second_window_adds_job_runs(built_both_ways: dict) -> None:
    assert built_both_ways["first"] > 0
    assert built_both_ways["second"] > built_both_ways["first"]


@pytest.mark.parametrize("model", INCREMENTAL_MODELS)
def test_incremental_equals_full_refresh(spark, built_both_ways: dict, model: str) -> None:
    incremental = _comparable(spark.table(f"{SCHEMA}_silver.{model}__incremental"))
    full = _comparable(spark.table(f"{SCHEMA}_silver.{model}"))
    assert full.count() > 0
    assert incremental.count() == full.count()
    assert incremental.exceptAll(full).count() == 0, f"{model}: rows only the incremental build has"
    assert full.exceptAll(incremental).count() == 0, f"{model}: rows only the full refresh has"
