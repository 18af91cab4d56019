"""The Spark event log loader on the embedded engine: real Apache Spark and Databricks event logs
(../shared/samples/spark-events), logs Spark 3.5 wrote in every codec and both layouts
(tests/fixtures/spark_event_logs, see its generate.py), broken and drifted lines, unreadable files,
Databricks' rolled gzip files, and the sample workspace's generated logs."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from overwatch.bronze_tables import FILE_TRACKER, QUARANTINE, SPARK_EVENTS
from overwatch.deployment_config import WorkspaceConfig
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow
from overwatch.spark_event_log_loader import (
    SOURCE_NAME,
    EventLogFile,
    load_spark_event_log_files,
    load_spark_event_logs,
)

ORGANIZATION_ID = "5551234567890123"
# Read in place: tests may use ../shared; the product never does.
SPARK_EVENT_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "spark-events"
# Every file is last written before now: the window ends tomorrow.
WINDOW = LoadWindow(datetime(2020, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=1))
TASK_END = {
    "Event": "SparkListenerTaskEnd",
    "Stage ID": 3,
    "Stage Attempt ID": 0,
    "Task Type": "ResultTask",
    "Task End Reason": {"Reason": "Success"},
    "Task Info": {"Task ID": 7, "Launch Time": 1767600000000, "Finish Time": 1767600004000},
    "Task Metrics": {"Executor Run Time": 3900, "Updated Blocks": []},
}


def workspace_config(cluster_log_path: Path | None) -> WorkspaceConfig:
    return WorkspaceConfig(
        organization_id=ORGANIZATION_ID,
        workspace_name="test-workspace",
        cloud="aws",
        api_host="http://127.0.0.1:9",
        token_env_var="UNUSED_TOKEN",
        audit_log_path="/unused",
        cluster_log_path=str(cluster_log_path) if cluster_log_path else None,
    )


@pytest.fixture
def context(spark, isolated_target, tmp_path: Path) -> LoadContext:
    workspace = workspace_config(tmp_path / "cluster-logs")
    return LoadContext(spark, isolated_target, workspace, "run-1", progress=lambda _message: None)


def table_rows(context: LoadContext, table_name: str) -> list:
    return context.spark.table(context.target.bronze_table(table_name)).collect()


def row_counts(context: LoadContext) -> dict[str, int]:
    names = (SPARK_EVENTS.name, QUARANTINE.name, FILE_TRACKER.name)
    return {name: len(table_rows(context, name)) for name in names}


def delivered_file(root: Path, cluster_id: str, context_id: str, name: str, lines: list[str]) -> Path:
    folder = root / cluster_id / "eventlog" / f"{cluster_id}_10_139_64_5" / context_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    content = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(content, mtime=0) if name.endswith(".gz") else content)
    return path


def file_lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\r\n") for line in handle if line.strip()]


def sample_files() -> list[Path]:
    return sorted(path for path in SPARK_EVENT_SAMPLES.rglob("*") if path.is_file() and path.suffix != ".md")


def sample_event_log_files() -> list[EventLogFile]:
    """Each sample is its own Spark context, named by its application id; the rolled Databricks log and
    its live file share one context, as they would under cluster log delivery."""
    files = []
    for path in sample_files():
        context_id = path.parent.name if path.parent.name == "db_sim_eventlog" else path.name
        files.append(EventLogFile(str(path), f"cluster-{path.parent.name}", context_id))
    return files


def test_real_spark_event_logs_load_one_row_per_line_per_event_type(context: LoadContext):
    if not SPARK_EVENT_SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SPARK_EVENT_SAMPLES}")
    files = sample_event_log_files()
    # Every line is an event, repeated or not: identical lines at two positions are two events.
    expected = Counter(json.loads(line)["Event"] for item in files for line in file_lines(Path(item.path)))

    inserted = load_spark_event_log_files(context, files)

    rows = table_rows(context, SPARK_EVENTS.name)
    assert inserted == len(rows) == sum(expected.values())
    assert Counter(row.event for row in rows) == expected
    assert table_rows(context, QUARANTINE.name) == []
    tracker = {row.file_path: row for row in table_rows(context, FILE_TRACKER.name)}
    assert len(tracker) == len(files)
    assert all(row.source == SOURCE_NAME and row.file_size > 0 for row in tracker.values())
    # Every event keeps its line exactly and where it came from.
    by_position = {(row.source_file, row.line_number): row.event_json for row in rows}
    photon = next(path for path in sample_files() if path.name == "photon_eventlog")
    photon_lines = photon.read_text().splitlines()
    for line_number in (1, len(photon_lines)):
        assert by_position[(f"file:{photon}", line_number)] == photon_lines[line_number - 1]
    rolled = [row for row in rows if row.source_file.endswith(".gz")]
    assert len(rolled) == len(file_lines(next(p for p in sample_files() if p.suffix == ".gz")))
    task_ends = [row for row in rows if row.event == "SparkListenerTaskEnd"]
    assert all(row.event_time_ms and row.event_date for row in task_ends)
    environment = [row for row in rows if row.event == "SparkListenerEnvironmentUpdate"]
    assert all(row.event_time_ms is None and row.event_date is not None for row in environment)


def test_cut_lines_go_to_quarantine_and_unknown_fields_load(context: LoadContext, tmp_path: Path):
    root = tmp_path / "cluster-logs"
    task_end = json.dumps(TASK_END)
    drifted = json.dumps(
        {
            **TASK_END,
            "Task Info": {**TASK_END["Task Info"], "Task ID": 8},
            "Task Metrics": {"Updated Blocks": {"now": "an object"}, "Brand New Metric": [1, 2]},
            "Some Future Field": {"nested": True},
        }
    )
    lines = [task_end, task_end[:70], "", "[1, 2]", json.dumps({"Stage ID": 3}), drifted]
    delivered_file(root, "0105-101010-abcd1234", "7788990011223344", "eventlog", lines)
    # A nested field of another type than expected nulls only the time read from it.
    type_drift = json.dumps({**TASK_END, "Task Info": [1, 2], "Timestamp": "not a number"})
    delivered_file(root, "0105-101010-abcd1234", "1122334455667788", "eventlog", [type_drift])

    inserted = load_spark_event_logs(context, WINDOW)

    rows = sorted(
        table_rows(context, SPARK_EVENTS.name), key=lambda row: (row.spark_context_id, row.line_number)
    )
    assert inserted == 3
    assert [(row.spark_context_id, row.line_number) for row in rows] == [
        ("1122334455667788", 1),
        ("7788990011223344", 1),
        ("7788990011223344", 6),
    ]
    assert {row.cluster_id for row in rows} == {"0105-101010-abcd1234"}
    assert rows[1].event_json == task_end and rows[2].event_json == drifted
    assert rows[1].event_time_ms == TASK_END["Task Info"]["Finish Time"]
    assert rows[1].event_date == date(2026, 1, 5)
    assert rows[0].event == "SparkListenerTaskEnd" and rows[0].event_time_ms is None
    quarantined = sorted(table_rows(context, QUARANTINE.name), key=lambda row: row.line_number)
    assert [(row.line_number, row.reason.split(":")[0]) for row in quarantined] == [
        (2, "malformed JSON"),
        (4, "malformed JSON"),
        (5, "no Event field"),
    ]
    assert quarantined[0].raw_record == task_end[:70]
    assert quarantined[0].source_file.endswith("/7788990011223344/eventlog")
    tracker = {row.file_path.split("/")[-2]: row for row in table_rows(context, FILE_TRACKER.name)}
    assert (tracker["7788990011223344"].record_count, tracker["7788990011223344"].quarantined_count) == (2, 3)


def task_end(task_id: int, attempt: int = 0) -> str:
    return json.dumps(
        {**TASK_END, "Task Info": {**TASK_END["Task Info"], "Task ID": task_id, "Attempt": attempt}}
    )


def events_by_position(context: LoadContext) -> dict[tuple[str, int], str]:
    return {
        (row.log_segment, row.line_number): row.event_json for row in table_rows(context, SPARK_EVENTS.name)
    }


def test_identical_lines_are_distinct_events_and_a_grown_file_adds_only_new_positions(
    context: LoadContext, tmp_path: Path
):
    root = tmp_path / "cluster-logs"
    # Spark writes some events twice, identical (accumulator updates, a metrics update per heartbeat).
    update = json.dumps({"Event": "SparkListenerExecutorMetricsUpdate", "Executor ID": "1", "Metrics": []})
    first = [task_end(1), update, update, task_end(2), update]
    live = delivered_file(root, "0105-1-abc", "42", "eventlog", first)
    assert load_spark_event_logs(context, WINDOW) == 5
    assert load_spark_event_logs(context, WINDOW) == 0

    grown = [*first, update, "not json", task_end(1)]
    live.write_text("\n".join(grown) + "\n")
    assert load_spark_event_logs(context, WINDOW) == 2
    assert events_by_position(context) == {
        ("eventlog", number): line for number, line in enumerate(grown, 1) if line != "not json"
    }
    tracker = {row.file_path: row for row in table_rows(context, FILE_TRACKER.name)}
    assert (tracker[f"file:{live}"].file_size, tracker[f"file:{live}"].record_count) == (
        live.stat().st_size,
        7,
    )
    assert row_counts(context) == {SPARK_EVENTS.name: 7, QUARANTINE.name: 1, FILE_TRACKER.name: 1}


def test_a_rolled_databricks_log_adds_only_what_the_live_file_had_not_reached(
    context: LoadContext, tmp_path: Path
):
    """Databricks rolls its live `eventlog` into `eventlog-<time>.gz` and starts a new `eventlog`: lines
    read from the live file before the roll are not loaded twice, lines after it are all new, even where
    a line repeats an earlier one word for word."""
    root = tmp_path / "cluster-logs"
    segment_1 = [task_end(1), task_end(2), task_end(2), task_end(3), task_end(4)]
    live = delivered_file(root, "0105-1-abc", "42", "eventlog", segment_1[:3])
    assert load_spark_event_logs(context, WINDOW) == 3

    # The live file reached line 5, then rolled; the new live file starts with a line seen before.
    delivered_file(root, "0105-1-abc", "42", "eventlog-2026-01-05--10-00.gz", segment_1)
    segment_2 = [task_end(1), task_end(5)]
    live.write_text("\n".join(segment_2) + "\n")
    assert load_spark_event_logs(context, WINDOW) == 2 + 2
    assert load_spark_event_logs(context, WINDOW) == 0

    segment_2.append(task_end(6))
    delivered_file(root, "0105-1-abc", "42", "eventlog-2026-01-05--11-00.gz", segment_2)
    live.write_text(task_end(7) + "\n")
    assert load_spark_event_logs(context, WINDOW) == 1 + 1

    after_first, after_second = (
        "eventlog after eventlog-2026-01-05--10-00.gz",
        "eventlog after eventlog-2026-01-05--11-00.gz",
    )
    expected = {
        **{("eventlog", number): line for number, line in enumerate(segment_1, 1)},
        **{(after_first, number): line for number, line in enumerate(segment_2, 1)},
        (after_second, 1): task_end(7),
    }
    assert events_by_position(context) == expected
    assert row_counts(context) == {SPARK_EVENTS.name: 9, QUARANTINE.name: 0, FILE_TRACKER.name: 3}


def test_files_written_after_the_window_wait_and_no_log_root_skips(context: LoadContext, tmp_path: Path):
    delivered_file(tmp_path / "cluster-logs", "0105-1-abc", "42", "eventlog", [json.dumps(TASK_END)])
    past = LoadWindow(datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 2, tzinfo=UTC))
    assert load_spark_event_logs(context, past) == 0
    no_root = LoadContext(context.spark, context.target, workspace_config(None), "run-2", lambda _m: None)
    assert load_spark_event_logs(no_root, WINDOW) == 0
    assert load_spark_event_logs(context, WINDOW) == 1


def test_sample_workspace_event_logs_load_and_carry_its_job_runs(context: LoadContext, tmp_path: Path):
    from overwatch.sample_workspace import generate_sample_workspace

    manifest = generate_sample_workspace(tmp_path / "sample", days=2, workspace_count=1, size="small", seed=7)
    workspace = manifest.workspaces[0]
    log_root = tmp_path / "sample" / "cluster_logs" / workspace.organization_id
    assert workspace.spark_event_log_files > 0
    assert any(path.suffix == ".gz" for path in log_root.rglob("eventlog*"))
    shutil.copytree(log_root, tmp_path / "cluster-logs")
    until = manifest.end_time
    context = LoadContext(
        context.spark,
        context.target,
        workspace_config(tmp_path / "cluster-logs").model_copy(
            update={"organization_id": workspace.organization_id}
        ),
        "run-1",
        lambda _message: None,
    )

    inserted = load_spark_event_logs(context, LoadWindow(manifest.start_time, until))

    assert inserted == workspace.spark_events
    assert table_rows(context, QUARANTINE.name) == []
    rows = table_rows(context, SPARK_EVENTS.name)
    events = Counter(row.event for row in rows)
    for event in (
        "SparkListenerApplicationStart",
        "SparkListenerExecutorAdded",
        "SparkListenerExecutorRemoved",
        "SparkListenerJobStart",
        "SparkListenerStageCompleted",
        "SparkListenerTaskEnd",
        "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart",
    ):
        assert events[event] > 0, event
    assert all(
        manifest.start_time.timestamp() * 1000 <= row.event_time_ms < until.timestamp() * 1000
        for row in rows
        if row.event_time_ms
    )
    job_runs = _generated_task_runs(tmp_path / "sample" / "api" / f"{workspace.organization_id}.sqlite")
    job_properties = [
        json.loads(row.event_json)["Properties"]
        for row in rows
        if row.event == "SparkListenerJobStart" and "spark.databricks.job.id" in row.event_json
    ]
    assert job_properties
    for properties in job_properties:
        job_id, task_run_id = properties["spark.databricks.job.id"], properties["spark.databricks.job.runId"]
        assert (job_id, task_run_id) in job_runs["task_runs"]
        cluster_id = job_runs["task_runs"][(job_id, task_run_id)]
        assert properties["spark.databricks.clusterUsageTags.clusterId"] == cluster_id
        assert f"job-{job_id}-run-{task_run_id}-action-" in properties["spark.jobGroup.id"]
    notebook_properties = [
        json.loads(row.event_json)["Properties"]
        for row in rows
        if row.event == "SparkListenerJobStart" and "spark.databricks.job.id" not in row.event_json
    ]
    assert all(
        properties["spark.databricks.notebook.path"].startswith("/") for properties in notebook_properties
    )
    job_contexts = {
        row.spark_context_id
        for row in rows
        if row.event == "SparkListenerJobStart" and "spark.databricks.job.id" in row.event_json
    }
    assert job_contexts <= job_runs["spark_context_ids"]


def _generated_task_runs(api_store: Path) -> dict:
    """Task runs (job id, task run id) -> cluster id, and the Spark contexts the runs API reports."""
    import sqlite3

    task_runs: dict[tuple[str, str], str] = {}
    context_ids: set[str] = set()
    connection = sqlite3.connect(api_store)
    try:
        for (raw,) in connection.execute("select json from job_runs"):
            run = json.loads(raw)
            for task in run.get("tasks", []):
                if "cluster_instance" in task:
                    key = (str(run["job_id"]), str(task["run_id"]))
                    task_runs[key] = task["cluster_instance"]["cluster_id"]
                    context_ids.add(task["cluster_instance"]["spark_context_id"])
    finally:
        connection.close()
    return {"task_runs": task_runs, "spark_context_ids": context_ids}


CODEC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spark_event_logs"
SPARK_CODECS = ("lz4", "lzf", "snappy", "zstd")


def spark_written_logs() -> dict[str, Path]:
    """`<layout>/<codec>` -> the log Spark wrote: a single file, or a rolling log's eventlog_v2_ folder."""
    logs = {f"single/{codec}": next((CODEC_FIXTURES / "single" / codec).iterdir()) for codec in SPARK_CODECS}
    for codec in ("none", *SPARK_CODECS):
        logs[f"rolling/{codec}"] = next((CODEC_FIXTURES / "rolling" / codec).glob("eventlog_v2_*"))
    return logs


def plain_fixture_lines() -> list[str]:
    """The uncompressed log of the same application every fixture ran (generate.py), read as text."""
    (events_file,) = spark_written_logs()["rolling/none"].glob("events_1_*")
    return [line for line in events_file.read_text().splitlines() if line.strip()]


def test_every_codec_and_layout_spark_writes_loads_every_line(context: LoadContext):
    logs = spark_written_logs()
    files = [EventLogFile(str(path), "cluster-fixtures", name) for name, path in logs.items()]

    inserted = load_spark_event_log_files(context, files)

    plain = plain_fixture_lines()
    rows = table_rows(context, SPARK_EVENTS.name)
    assert inserted == len(rows) == len(plain) * len(logs)
    assert table_rows(context, QUARANTINE.name) == []
    expected_events = Counter(json.loads(line)["Event"] for line in plain)
    for name in logs:
        loaded = sorted(
            (row for row in rows if row.spark_context_id == name), key=lambda row: row.line_number
        )
        assert Counter(row.event for row in loaded) == expected_events, name
        assert [row.line_number for row in loaded] == list(range(1, len(plain) + 1)), name
        first_event = json.loads(loaded[0].event_json)
        assert first_event == {
            "Event": "SparkListenerLogStart",
            "Spark Version": json.loads(plain[0])["Spark Version"],
        }
        (source_file,) = {row.source_file.rsplit("/", 1)[1] for row in loaded}
        if name.startswith("single"):
            assert source_file == logs[name].name
        else:
            codec = name.split("/")[1]
            assert source_file.startswith("events_1_") and source_file.endswith(
                "" if codec == "none" else codec
            )
    # The uncompressed log loads line for line; the appstatus file and Hadoop's .crc files are no events.
    rolled_plain = sorted(
        (row for row in rows if row.spark_context_id == "rolling/none"), key=lambda row: row.line_number
    )
    assert [row.event_json for row in rolled_plain] == plain
    tracker = table_rows(context, FILE_TRACKER.name)
    assert len(tracker) == len(logs)
    assert sum(row.record_count for row in tracker) == inserted


def test_a_rolling_log_of_several_files_keys_each_line_by_its_file(context: LoadContext, tmp_path: Path):
    """Spark rolls at 10 MiB at the least, so the split is made by hand: the application's lines over
    two files, the second zstd-compressed by the zstd command line tool, not by the code under test."""
    plain = plain_fixture_lines()
    app_dir = tmp_path / "eventlog_v2_app-1"
    app_dir.mkdir()
    (app_dir / "appstatus_app-1.inprogress").write_bytes(b"")
    (app_dir / "events_1_app-1").write_text("\n".join(plain[:20]) + "\n")
    second = app_dir / "events_2_app-1.zstd"
    second.write_bytes(zstd_compressed(("\n".join(plain[20:]) + "\n").encode()))

    inserted = load_spark_event_log_files(context, [EventLogFile(str(app_dir), "cluster-1", "app-1")])

    assert inserted == len(plain)
    assert events_by_position(context) == {
        **{("events_1_app-1", number): line for number, line in enumerate(plain[:20], 1)},
        **{("events_2_app-1.zstd", number): line for number, line in enumerate(plain[20:], 1)},
    }
    assert load_spark_event_log_files(context, [EventLogFile(str(app_dir), "cluster-1", "app-1")]) == 0


def zstd_compressed(data: bytes) -> bytes:
    import subprocess

    zstd = shutil.which("zstd")
    if zstd is None:
        pytest.skip("the zstd command line tool is not installed")
    return subprocess.run([zstd, "-q", "-c"], input=data, capture_output=True, check=True).stdout


def test_unreadable_files_are_one_quarantine_row_each_and_are_read_again_later(
    context: LoadContext, tmp_path: Path
):
    logs = spark_written_logs()
    spark_zstd = logs["single/zstd"].read_bytes()
    folder = tmp_path / "broken logs"  # a space: the tables spell it %20, as Spark reports it
    folder.mkdir()
    broken = {
        "app-1.zstd": spark_zstd[: len(spark_zstd) // 2],  # cut mid-frame, as a log still being written
        "app-2.lz4": b"LZ4Bluck" + logs["single/lz4"].read_bytes()[8:],
        "app-3.snappy": "\n".join(plain_fixture_lines()).encode(),  # plain text, named .snappy
        "app-4.lzf": logs["single/lzf"].read_bytes()[:-10],
        "eventlog-2026-01-05--10-00.gz": b"\x1f\x8b\x08\x00 not gzip at all",
        "app-5.brotli": b"whatever",
    }
    for name, content in broken.items():
        (folder / name).write_bytes(content)
    files = [EventLogFile(str(folder / name), "cluster-1", name) for name in broken]

    assert load_spark_event_log_files(context, files) == 0

    quarantined = {row.source_file.rsplit("/", 1)[1]: row for row in table_rows(context, QUARANTINE.name)}
    assert sorted(quarantined) == sorted(broken)
    assert all(
        row.line_number == 0 and row.reason.startswith("unreadable file: ") for row in quarantined.values()
    )
    assert "unknown compression extension .brotli" in quarantined["app-5.brotli"].reason
    assert "LZ4Block" in quarantined["app-2.lz4"].reason
    assert "SNAPPY" in quarantined["app-3.snappy"].reason
    assert table_rows(context, SPARK_EVENTS.name) == []
    assert table_rows(context, FILE_TRACKER.name) == []

    # The log being written is complete now: the next run reads it whole.
    (folder / "app-1.zstd").write_bytes(spark_zstd)
    assert load_spark_event_log_files(context, files) == len(plain_fixture_lines())
    assert [row.file_path.rsplit("/", 1)[1] for row in table_rows(context, FILE_TRACKER.name)] == [
        "app-1.zstd"
    ]
    assert len(table_rows(context, QUARANTINE.name)) == len(broken)


def test_a_file_the_text_reader_misread_is_read_again(context: LoadContext, tmp_path: Path):
    """The reader before this one read `.zstd` as text: it quarantined every "line" and tracked the file."""
    from overwatch.bronze_tables import insert_new_rows

    path = tmp_path / "app-1.zstd"
    shutil.copy(spark_written_logs()["single/zstd"], path)
    garbage = path.read_bytes().split(b"\n")
    spark = context.spark
    quarantine = spark.createDataFrame(
        [
            (
                ORGANIZATION_ID,
                SOURCE_NAME,
                f"file:{path}",
                number,
                line.decode("latin-1"),
                "malformed JSON",
                "old",
                datetime.now(UTC),
            )
            for number, line in enumerate(garbage, 1)
        ],
        spark.table(context.target.bronze_table(QUARANTINE.name)).schema,
    )
    insert_new_rows(spark, context.target, QUARANTINE, quarantine)
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    tracker = spark.createDataFrame(
        [
            (
                ORGANIZATION_ID,
                SOURCE_NAME,
                f"file:{path}",
                path.stat().st_size,
                modified,
                0,
                len(garbage),
                "old",
                modified,
            )
        ],
        spark.table(context.target.bronze_table(FILE_TRACKER.name)).schema,
    )
    insert_new_rows(spark, context.target, FILE_TRACKER, tracker)

    assert load_spark_event_log_files(context, [EventLogFile(str(path), "cluster-1", "app-1")]) == len(
        plain_fixture_lines()
    )
    assert table_rows(context, QUARANTINE.name) == []
    (tracked,) = table_rows(context, FILE_TRACKER.name)
    assert (tracked.record_count, tracked.quarantined_count) == (len(plain_fixture_lines()), 0)
    assert load_spark_event_log_files(context, [EventLogFile(str(path), "cluster-1", "app-1")]) == 0
