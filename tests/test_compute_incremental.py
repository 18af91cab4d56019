"""The incremental compute spec models give the same rows as a full rebuild over the same data.

A sample workspace is loaded through the loaders in two runs (its first three days, then the rest), as a
deployment's daily runs would; after each run dbt builds cluster_spec_silver and instance_pool_spec_silver
incrementally (the second run carries each cluster's and pool's spec forward from its state before the
look-back window). Their rows are then compared with a --full-refresh build of the same bronze.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from overwatch.dbt_runner import run_dbt
from overwatch.demo import serve_and_load
from overwatch.sample_workspace import generate_sample_workspace

SCHEMA = "compute_incremental"
SPEC_MODELS = ["cluster_spec_silver", "instance_pool_spec_silver"]


@pytest.fixture(scope="module")
def compute_schema(lake_dir: Path) -> Iterator[str]:
    """dbt reads its schema from the profile, so the module's runs point the profile at their own."""
    previous = os.environ.get("OVERWATCH_SCHEMA")
    os.environ["OVERWATCH_SCHEMA"] = SCHEMA
    yield SCHEMA
    if previous is None:
        os.environ.pop("OVERWATCH_SCHEMA")
    else:
        os.environ["OVERWATCH_SCHEMA"] = previous


def _build(config, until, *extra: str):
    selection = ["--select", *[f"+{model}" for model in SPEC_MODELS]]
    arguments = ["run", *selection, "--vars", json.dumps(config.dbt_vars(until_time=until)), *extra]
    return run_dbt(arguments)


def _rows(spark, model: str) -> list[str]:
    table = spark.table(f"{SCHEMA}_silver.{model}")
    return sorted(row.json for row in table.selectExpr("to_json(struct(*)) as json").collect())


def _compiled_code(outcome, model: str) -> str:
    return next(result.node.compiled_code for result in outcome.result if result.node.name == model)


def test_an_incremental_run_over_new_data_equals_a_full_rebuild(spark, compute_schema, tmp_path):
    manifest = generate_sample_workspace(tmp_path / "sample", days=6, workspace_count=1, size="small", seed=7)
    first_until = manifest.start_time + timedelta(days=3)
    config, _ = serve_and_load(manifest, tmp_path / "sample", until=first_until)
    _build(config, first_until)
    first_rows = {model: _rows(spark, model) for model in SPEC_MODELS}

    config, _ = serve_and_load(manifest, tmp_path / "sample")
    incremental = _build(config, manifest.end_time)
    incremental_rows = {model: _rows(spark, model) for model in SPEC_MODELS}

    full = _build(config, manifest.end_time, "--full-refresh")
    full_rows = {model: _rows(spark, model) for model in SPEC_MODELS}

    for model in SPEC_MODELS:
        # The second run merged (it read its own table for the look-back window); the rebuild did not.
        assert "window_start" in _compiled_code(incremental, model)
        assert "window_start" not in _compiled_code(full, model)
        assert incremental_rows[model] == full_rows[model]
        assert len(first_rows[model]) > 0
    # Clusters act throughout the period, so the second window adds rows (the sample creates its pools early).
    assert len(incremental_rows["cluster_spec_silver"]) > len(first_rows["cluster_spec_silver"])
