"""One sample workspace, loaded and built as a deployment's first two daily runs would, then once more with
`--full-refresh`: the lake every module of this package reads.

The package is one xdist group (tests/conftest.py), so its modules run on one worker and the lake is built
once per test session.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from end_to_end.end_to_end_lake import FULL_REFRESH_SCHEMA, SCHEMA
from overwatch.dbt_runner import run_dbt
from overwatch.demo import serve_and_load
from overwatch.lakehouse import load_target
from overwatch.model_build import ModelBuild, state_dir_for
from overwatch.model_build import build_models as build_what_is_new
from overwatch.pipeline import RunSummary
from overwatch.sample_workspace import generate_sample_workspace


@pytest.fixture(scope="package")
def end_to_end_schema(lake_dir: Path) -> Iterator[str]:
    """dbt reads its schema from the profile, so the package's runs point the profile at their own."""
    previous = os.environ.get("OVERWATCH_SCHEMA")
    os.environ["OVERWATCH_SCHEMA"] = SCHEMA
    yield SCHEMA
    if previous is None:
        os.environ.pop("OVERWATCH_SCHEMA")
    else:
        os.environ["OVERWATCH_SCHEMA"] = previous


@pytest.fixture(scope="package")
def sample(tmp_path_factory: pytest.TempPathFactory):
    """Two workspaces of 57 clusters over 7 days: the size the cost reconciliation is held to."""
    sample_dir = tmp_path_factory.mktemp("end_to_end_sample")
    return generate_sample_workspace(
        sample_dir, days=7, workspace_count=2, size="medium", seed=42
    ), sample_dir


# Each kind of test runs once: unit tests read only their fixtures, so the first build runs them; data tests
# check what the models hold, so they run, all of them, on the final tables after the second build (which
# the full-refresh comparison shows a single build would give too).
FIRST_BUILD_SKIPS = ("--exclude-resource-type", "test")
LATER_BUILD_SKIPS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def build_models(config, until, skips: tuple[str, ...]) -> ModelBuild:
    """`overwatch build`: what is new since the last successful build of this lake's schema."""
    return build_what_is_new(config.dbt_vars(until_time=until), extra_arguments=skips)


def cluster_states(spark) -> dict[tuple, tuple]:
    rows = spark.table(f"{SCHEMA}_silver.cluster_state_silver").collect()
    return {
        (row.organization_id, row.cluster_id, row.state_start_ms): (
            row.state_end_ms,
            row.is_open,
            row.is_end_imputed,
        )
        for row in rows
    }


@pytest.fixture(scope="package")
def first_run(spark, end_to_end_schema, sample):
    """Load and build the first four days, as a deployment's first daily run would."""
    manifest, sample_dir = sample
    until = manifest.start_time + timedelta(days=4)
    config, summary = serve_and_load(manifest, sample_dir, until=until)
    # A fresh lake has no state of an earlier build: the first build is a full one.
    assert state_dir_for(load_target()) is not None
    build = build_models(config, until, FIRST_BUILD_SKIPS)
    assert build.selection.full and build.selected and len(build.selected) == build.node_count
    return summary, cluster_states(spark)


@pytest.fixture(scope="package")
def loaded(first_run, sample):
    """The next run: the rest of the period arrives and is loaded from each module's watermark."""
    manifest, sample_dir = sample
    return serve_and_load(manifest, sample_dir)


@pytest.fixture(scope="package")
def first_load(loaded):
    _config, summary = loaded
    return summary


@pytest.fixture(scope="package")
def second_build_selection(spark, loaded, sample) -> ModelBuild:
    """The second build selects from the first build's state: the sources the second load added rows
    to, the models reading the changed until_time_ms var, and their descendants. Then every data test
    runs on the tables as they now are."""
    manifest, _ = sample
    config, _summary = loaded
    build = build_models(config, manifest.end_time, LATER_BUILD_SKIPS)
    dbt_vars = json.dumps(config.dbt_vars(until_time=manifest.end_time))
    run_dbt(["test", "--exclude-resource-type", "unit_test", "--vars", dbt_vars])
    return build


@pytest.fixture(scope="package")
def second_build(spark, second_build_selection):
    return cluster_states(spark)


@pytest.fixture(scope="package")
def nothing_new_build(second_build, sample) -> tuple[RunSummary, ModelBuild]:
    """A third run with nothing new to load: the loaders are up to date, and the build finds nothing."""
    manifest, sample_dir = sample
    config, summary = serve_and_load(manifest, sample_dir)
    return summary, build_models(config, manifest.end_time, LATER_BUILD_SKIPS)


@pytest.fixture(scope="package")
def full_refresh_build(spark, nothing_new_build, loaded, sample) -> tuple[list[str], float]:
    """One `dbt build --full-refresh` of every model, seed and snapshot (no tests) into FULL_REFRESH_SCHEMA,
    over the bronze the two incremental builds read and with the second build's vars.

    Returns the tables it built (`<layer>.<name>`, each a model materialised as a table or incrementally)
    and the seconds the build took.
    """
    manifest, _ = sample
    config, _summary = loaded
    # The sources read `<target schema>_bronze`: views there over SCHEMA's bronze give the build the same
    # rows without copying them.
    spark.sql(f"create namespace if not exists {FULL_REFRESH_SCHEMA}_bronze")
    for table in spark.sql(f"show tables in {SCHEMA}_bronze").collect():
        if not table.isTemporary:
            spark.sql(
                f"create or replace view {FULL_REFRESH_SCHEMA}_bronze.{table.tableName} "
                f"as select * from {SCHEMA}_bronze.{table.tableName}"
            )
    os.environ["OVERWATCH_SCHEMA"] = FULL_REFRESH_SCHEMA
    try:
        started = time.monotonic()
        outcome = run_dbt(
            [
                "build",
                "--full-refresh",
                *("--resource-type", "model", "--resource-type", "seed", "--resource-type", "snapshot"),
                *("--vars", json.dumps(config.dbt_vars(until_time=manifest.end_time))),
            ]
        )
        seconds = time.monotonic() - started
    finally:
        os.environ["OVERWATCH_SCHEMA"] = SCHEMA
    tables = [
        f"{result.node.schema.removeprefix(FULL_REFRESH_SCHEMA)}.{result.node.alias}"
        for result in outcome.result.results
        if result.node.resource_type == "model"
        and result.node.config.materialized in ("table", "incremental")
    ]
    print(f"dbt build --full-refresh (models, seeds, snapshots; no tests): {seconds:.0f} s")
    return tables, seconds
