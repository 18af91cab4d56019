"""An incremental notebook_commands build gives the rows a full rebuild gives, whatever each workspace's pace.

The look-back of an incremental run is one point for the active workspaces. A workspace the table holds no
command of since then, but whose commands the audit log delivered since, gets its own look-back from its
newest command held: here workspace 2, quiet after its first day and then delivering a command of day 3 on
day 9 (its audit log lags), and workspace 3, new in the second load with a command of day 2. Built on the
local Spark from a first load, then incrementally after a second load; the result must equal a
--full-refresh build over the same bronze rows. The models upstream of notebook_commands are built empty
(no cluster states, so no costs): what is tested is which commands a run recomputes. Times are hand-made:
B is 2024-01-01 00:00 UTC, D a day in milliseconds.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from overwatch.bronze_tables import AUDIT_LOG, create_bronze_tables, insert_new_rows
from overwatch.dbt_runner import run_dbt

SCHEMA = "incremental_notebook_commands"
B = 1_704_067_200_000
D = 86_400_000
FIRST_UNTIL_MS = B + 5 * D
SECOND_UNTIL_MS = B + 10 * D
MODELS = ["stg_audit__events", "stg_audit__notebook", "notebook", "notebook_commands"]

# (organization, command id, start ms, delivered on day)
FIRST_COMMANDS = [
    *[("1", f"w1-{day}", B + day * D + D // 2, day) for day in range(5)],
    ("2", "w2-0", B + D // 3, 0),
    ("2", "w2-1", B + D + D // 3, 1),
]
SECOND_COMMANDS = [
    *[("1", f"w1-{day}", B + day * D + D // 2, day) for day in range(5, 10)],
    ("2", "w2-3-late", B + 3 * D, 9),
    ("2", "w2-9", B + 9 * D, 9),
    ("3", "w3-2", B + 2 * D, 9),
    ("3", "w3-8", B + 8 * D, 9),
]


@pytest.fixture(scope="module")
def target(spark, local_target, module_schema: str):
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    return target


def _load(spark, target, commands: list[tuple], load_run_id: str) -> None:
    loaded_at = datetime.now(UTC)
    rows = [_run_command_row(*command, load_run_id, loaded_at) for command in commands]
    insert_new_rows(spark, target, AUDIT_LOG, spark.createDataFrame(rows, AUDIT_LOG.columns))


def _run_command_row(
    org: str, command_id: str, ms: int, delivery_day: int, load_run_id: str, loaded_at: datetime
) -> tuple:
    params = {
        "notebookId": f"nb-{org}",
        "clusterId": f"cluster-{org}",
        "commandId": command_id,
        "commandText": "select 1",
        "commandLanguage": "sql",
        "executionTime": "2.5",
        "status": "finished",
    }
    return (
        org,
        datetime.fromtimestamp((B + delivery_day * D) / 1000, tz=UTC).date(),
        "2.0",
        "WORKSPACE_LEVEL",
        ms,
        org,
        org,
        None,
        None,
        "198.51.100.7",
        "browser",
        None,
        ("ana@example.com", None),
        "notebook",
        "runCommand",
        f"req-{command_id}",
        params,
        (200, None, None),
        {},
        zlib.crc32(f"{org}/{command_id}".encode()),
        "audit.json",
        load_run_id,
        loaded_at,
    )


def _run(until_ms: int, selection: list[str], *flags: str, command: str = "run") -> None:
    dbt_vars = json.dumps({"until_time_ms": until_ms, "lookback_days": 1})
    run_dbt([command, "--select", *selection, "--vars", dbt_vars, *flags])


def _commands(spark, target) -> list:
    table = spark.table(target.model_table("gold", "notebook_commands_v1"))
    return sorted(table.collect(), key=repr)


@pytest.fixture(scope="module")
def incremental_and_full(spark, target) -> tuple[list, list]:
    upstream = ["+notebook_commands", "--exclude", "notebook", "notebook_commands"]
    _run(FIRST_UNTIL_MS, upstream, "--empty", "--exclude-resource-type", "test", "unit_test", command="build")
    _load(spark, target, FIRST_COMMANDS, "load-1")
    _run(FIRST_UNTIL_MS, MODELS)
    _load(spark, target, SECOND_COMMANDS, "load-2")
    _run(SECOND_UNTIL_MS, MODELS)
    incremental = _commands(spark, target)
    _run(SECOND_UNTIL_MS, ["notebook", "notebook_commands"], "--full-refresh")
    return incremental, _commands(spark, target)


def test_incremental_build_equals_full_refresh(incremental_and_full):
    incremental, full = incremental_and_full
    assert [repr(row) for row in incremental] == [repr(row) for row in full]


def test_the_lagging_and_the_new_workspaces_commands_are_all_there(incremental_and_full):
    incremental, _ = incremental_and_full
    command_ids = sorted(row.command_id for row in incremental)
    assert command_ids == sorted(command[1] for command in FIRST_COMMANDS + SECOND_COMMANDS)
