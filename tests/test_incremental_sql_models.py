"""Incremental SQL warehouse models give the rows a full rebuild gives.

warehouse_state_silver (merged from each warehouse's last restart before its open state and the
look-back) and sql_query_history (merged for recent and unfinished queries) are built on the local Spark
from a first load, then incrementally after a second load that closes open states, adds a late event, a
resize, a finished version of a running query and a late query; the result must equal a --full-refresh
build over the same bronze rows. Times are hand-made: B is 2024-01-01 00:00 UTC, D a day in milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from overwatch.bronze_tables import (
    AUDIT_LOG,
    SQL_QUERY_HISTORY,
    WAREHOUSE_EVENTS,
    create_bronze_tables,
    insert_new_rows,
)
from overwatch.dbt_runner import run_dbt
from overwatch.scan_metrics import SqlExecutionLog

SCHEMA = "incremental_sql_models"
B = 1_704_067_200_000
D = 86_400_000
MINUTE = 60_000
FIRST_UNTIL_MS = B + 5 * D
SECOND_UNTIL_MS = B + 10 * D
MODELS = [
    "stg_audit__events",
    "stg_audit__sql_warehouses",
    "stg_api__sql_warehouses",
    "stg_api__warehouse_events",
    "stg_api__query_history",
    "warehouse_silver",
    "warehouse_state_silver",
    "sql_query_history",
]
INCREMENTAL_MODELS = ["warehouse_state_silver", "sql_query_history"]

# (organization, warehouse, event type, clusters, time ms)
FIRST_EVENTS = [
    ("1", "wh-1", "STARTING", 0, B + D // 10),
    ("1", "wh-1", "RUNNING", 1, B + D // 10 + MINUTE),
    ("1", "wh-1", "STOPPING", 0, B + 3 * D // 10),
    ("1", "wh-1", "STOPPED", 0, B + 3 * D // 10 + MINUTE),
    ("1", "wh-1", "STARTING", 0, B + D // 2),
    ("1", "wh-1", "RUNNING", 1, B + D // 2 + MINUTE),
    ("1", "wh-1", "SCALED_UP", 2, B + D),
    ("1", "wh-1", "SCALED_DOWN", 1, B + 3 * D),
    ("1", "wh-2", "STARTING", 0, B + D // 10),
    ("1", "wh-2", "RUNNING", 1, B + D // 10 + MINUTE),
    ("1", "wh-2", "STOPPING", 0, B + D // 2),
    ("1", "wh-2", "STOPPED", 0, B + D // 2 + MINUTE),
    ("1", "wh-2", "STARTING", 0, B + D),
    ("1", "wh-2", "RUNNING", 1, B + D + MINUTE),
    ("1", "wh-2", "STOPPING", 0, B + 2 * D),
    ("1", "wh-2", "STOPPED", 0, B + 2 * D + MINUTE),
    ("1", "wh-2", "STARTING", 0, B + 4 * D),
    ("1", "wh-2", "RUNNING", 1, B + 4 * D + MINUTE),
    ("1", "wh-3", "STARTING", 0, B + D // 5),
    ("1", "wh-3", "RUNNING", 1, B + D // 5 + MINUTE),
    ("1", "wh-3", "STOPPING", 0, B + 4 * D // 5),
    ("1", "wh-3", "STOPPED", 0, B + 4 * D // 5 + MINUTE),
    ("2", "wh-9", "STARTING", 0, B + D),
    ("2", "wh-9", "RUNNING", 3, B + D + MINUTE),
]
SECOND_EVENTS = [
    ("1", "wh-1", "SCALED_UP", 2, B + 6 * D),
    ("1", "wh-1", "STOPPING", 0, B + 7 * D),
    ("1", "wh-1", "STOPPED", 0, B + 7 * D + MINUTE),
    # Late: before the first build's newest state, within the one-day look-back.
    ("1", "wh-2", "SCALED_UP", 2, B + 9 * D // 2),
    ("1", "wh-2", "STOPPING", 0, B + 8 * D),
    ("1", "wh-3", "STARTING", 0, B + 9 * D),
    ("1", "wh-3", "RUNNING", 1, B + 9 * D + MINUTE),
    ("1", "wh-4", "STARTING", 0, B + 6 * D),
    ("3", "wh-7", "STARTING", 0, B + 7 * D),
]
# (organization, action, warehouse id, cluster size, time ms): a size edit is a RESIZED state.
FIRST_WAREHOUSE_ACTIONS = [
    ("1", "createWarehouse", "wh-1", "Small", B),
    ("1", "editWarehouse", "wh-1", "Medium", B + 2 * D),
]
SECOND_WAREHOUSE_ACTIONS = [("1", "editEndpoint", "wh-1", "Large", B + 13 * D // 2)]
# (organization, query id, status, start ms, end ms, loaded in load)
FIRST_QUERIES = [
    ("1", "q-1", "FINISHED", B + D, B + D + 5_000),
    ("1", "q-2", "RUNNING", B + 4 * D, None),
    ("1", "q-3", "FINISHED", B + 9 * D // 2, B + 9 * D // 2 + 1_000),
]
SECOND_QUERIES = [
    ("1", "q-2", "FINISHED", B + 4 * D, B + 6 * D),
    # Late: started before the newest query the first build held, within the one-day look-back.
    ("1", "q-late", "FAILED", B + 21 * D // 5, B + 21 * D // 5 + 2_000),
    ("1", "q-4", "RUNNING", B + 6 * D, None),
]


@pytest.fixture(scope="module")
def target(spark, local_target, module_schema: str):
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    return target


def _load(
    spark, target, events: list[tuple], actions: list[tuple], queries: list[tuple], load_run_id: str
) -> None:
    loaded_at = datetime.now(UTC)
    event_rows = [
        (org, None, None, warehouse, kind, clusters, _timestamp(ms), "events.json", load_run_id, loaded_at)
        for org, warehouse, kind, clusters, ms in events
    ]
    insert_new_rows(
        spark, target, WAREHOUSE_EVENTS, spark.createDataFrame(event_rows, WAREHOUSE_EVENTS.columns)
    )
    insert_new_rows(
        spark,
        target,
        AUDIT_LOG,
        spark.createDataFrame(
            [_audit_row(*action, load_run_id, loaded_at) for action in actions], AUDIT_LOG.columns
        ),
    )
    query_rows = [
        (
            org,
            query_id,
            "wh-1",
            status,
            status != "RUNNING",
            start,
            end,
            json.dumps(
                {
                    "query_id": query_id,
                    "warehouse_id": "wh-1",
                    "status": status,
                    "query_start_time_ms": start,
                    "query_end_time_ms": end,
                    "metrics": {"total_time_ms": (end or start) - start},
                }
            ),
            "sql/history/queries",
            load_run_id,
            loaded_at,
        )
        for org, query_id, status, start, end in queries
    ]
    insert_new_rows(
        spark, target, SQL_QUERY_HISTORY, spark.createDataFrame(query_rows, SQL_QUERY_HISTORY.columns)
    )


def _audit_row(
    org: str, action: str, warehouse: str, size: str, ms: int, load_run_id: str, loaded_at: datetime
):
    is_create = action.startswith("create")
    params = {"cluster_size": size, **({"name": warehouse} if is_create else {"id": warehouse})}
    result = json.dumps({"id": warehouse}) if is_create else None
    event_time = _timestamp(ms)
    return (
        org,
        event_time.date(),
        "2.0",
        "WORKSPACE_LEVEL",
        ms,
        org,
        org,
        None,
        None,
        "198.51.100.7",
        "ui",
        None,
        ("ana@example.com", None),
        "databrickssql",
        action,
        f"req-{ms}",
        params,
        (200, None, result),
        {},
        ms,
        "audit.json",
        load_run_id,
        loaded_at,
    )


def _timestamp(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _build(until_ms: int, *, full_refresh: bool = False) -> None:
    dbt_vars = json.dumps({"until_time_ms": until_ms, "lookback_days": 1})
    selection = INCREMENTAL_MODELS if full_refresh else MODELS
    run_dbt(
        ["run", "--select", *selection, "--vars", dbt_vars, *(["--full-refresh"] if full_refresh else [])]
    )


def _rows(spark, target) -> dict[str, list[str]]:
    tables = {
        "warehouse_state_silver": target.model_table("silver", "warehouse_state_silver"),
        "sql_query_history": target.model_table("gold", "sql_query_history_v1"),
    }
    return {name: sorted(repr(row) for row in spark.table(table).collect()) for name, table in tables.items()}


@pytest.fixture(scope="module")
def incremental_and_full(spark, target) -> tuple[dict, dict, dict]:
    _load(spark, target, FIRST_EVENTS, FIRST_WAREHOUSE_ACTIONS, FIRST_QUERIES, "load-1")
    _build(FIRST_UNTIL_MS)
    _load(spark, target, SECOND_EVENTS, SECOND_WAREHOUSE_ACTIONS, SECOND_QUERIES, "load-2")
    _build(SECOND_UNTIL_MS)
    states = {
        (row.warehouse_id, row.state_start_ms): row
        for row in spark.table(target.model_table("silver", "warehouse_state_silver")).collect()
    }
    incremental = _rows(spark, target)
    _build(SECOND_UNTIL_MS, full_refresh=True)
    return incremental, _rows(spark, target), states


def test_incremental_build_equals_full_refresh(incremental_and_full):
    incremental, full, _ = incremental_and_full
    assert incremental == full


def test_incremental_build_has_every_state_and_query(incremental_and_full):
    incremental, _, _ = incremental_and_full
    resizes = [
        action
        for action in FIRST_WAREHOUSE_ACTIONS + SECOND_WAREHOUSE_ACTIONS
        if action[1] != "createWarehouse"
    ]
    assert len(incremental["warehouse_state_silver"]) == len(FIRST_EVENTS + SECOND_EVENTS + resizes)
    queries = {(org, query_id) for org, query_id, *_ in FIRST_QUERIES + SECOND_QUERIES}
    assert len(incremental["sql_query_history"]) == len(queries)


def test_states_open_at_the_first_build_are_closed_by_later_events(incremental_and_full):
    *_, states = incremental_and_full
    # wh-1 scaled down at B+3D and the first build left it open; it scaled up again at B+6D.
    scaled_down = states[("wh-1", B + 3 * D)]
    assert (scaled_down.is_open, scaled_down.state_end_ms) == (False, B + 6 * D - 1)
    # wh-2 ran from B+4D+1min, open at the first build; the late SCALED_UP at B+4.5D ends it.
    running = states[("wh-2", B + 4 * D + MINUTE)]
    assert (running.is_open, running.state_end_ms, running.current_num_clusters) == (
        False,
        B + 9 * D // 2 - 1,
        1,
    )
    # The resize at B+6.5D keeps wh-1's two clusters of the SCALED_UP state before it.
    resized = states[("wh-1", B + 13 * D // 2)]
    assert (resized.state, resized.is_running, resized.current_num_clusters) == ("RESIZED", True, 2)


def _merge_sources_read(spark, until_ms: int) -> set[str]:
    log = SqlExecutionLog(spark)
    _build(until_ms)
    return {
        scan.table
        for execution in log.executions()
        for scan in execution.scans
        if "__dbt_merge_source" in scan.table
    }


def _merge_source_tables(spark, namespaces: list[str]) -> list[str]:
    return [
        row.tableName
        for namespace in namespaces
        for row in spark.sql(f"show tables in {namespace}").collect()
        if "__dbt_merge_source" in row.tableName
    ]


def test_merges_read_their_source_from_the_merge_sources_catalog_and_drop_it(
    spark, target, incremental_and_full
):
    # Another incremental run over the same bronze rows, after the full refresh: it must change nothing.
    _, full, _ = incremental_and_full
    sources = _merge_sources_read(spark, SECOND_UNTIL_MS)
    assert sources == {
        f"merge_sources.{target.schema}_silver.warehouse_state_silver__dbt_merge_source",
        f"merge_sources.{target.schema}_gold.sql_query_history_v1__dbt_merge_source",
    }
    namespaces = [f"merge_sources.{target.schema}_silver", f"merge_sources.{target.schema}_gold"]
    assert _merge_source_tables(spark, namespaces) == []
    assert _rows(spark, target) == full
