"""cluster_state_detail_silver built window by window from its checkpoint equals a --full-refresh over the
same bronze, and the planted job cluster whose TERMINATING event was lost ends at its last task's end.

A small generated workspace (1 workspace, 3 days) is loaded and built in three daily windows (until_time),
then the model alone is rebuilt with --full-refresh: every row of every column must be the same. Expected
values come from the simulation (its manifest's planted case), never from the model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from overwatch.dbt_runner import run_dbt
from overwatch.demo import serve_and_load
from overwatch.sample_workspace import generate_sample_workspace

SCHEMA = "cluster_state_checkpoint"
MODEL = "cluster_state_detail_silver"
# The model and everything it reads, without data or unit tests (other modules test those).
BUILD = ["--select", f"+{MODEL}", *(f"--resource-type={kind}" for kind in ("model", "seed", "snapshot"))]


@pytest.fixture(scope="module")
def checkpoint_schema(lake_dir) -> Iterator[str]:
    """dbt reads its schema from the profile, so the module points the profile at its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERWATCH_SCHEMA", SCHEMA)
        yield SCHEMA


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    sample_dir = tmp_path_factory.mktemp("cluster_state_checkpoint")
    manifest = generate_sample_workspace(sample_dir, days=3, workspace_count=1, size="small", seed=7)
    return manifest, sample_dir


def model_seconds(outcome) -> float:
    return sum(result.execution_time for result in outcome.result.results if result.node.name == MODEL)


def state_rows(spark) -> list[tuple]:
    rows = spark.table(f"{SCHEMA}_silver.{MODEL}").collect()
    return sorted(tuple(row) for row in rows)


@pytest.fixture(scope="module")
def builds(spark, checkpoint_schema, sample) -> dict:
    """Three daily windows, each loaded then built incrementally; then a --full-refresh of the model."""
    manifest, sample_dir = sample
    seconds: dict[str, float] = {}
    for day in (1, 2, 3):
        until = manifest.start_time + timedelta(days=day)
        config, _summary = serve_and_load(manifest, sample_dir, until=until)
        # A one-day look-back (the cluster events loader's own), so the third window starts from a checkpoint.
        dbt_vars = json.dumps({**config.dbt_vars(until_time=until), "lookback_days": 1})
        outcome = run_dbt(["build", *BUILD, "--vars", dbt_vars])
        seconds[f"window {day}"] = model_seconds(outcome)
    incremental = state_rows(spark)
    started = time.monotonic()
    outcome = run_dbt(["run", "--select", MODEL, "--full-refresh", "--vars", dbt_vars])
    seconds["full refresh"] = model_seconds(outcome)
    print(f"{MODEL} seconds: {seconds} (wall {time.monotonic() - started:.1f} s for the full refresh)")
    return {"incremental": incremental, "full": state_rows(spark), "seconds": seconds}


def test_incremental_windows_equal_a_full_refresh(builds):
    assert len(builds["full"]) > 100
    assert builds["incremental"] == builds["full"]


def test_the_lost_termination_is_imputed_at_the_last_task_end(spark, builds, sample):
    manifest, _ = sample
    planted = manifest.workspaces[0].lost_termination
    assert planted is not None
    states = (
        spark.table(f"{SCHEMA}_silver.{MODEL}")
        .where(f"cluster_id = '{planted.cluster_id}'")
        .orderBy("state_start_ms")
        .collect()
    )
    assert next(state.state for state in states if not state.is_imputed) == "CREATING"
    running, imputed = states[-2], states[-1]
    # The imputed end is the last task's end, 100 ms before the simulation really stopped the cluster.
    assert (running.is_running, running.is_end_imputed, running.state_end_ms) == (
        True,
        True,
        planted.last_task_end_ms - 1,
    )
    assert (imputed.state, imputed.is_imputed, imputed.is_running, imputed.state_start_ms) == (
        "TERMINATING",
        True,
        False,
        planted.stopped_ms - 100,
    )
    assert imputed.is_open
    assert sum(state.is_end_imputed for state in states) == 1
