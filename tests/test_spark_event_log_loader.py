"""The Spark event log loader on the embedded engine: real Apache Spark and Databricks event logs
(../shared/samples/spark-events), broken and drifted lines, rotated gzip files, and the sample
workspace's generated logs."""

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


def test_real_spark_event_logs_load_one_row_per_distinct_line_per_event_type(context: LoadContext):
    if not SPARK_EVENT_SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SPARK_EVENT_SAMPLES}")
    files = sample_event_log_files()
    expected: Counter[str] = Counter()
    lines_by_context: dict[str, set[str]] = {}
    for item in files:
        lines_by_context.setdefault(item.spark_context_id, set()).update(file_lines(Path(item.path)))
    for lines in lines_by_context.values():
        # A line repeated verbatim within a Spark context is the same event, loaded once.
        expected.update(json.loads(line)["Event"] for line in lines)

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


def test_rerun_adds_nothing_and_a_grown_file_adds_only_its_new_lines(context: LoadContext, tmp_path: Path):
    root = tmp_path / "cluster-logs"
    first = [json.dumps({**TASK_END, "Task Info": {**TASK_END["Task Info"], "Task ID": n}}) for n in range(3)]
    rolled = delivered_file(root, "0105-1-abc", "42", "eventlog-2026-01-05--10-00.gz", first)
    live = delivered_file(root, "0105-1-abc", "42", "eventlog", [*first[1:], "not json"])
    load_spark_event_logs(context, WINDOW)
    after_first_run = row_counts(context)
    assert after_first_run == {SPARK_EVENTS.name: 3, QUARANTINE.name: 1, FILE_TRACKER.name: 2}

    assert load_spark_event_logs(context, WINDOW) == 0
    assert row_counts(context) == after_first_run

    appended = json.dumps({"Event": "SparkListenerApplicationEnd", "Timestamp": 1767600009000})
    live.write_text(live.read_text() + appended + "\n")
    assert load_spark_event_logs(context, WINDOW) == 1
    tracker = {row.file_path: row for row in table_rows(context, FILE_TRACKER.name)}
    assert tracker[f"file:{live}"].file_size == live.stat().st_size
    assert tracker[f"file:{rolled}"].record_count == 3
    assert row_counts(context) == {SPARK_EVENTS.name: 4, QUARANTINE.name: 1, FILE_TRACKER.name: 2}


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
