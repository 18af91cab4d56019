"""The Spark event log models (silver spark_*_silver, gold spark_*) over the real event logs in
../shared/samples/spark-events, loaded by the event log loader in two loads: the rolled `.gz` file of
the Databricks log split (db_sim_eventlog) first, its live `eventlog` (which ends tasks, stages and a
job the rolled file started) in a later load and incremental dbt run. Beside them, hand-made variants
of those logs in the shapes the samples lack: a Spark 1.1 shape (no log start, no job times, no stage
attempt ids), a Databricks standard-engine interactive cluster, and a log with broken lines. Expected
counts and values come from the files themselves."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from overwatch.bronze_tables import QUARANTINE, SPARK_EVENTS, create_bronze_tables
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
# The staging view every Spark silver model reads bronze through.
STAGING_MODEL = "stg_spark__events"
SPARK_MODELS = [
    name
    for entity in (*SPARK_ENTITIES, "application")
    for name in (f"spark_{entity}_silver", f"spark_{entity}", f"spark_{entity}_presentation")
]
OLD_SPARK_SAMPLE = "apache_spark/core_spark_events/app-20161115172038-0000"
PHOTON_SAMPLE = "spark_rapids_tools/databricks/decompressed/photon_eventlog"
USAGE_TAG = "spark.databricks.clusterUsageTags."
APPLICATION_EVENTS = (
    "SparkListenerLogStart",
    "SparkListenerApplicationStart",
    "SparkListenerApplicationEnd",
    "SparkListenerEnvironmentUpdate",
)
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
        # Spark before 1.2 wrote no attempt ids; Spark reads them as attempt 0.
        return "stage", (info["Stage ID"], info.get("Stage Attempt ID", 0)), name.endswith("Completed")
    if name in ("SparkListenerTaskStart", "SparkListenerTaskEnd"):
        info = event["Task Info"]
        return "task", (info["Task ID"], info["Attempt"]), name.endswith("End")
    if name in STREAM_EVENTS:
        progress = event.get("progress") or {}
        stream_key = (progress.get("id", event.get("id")), progress.get("runId", event.get("runId")))
        return "stream", (*stream_key, progress.get("batchId", -1)), False
    return None


def _event_log_files(variants_dir: Path) -> list[EventLogFile]:
    """Every sample log and hand-made variant as its own Spark context, but the Databricks split one
    (rolled + live files); every fixture Spark wrote (a single file, or a rolling log's folder) too."""
    paths = sorted(path for path in SPARK_EVENT_SAMPLES.rglob("*") if path.is_file() and path.suffix != ".md")
    paths += sorted(variants_dir.iterdir())
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


def _events(path: Path) -> Iterator[dict]:
    """The Spark listener events of a file: its lines that are JSON objects with an `Event`."""
    for line in _lines(path):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and event.get("Event"):
            yield event


def _expected_counts(files: list[EventLogFile]) -> ExpectedCounts:
    expected = ExpectedCounts()
    for item in files:
        # A compressed fixture's keys are the plain one's, but its times are its own run's (see _lines).
        with_times = not Path(item.path).is_relative_to(CODEC_FIXTURES)
        for event in _events(Path(item.path)):
            expected.add(item.spark_context_id, event, with_times)
    return expected


def _write_variant(source: Path, target: Path, change: Callable[[dict], dict | None]) -> None:
    """A copy of a sample log with each event changed (or dropped, for None)."""
    changed = (change(json.loads(line)) for line in _lines(source))
    target.write_text("".join(json.dumps(event) + "\n" for event in changed if event is not None))


def _spark_1_1_shape(event: dict) -> dict | None:
    """An event as Spark before 1.3 wrote it: no log start and no job times, and (before 1.2) no stage
    attempt ids and no stage infos in the job start."""
    name = event["Event"]
    if name == "SparkListenerLogStart":
        return None
    dropped = (
        {"Submission Time", "Completion Time", "Stage Infos"}
        if name.startswith("SparkListenerJob")
        else set()
    )
    if name.startswith("SparkListenerTask"):
        dropped = {"Stage Attempt ID"}
    event = {key: value for key, value in event.items() if key not in dropped}
    if "Stage Info" in event:
        event["Stage Info"] = {
            key: value for key, value in event["Stage Info"].items() if key != "Stage Attempt ID"
        }
    return event


def _standard_interactive_cluster(event: dict) -> dict:
    """The Photon job cluster's log as a standard-engine all-purpose cluster on a runtime before the
    runtimeEngine tag would write it."""
    if event["Event"] != "SparkListenerEnvironmentUpdate":
        return event
    properties = {
        key: value for key, value in event["Spark Properties"].items() if key != USAGE_TAG + "runtimeEngine"
    }
    properties[USAGE_TAG + "clusterName"] = "analytics-shared"
    properties[USAGE_TAG + "sparkVersion"] = "12.2.x-scala2.12"
    properties[USAGE_TAG + "effectiveSparkVersion"] = "12.2.x-scala2.12"
    return {**event, "Spark Properties": properties}


def _write_variants(variants_dir: Path) -> None:
    old_spark = SPARK_EVENT_SAMPLES / OLD_SPARK_SAMPLE
    # No dot in a log's name: Spark (and the loader) read what follows the last dot as the codec.
    _write_variant(old_spark, variants_dir / "spark-1_1-shape", _spark_1_1_shape)
    _write_variant(
        SPARK_EVENT_SAMPLES / PHOTON_SAMPLE, variants_dir / "standard-engine", _standard_interactive_cluster
    )
    lines = [line.rstrip("\n") for line in _lines(old_spark)]
    # A line cut short, one that is no JSON, and a JSON object that is no listener event.
    broken = [*lines[:20], lines[20][:60], "eventlog rotated", json.dumps({"Stage ID": 3}), *lines[20:40]]
    (variants_dir / "broken-lines").write_text("\n".join(broken) + "\n")


@pytest.fixture(scope="module")
def built_in_two_loads(
    spark, local_target, module_schema: str, tmp_path_factory: pytest.TempPathFactory
) -> list[EventLogFile]:
    if not SPARK_EVENT_SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SPARK_EVENT_SAMPLES}")
    variants_dir = tmp_path_factory.mktemp("variants")
    _write_variants(variants_dir)
    target = replace(local_target, schema=module_schema)
    create_bronze_tables(spark, target)
    workspace = WorkspaceConfig(
        organization_id=ORGANIZATION_ID,
        workspace_name="spark-models",
        cloud="aws",
        api_host="http://127.0.0.1:9",
        token_env_var="UNUSED_TOKEN",
        audit_log_path="/unused",
    )
    files = _event_log_files(variants_dir)
    live_file = [item for item in files if Path(item.path).name == "eventlog"]
    assert len(live_file) == 1
    earlier_files = [item for item in files if item not in live_file]

    first = LoadContext(spark, target, workspace, "run-1", progress=lambda _message: None)
    load_spark_event_log_files(first, earlier_files)
    silver = [f"spark_{entity}_silver" for entity in (*SPARK_ENTITIES, "application")]
    run_dbt(["run", "--select", STAGING_MODEL, *silver])

    later = LoadContext(spark, target, workspace, "run-2", progress=lambda _message: None)
    load_spark_event_log_files(later, live_file)
    run_dbt(["build", "--select", STAGING_MODEL, *SPARK_MODELS, "--exclude", "test_type:unit"])
    return files


def _presentation_rows(spark, entity: str) -> list:
    """The rows analysts read: the view (sparkTask, ...) over the latest gold version."""
    return spark.table(f"{SCHEMA}_presentation.spark{entity.capitalize()}").collect()


def _file(files: list[EventLogFile], context_id: str) -> EventLogFile:
    return next(item for item in files if item.spark_context_id == context_id)


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
    # Repeated lines included: each position in a log is an event; the broken variant's bad lines are
    # quarantined (test_each_line_of_the_variants_lands_in_bronze_or_quarantine says which).
    expected = sum(1 for item in built_in_two_loads for _line in _lines(Path(item.path)))
    target = replace(local_target, schema=SCHEMA)
    quarantined = spark.table(target.bronze_table(QUARANTINE.name)).count()
    assert spark.table(target.bronze_table(SPARK_EVENTS.name)).count() + quarantined == expected


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


def test_each_line_of_the_variants_lands_in_bronze_or_quarantine(
    spark, built_in_two_loads: list[EventLogFile]
):
    bronze = spark.table(f"{SCHEMA}_bronze.spark_events_bronze")
    quarantine = spark.table(f"{SCHEMA}_bronze.bronze_quarantine").collect()
    for context_id in ("spark-1_1-shape", "standard-engine", "broken-lines"):
        path = Path(_file(built_in_two_loads, context_id).path)
        landed = bronze.where(bronze.spark_context_id == context_id).count()
        quarantined = sorted(
            (row.line_number, row.reason.split(":")[0])
            for row in quarantine
            if row.source_file.endswith(f"/{context_id}")
        )
        assert landed + len(quarantined) == len(list(_lines(path))), context_id
        if context_id == "broken-lines":
            assert quarantined == [(21, "malformed JSON"), (22, "malformed JSON"), (23, "no Event field")]
        else:
            assert quarantined == [], context_id


def _first_events(path: Path) -> dict[str, dict]:
    first: dict[str, dict] = {}
    for event in _events(path):
        first.setdefault(event["Event"], event)
    return first


def test_applications_carry_the_cluster_from_the_environment(spark, built_in_two_loads: list[EventLogFile]):
    applications = {row.spark_context_id: row for row in _presentation_rows(spark, "application")}
    with_application_events = {
        item.spark_context_id
        for item in built_in_two_loads
        if any(event["Event"] in APPLICATION_EVENTS for event in _events(Path(item.path)))
    }
    assert set(applications) == with_application_events

    for item in built_in_two_loads:
        if item.spark_context_id == "db_sim_eventlog" and Path(item.path).name == "eventlog":
            continue  # The live file of the split log: its context's events are in the rolled file.
        if Path(item.path).is_relative_to(CODEC_FIXTURES):
            continue  # Each compressed fixture is its own Spark run: its app id is not the plain one's.
        first = _first_events(Path(item.path))
        row = applications[item.spark_context_id]
        assert row.spark_version == first.get("SparkListenerLogStart", {}).get("Spark Version")
        assert row.app_id == first["SparkListenerApplicationStart"]["App ID"]
        properties = first["SparkListenerEnvironmentUpdate"]["Spark Properties"]
        assert row.cluster_name == properties.get(USAGE_TAG + "clusterName"), item.spark_context_id
        assert row.driver_node_type == properties.get(
            USAGE_TAG + "driverNodeType", properties.get("spark.databricks.driverNodeTypeId")
        )
        assert row.node_type == properties.get(
            USAGE_TAG + "clusterNodeType", properties.get("spark.databricks.workerNodeTypeId")
        )

    photon = applications["photon_eventlog"]
    # Read off the sample by hand: a DBR 13.3 Photon job cluster.
    assert (photon.cluster_name, photon.runtime_version, photon.runtime_engine) == (
        "job-37367558624103-run-45201782281081-DA12Prod_deDup_lte_cluster_v3",
        "13.3.x-photon-scala2.12",
        "PHOTON",
    )
    assert (photon.db_job_id, photon.db_run_id) == (37367558624103, 45201782281081)
    assert (photon.node_type, photon.driver_node_type) == ("Standard_DS14_v2", "Standard_DS14_v2")
    standard = applications["standard-engine"]
    assert (standard.runtime_engine, standard.db_job_id, standard.db_run_id) == ("STANDARD", None, None)
    apache = [applications[name] for name in ("local-1642039451826", "spark-1_1-shape")]
    assert all(row.runtime_engine is None and row.cluster_name is None for row in apache)


def test_jobs_of_spark_before_1_3_take_their_times_from_their_stages(
    spark, built_in_two_loads: list[EventLogFile]
):
    events = list(_events(Path(_file(built_in_two_loads, "spark-1_1-shape").path)))
    stage_times: dict[int, list[tuple[int | None, int | None]]] = {}
    for event in events:
        if event["Event"] == "SparkListenerStageCompleted":
            info = event["Stage Info"]
            stage_times.setdefault(info["Stage ID"], []).append(
                (info.get("Submission Time"), info.get("Completion Time"))
            )
    expected = {}
    for event in events:
        if event["Event"] == "SparkListenerJobStart":
            assert "Submission Time" not in event
            times = [time for stage_id in event["Stage IDs"] for time in stage_times.get(stage_id, [])]
            expected[event["Job ID"]] = (min(start for start, _ in times), max(end for _, end in times))
    assert expected

    jobs = [row for row in _presentation_rows(spark, "job") if row.spark_context_id == "spark-1_1-shape"]
    assert {row.job_id: (row.unixTimeMS, row.job_runtime.endEpochMS) for row in jobs} == expected
    stages = [row for row in _presentation_rows(spark, "stage") if row.spark_context_id == "spark-1_1-shape"]
    assert stages and {row.stage_attempt_id for row in stages} == {0}


def test_jobs_of_a_job_cluster_link_to_its_run_by_the_cluster_name(
    spark, built_in_two_loads: list[EventLogFile]
):
    photon = _first_events(Path(_file(built_in_two_loads, "photon_eventlog").path))
    cluster_name = photon["SparkListenerEnvironmentUpdate"]["Spark Properties"][USAGE_TAG + "clusterName"]
    job_properties = photon["SparkListenerJobStart"]["Properties"]
    assert "spark.databricks.job.id" not in job_properties
    job_id, run_id = (int(part) for part in re.match(r"job-(\d+)-run-(\d+)-", cluster_name).groups())

    jobs = _presentation_rows(spark, "job")
    photon_jobs = [row for row in jobs if row.spark_context_id == "photon_eventlog"]
    assert photon_jobs and {(row.db_job_id, row.db_id_in_job) for row in photon_jobs} == {(job_id, run_id)}
    standard_jobs = [row for row in jobs if row.spark_context_id == "standard-engine"]
    assert len(standard_jobs) == len(photon_jobs)
    assert {(row.db_job_id, row.db_run_id) for row in standard_jobs} == {(None, None)}
