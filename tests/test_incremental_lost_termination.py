"""A lost TERMINATING imputed from the bill is the same in an incremental build as in a full one.

Job cluster J runs from 08:05 on day 0; its one task run ends at 10:30; the bill charges it for the hours
08:00 to 11:00; its TERMINATING event never arrives. cluster_state_silver imputes the termination at the end
of the last billed hour after the task, 12:00. The first build (until day 3) imputes it; the second (until
day 6, look-back one day, so its checkpoint is day 2) recomputes J's running state, whose end was imputed,
and must read J's bill back to day 0 although every other cluster's bill is read from day 2 on (macro
billed_hours_to_read). The upstream silver tables the model reads besides the cluster events are written
by hand. Times are hand-made: B is 2024-01-01 00:00 UTC.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from overwatch.bronze_tables import CLUSTER_EVENTS, create_bronze_tables, insert_new_rows
from overwatch.dbt_runner import run_dbt

SCHEMA = "incremental_lost_termination"
B = 1_704_067_200_000
D = 86_400_000
H = 3_600_000
MINUTE = 60_000
TASK_END_MS = B + 10 * H + 30 * MINUTE
BILLED_HOURS = [B + 8 * H, B + 9 * H, B + 10 * H, B + 11 * H]
MODELS = ["stg_api__cluster_events", "stg_audit__events", "stg_audit__clusters", "cluster_state_silver"]
# (cluster, event type, current workers, time ms); K only gives the second build an event of its own.
FIRST_EVENTS = [
    ("job-cluster-j", "CREATING", 0, B + 8 * H),
    ("job-cluster-j", "RUNNING", 2, B + 8 * H + 5 * MINUTE),
]
SECOND_EVENTS = [
    ("cluster-k", "CREATING", 0, B + 5 * D),
    ("cluster-k", "RUNNING", 1, B + 5 * D + 5 * MINUTE),
]


@pytest.fixture(scope="module")
def target(spark, local_target, module_schema: str):
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    spark.sql(f"create schema if not exists {module_schema}_silver")
    spark.sql(
        f"create table {target.model_table('silver', 'job_run_silver')} "
        "(organization_id string, cluster_id string, cluster_type string, end_ms bigint,"
        " terminal_state string)"
    )
    spark.sql(
        f"insert into {target.model_table('silver', 'job_run_silver')} "
        f"values ('1', 'job-cluster-j', 'job_cluster', {TASK_END_MS}, 'SUCCESS')"
    )
    spark.sql(
        f"create table {target.model_table('silver', 'billed_compute_hours')} (organization_id string, "
        "compute_kind string, compute_id string, hour_start timestamp, usage_date date, billed_dbus double)"
    )
    billed = ", ".join(
        f"('1', 'cluster', 'job-cluster-j', timestamp_millis({ms}), to_date(timestamp_millis({ms})), 1.0)"
        for ms in BILLED_HOURS
    )
    spark.sql(f"insert into {target.model_table('silver', 'billed_compute_hours')} values {billed}")
    return target


def _load(spark, target, events: list[tuple]) -> None:
    loaded_at = datetime.now(UTC)
    rows = [
        (
            "1",
            cluster,
            kind,
            ms,
            json.dumps({"current_num_workers": workers}),
            None,
            "events",
            "load",
            loaded_at,
        )
        for cluster, kind, workers, ms in events
    ]
    insert_new_rows(spark, target, CLUSTER_EVENTS, spark.createDataFrame(rows, CLUSTER_EVENTS.columns))


def _build(until_ms: int, *, full_refresh: bool = False) -> None:
    dbt_vars = json.dumps({"until_time_ms": until_ms, "lookback_days": 1})
    run_dbt(["run", "--select", *MODELS, "--vars", dbt_vars, *(["--full-refresh"] if full_refresh else [])])


def _states(spark, target) -> list[tuple]:
    table = target.model_table("silver", "cluster_state_silver")
    return sorted(
        (row.cluster_id, row.state, row.state_start_ms, row.state_end_ms, row.is_imputed, row.is_end_imputed)
        for row in spark.table(table).collect()
    )


@pytest.fixture(scope="module")
def incremental_and_full(spark, target) -> tuple[list[tuple], list[tuple]]:
    _load(spark, target, FIRST_EVENTS)
    _build(B + 3 * D)
    _load(spark, target, SECOND_EVENTS)
    _build(B + 6 * D)
    incremental = _states(spark, target)
    _build(B + 6 * D, full_refresh=True)
    return incremental, _states(spark, target)


def test_incremental_build_equals_full_refresh(incremental_and_full):
    incremental, full = incremental_and_full
    assert incremental == full


def test_the_termination_is_imputed_at_the_end_of_the_last_billed_hour(incremental_and_full):
    incremental, _ = incremental_and_full
    terminations = [
        state for state in incremental if state[0] == "job-cluster-j" and state[1] == "TERMINATING"
    ]
    assert [(state[2], state[4]) for state in terminations] == [(BILLED_HOURS[-1] + H, True)]
