"""The Spark event log models (silver spark_*_silver, gold spark_*) over the real event logs in
../shared/samples/spark-events, loaded by the event log loader in two loads: the rolled `.gz` file of
the Databricks log split (db_sim_eventlog) first, its live `eventlog` (which ends tasks, stages and a
job the rolled file started) in a later load and incremental dbt run. Expected counts come from the
files themselves."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from overwatch.bronze_tables import SPARK_EVENTS, create_bronze_tables
from overwatch.dbt_runner import run_dbt
from overwatch.deployment_config import WorkspaceConfig
from overwatch.load_context import LoadContext
from overwatch.spark_event_log_loader import EventLogFile, load_spark_event_log_files

ORGANIZATION_ID = "5551234567890123"
SCHEMA = "spark_models"
# Read in place: tests may use ../shared; the product never does.
SPARK_EVENT_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "spark-events"
CODEC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spark_event_logs"
SPARK_ENTITIES = ("executor", "execution", "job", "stage", "task", "stream")
# The models of this module and nothing downstream of them (utilization joins would pull in every model).
SPARK_MODELS = [
    name
    for entity in SPARK_ENTITIES
    for name in (f"spark_{entity}_silver", f"spark_{entity}", f"spark_{entity}_presentation")
]
SQL_EXECUTION_EVENTS = (
    "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart",
    "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd",
)
STREAM_EVENTS = (
    "org.apache.spark.sql.streaming.StreamingQueryListener$QueryStartedEvent",
    "org.apache.spark.sql.streaming.StreamingQueryListener$QueryProgressEvent",
)


@dataclass
class ExpectedCounts:
    """Distinct keys per entity (within a Spark context), read from the event log files."""

    keys: dict[str, set[tuple]] = field(default_factory=lambda: {entity: set() for entity in SPARK_ENTITIES})
    ended: dict[str, set[tuple]] = field(default_factory=lambda: {entity: set() for entity in SPARK_ENTITIES})
    task_run_time_ms: dict[tuple, int] = field(default_factory=dict)

    def add(self, context_id: str, event: dict, with_times: bool = True) -> None:
        name = event["Event"]
        key_and_end = _entity_key(name, event)
        if key_and_end is None:
            return
        entity, key, is_end = key_and_end
        self.keys[entity].add((context_id, *key))
        if is_end:
            self.ended[entity].add((context_id, *key))
        if name == "SparkListenerTaskEnd" and with_times:
            info = event["Task Info"]
            self.task_run_time_ms.setdefault((context_id, *key), info["Finish Time"] - info["Launch Time"])


def _entity_key(name: str, event: dict) -> tuple[str, tuple, bool] | None:
    if name in ("SparkListenerExecutorAdded", "SparkListenerExecutorRemoved"):
        return "executor", (event["Executor ID"],), name.endswith("Removed")
    if name in SQL_EXECUTION_EVENTS:
        return "execution", (event["executionId"],), name.endswith("End")
    if name in ("SparkListenerJobStart", "SparkListenerJobEnd"):
        return "job", (event["Job ID"],), name.endswith("End")
    if name in ("SparkListenerStageSubmitted", "SparkListenerStageCompleted"):
        info = event["Stage Info"]
        return "stage", (info["Stage ID"], info["Stage Attempt ID"]), name.endswith("Completed")
    if name in ("SparkListenerTaskStart", "SparkListenerTaskEnd"):
        info = event["Task Info"]
        return "task", (info["Task ID"], info["Attempt"]), name.endswith("End")
    if name in STREAM_EVENTS:
        progress = event.get("progress") or {}
        stream_key = (progress.get("id", event.get("id")), progress.get("runId", event.get("runId")))
        return "stream", (*stream_key, progress.get("batchId", -1)), False
    return None


def _event_log_files() -> list[EventLogFile]:
    """Every sample log as its own Spark context, but the Databricks split one (rolled + live files);
    every fixture Spark wrote (a single file, or a rolling log's folder) as its own context."""
    paths = sorted(path for path in SPARK_EVENT_SAMPLES.rglob("*") if path.is_file() and path.suffix != ".md")
    files = []
    for path in paths:
        context_id = path.parent.name if path.parent.name == "db_sim_eventlog" else path.name
        files.append(EventLogFile(str(path), f"cluster-{path.parent.name}", context_id))
    for path in sorted(CODEC_FIXTURES.glob("single/*/*")) + sorted(
        CODEC_FIXTURES.glob("rolling/*/eventlog_v2_*")
    ):
        files.append(
            EventLogFile(str(path), "cluster-fixtures", f"{path.parent.parent.name}/{path.parent.name}")
        )
    return files


def _lines(path: Path) -> Iterator[str]:
    """A log's lines read as text; a fixture Spark compressed reads as the plain one: every fixture is
    the same application (generate.py), and test_spark_event_log_loader checks each decodes to it."""
    if path.is_relative_to(CODEC_FIXTURES):
        path = next(CODEC_FIXTURES.glob("rolling/none/eventlog_v2_*/events_1_*"))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as lines:
        yield from (line for line in lines if line.strip())


def _expected_counts(files: list[EventLogFile]) -> ExpectedCounts:
    expected = ExpectedCounts()
    for item in files:
        # A compressed fixture's keys are the plain one's, but its times are its own run's (see _lines).
        with_times = not Path(item.path).is_relative_to(CODEC_FIXTURES)
        for line in _lines(Path(item.path)):
            expected.add(item.spark_context_id, json.loads(line), with_times)
    return expected


@pytest.fixture(scope="module")
def spark_models_schema(lake_dir: Path) -> Iterator[str]:
    """dbt reads its schema from the profile, so the module points the profile at its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERWATCH_SCHEMA", SCHEMA)
        yield SCHEMA


@pytest.fixture(scope="module")
def built_in_two_loads(spark, local_target, spark_models_schema: str) -> list[EventLogFile]:
    if not SPARK_EVENT_SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SPARK_EVENT_SAMPLES}")
    target = replace(local_target, schema=spark_models_schema)
    create_bronze_tables(spark, target)
    workspace = WorkspaceConfig(
        organization_id=ORGANIZATION_ID,
        workspace_name="spark-models",
        cloud="aws",
        api_host="http://127.0.0.1:9",
        token_env_var="UNUSED_TOKEN",
        audit_log_path="/unused",
    )
    files = _event_log_files()
    live_file = [item for item in files if Path(item.path).name == "eventlog"]
    assert len(live_file) == 1
    earlier_files = [item for item in files if item not in live_file]

    first = LoadContext(spark, target, workspace, "run-1", progress=lambda _message: None)
    load_spark_event_log_files(first, earlier_files)
    run_dbt(["run", "--select", *[f"spark_{entity}_silver" for entity in SPARK_ENTITIES]])

    later = LoadContext(spark, target, workspace, "run-2", progress=lambda _message: None)
    load_spark_event_log_files(later, live_file)
    run_dbt(["build", "--select", *SPARK_MODELS, "--exclude", "test_type:unit"])
    return files


def _presentation_rows(spark, entity: str) -> list:
    """The rows analysts read: the view (sparkTask, ...) over the latest gold version."""
    return spark.table(f"{SCHEMA}_presentation.spark{entity.capitalize()}").collect()


def _ended(entity: str, row) -> bool:
    runtime_column = {
        "executor": "executor_alivetime",
        "execution": "sql_execution_runtime",
        "job": "job_runtime",
        "stage": "stage_runtime",
        "task": "task_runtime",
    }[entity]
    return row[runtime_column].endEpochMS is not None


def test_bronze_holds_every_line_of_every_log(spark, local_target, built_in_two_loads: list[EventLogFile]):
    # Repeated lines included: each position in a log is an event.
    expected = sum(1 for item in built_in_two_loads for _line in _lines(Path(item.path)))
    bronze = replace(local_target, schema=SCHEMA).bronze_table(SPARK_EVENTS.name)
    assert spark.table(bronze).count() == expected


def test_one_row_per_key_in_the_event_logs(spark, built_in_two_loads: list[EventLogFile]):
    expected = _expected_counts(built_in_two_loads)

    for entity in SPARK_ENTITIES:
        rows = _presentation_rows(spark, entity)
        assert len(rows) == len(expected.keys[entity]), entity
        if entity != "stream":
            assert sum(_ended(entity, row) for row in rows) == len(expected.ended[entity]), entity
    streams = _presentation_rows(spark, "stream")
    assert streams and all(row.execution_ids for row in streams if row.streamSegment == "Progressed")


def test_ends_loaded_later_close_what_the_earlier_load_started(spark, built_in_two_loads: list[EventLogFile]):
    expected = _expected_counts(built_in_two_loads)
    tasks = {
        (row.spark_context_id, row.task_id, row.task_attempt_id): row.task_runtime.runTimeMS
        for row in _presentation_rows(spark, "task")
    }
    # Tasks the rolled file started and the live file ended have their run time from both loads.
    assert {key: tasks[key] for key in expected.task_run_time_ms} == expected.task_run_time_ms
    jobs = _presentation_rows(spark, "job")
    split_log_jobs = [row for row in jobs if row.spark_context_id == "db_sim_eventlog"]
    assert split_log_jobs and all(row.unixTimeMS is not None and _ended("job", row) for row in split_log_jobs)
