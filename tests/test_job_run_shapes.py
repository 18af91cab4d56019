"""Job runs in every shape the Jobs API has returned, from the runs API through bronze to the `jobrun` view.

Inputs: the run of the official Jobs 2.1 OpenAPI spec (its `Run` examples), API 2.0 single-task runs of
the jobs recorded by terraform-provider-databricks (their 2.0 settings: task and cluster at the top level),
and hand-made listings in tests/fixtures/job_runs (no end times, tasks without run id or start time, every
task type, items without an integer run_id). They are served by the fake API and loaded through
databricks-sdk; every listed item lands in bronze or in quarantine, and `dbt build` over the job models
passes every data test. Expected rows are read from the input files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from overwatch.api_snapshot_loader import load_api_snapshot, load_job_runs, rejection_reason
from overwatch.bronze_tables import JOB_RUNS, QUARANTINE, create_bronze_tables
from overwatch.dbt_runner import run_dbt
from overwatch.deployment_config import WorkspaceConfig
from overwatch.fake_api import FakeDatabricksApi, load_recorded_responses
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow

SCHEMA = "job_run_shapes"
ORGANIZATION_ID = "4242"
TOKEN_VARIABLE = "OVERWATCH_JOB_RUN_SHAPES_TOKEN"
TOKEN = "dapi-job-run-shapes"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "job_runs"
# Read in place: tests may use ../shared; the product never does.
API_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "api"
OPENAPI_SPEC = API_SAMPLES / "official_openapi_specs" / "jobs-2.1-aws.yaml"
RECORDED_JOBS = API_SAMPLES / "terraform_provider_databricks" / "get-jobs-list.json"
# The spec's example run started in 2021, the fixtures in 2026: one window lists them all.
WINDOW = LoadWindow(datetime(2021, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
# The silver models with what they read (staging views, the jobs models' incremental event tables).
JOB_MODELS = ["+job_silver", "+cluster_silver", "+job_run_silver", "job_run", "job_run_presentation"]
TASK_TYPES = (
    "notebook_task",
    "spark_jar_task",
    "python_wheel_task",
    "spark_python_task",
    "spark_submit_task",
    "sql_task",
    "dbt_task",
    "condition_task",
    "pipeline_task",
    "run_job_task",
    "for_each_task",
)
LEGACY_RUN_START_MS = 1767312000000
# Jobs API task states of a task that never started (RunLifeCycleState, RunResultState).
NEVER_STARTED_STATES = {
    "PENDING",
    "QUEUED",
    "BLOCKED",
    "SKIPPED",
    "WAITING_FOR_RETRY",
    "UPSTREAM_FAILED",
    "UPSTREAM_CANCELED",
    "EXCLUDED",
}


def _spec_example_run() -> dict:
    """The run the official OpenAPI spec describes: every `Run` property that carries an example."""
    spec = yaml.safe_load(OPENAPI_SPEC.read_text())
    properties = spec["components"]["schemas"]["Run"]["properties"]
    return {name: schema["example"] for name, schema in properties.items() if "example" in schema}


def _legacy_runs_of_recorded_jobs() -> list[dict]:
    """An API 2.0 run of each recorded job (last listing of a job id wins, as in the jobs snapshot): the
    job's task and cluster settings as `task` and `cluster_spec`, ended, with durations and no end_time."""
    jobs = {job["job_id"]: job for job in json.loads(RECORDED_JOBS.read_text())["jobs"]}
    runs = []
    for offset, (job_id, job) in enumerate(sorted(jobs.items())):
        settings = job["settings"]
        task = {name: settings[name] for name in TASK_TYPES if name in settings}
        cluster = ("existing_cluster_id", "new_cluster", "libraries")
        runs.append(
            {
                "job_id": job_id,
                "run_id": 90000 + job_id,
                "run_name": f"a run of {settings['name']}",
                "run_type": "JOB_RUN",
                "trigger": "PERIODIC",
                "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
                "task": task,
                "cluster_spec": {name: settings[name] for name in cluster if name in settings},
                "start_time": LEGACY_RUN_START_MS + offset * 3_600_000,
                "setup_duration": 60_000,
                "execution_duration": 600_000 + offset,
                "cleanup_duration": 5_000,
            }
        )
    return runs


@dataclass(frozen=True)
class ExpectedRow:
    run_key: str
    run_id: int
    task_type: str | None
    start_ms: int | None
    end_ms: int | None


def _task_type(task: dict) -> str | None:
    return next((name.upper() for name in TASK_TYPES if name in task), None)


def _task_start(run: dict, task: dict) -> int | None:
    """A start_time of 0 means never started; a task listed without one ran in its job run's times,
    unless its state says it never started."""
    if "start_time" in task:
        return task["start_time"] or None
    state = task.get("state", {})
    if {state.get("life_cycle_state"), state.get("result_state")} & NEVER_STARTED_STATES:
        return None
    return run["start_time"]


def _expected_rows(run: dict) -> list[ExpectedRow]:
    """The task-run rows a listed run must give, read from its JSON as the runs API documents it."""
    if "tasks" not in run:
        task = run.get("task") or {}
        return [ExpectedRow(str(run["run_id"]), run["run_id"], _task_type(task), run["start_time"], None)]
    rows = []
    for task in run["tasks"]:
        own_id = task.get("run_id")
        key = str(own_id) if own_id else f"{run['run_id']}:{task['task_key']}"
        rows.append(ExpectedRow(key, own_id or run["run_id"], _task_type(task), _task_start(run, task), None))
    return rows


@dataclass(frozen=True)
class LoadedShapes:
    listed: list
    valid_runs: list[dict]
    invalid_items: list


@pytest.fixture(scope="module")
def shapes_schema(module_schema: str) -> Iterator[str]:
    """The module's schema, with the fake API's token in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOKEN_VARIABLE, TOKEN)
        yield module_schema


@pytest.fixture(scope="module")
def loaded(spark, local_target, shapes_schema: str, tmp_path_factory: pytest.TempPathFactory) -> LoadedShapes:
    if not API_SAMPLES.exists():
        pytest.skip(f"shared samples not found at {API_SAMPLES}")
    folder = tmp_path_factory.mktemp("job_run_shapes")
    generated = {"spec-example-run.json": _spec_example_run()}
    generated["legacy-runs-of-recorded-jobs.json"] = {"runs": _legacy_runs_of_recorded_jobs()}
    for name, answer in generated.items():
        (folder / name).write_text(json.dumps(answer))
    answers = [*sorted(FIXTURES.glob("*.json")), *(folder / name for name in generated)]
    listed = [
        run
        for answer in (json.loads(path.read_text()) for path in answers)
        for run in answer.get("runs", [answer])
    ]
    database = folder / "recorded.sqlite"
    load_recorded_responses(database, jobs_list=RECORDED_JOBS, job_runs=answers)

    target = replace(local_target, schema=shapes_schema)
    create_bronze_tables(spark, target)
    with FakeDatabricksApi(database, token=TOKEN, page_size=2) as server:
        workspace = WorkspaceConfig(
            organization_id=ORGANIZATION_ID,
            workspace_name="job-run-shapes",
            cloud="aws",
            api_host=server.host,
            token_env_var=TOKEN_VARIABLE,
            audit_log_path=str(folder),
        )
        context = LoadContext(spark, target, workspace, "run-1", progress=lambda _message: None)
        load_api_snapshot(context, WINDOW, entity="jobs")
        load_job_runs(context, WINDOW)
        assert load_job_runs(context, WINDOW) == 0, "re-listing the window adds nothing"
    # Cautious: data tests that also read models outside these (cluster gold) are left to the full build.
    run_dbt(
        ["build", "--select", *JOB_MODELS, "--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    )
    valid = [run for run in listed if isinstance(run.get("run_id"), int)]
    invalid = [run for run in listed if not isinstance(run.get("run_id"), int)]
    return LoadedShapes(listed, valid, invalid)


def _bronze(spark, table: str):
    return spark.table(f"{SCHEMA}_bronze.{table}")


def test_every_listed_run_lands_in_bronze_or_quarantine(spark, loaded: LoadedShapes):
    bronze_ids = {row.entity_id for row in _bronze(spark, JOB_RUNS.name).collect()}
    quarantined = _bronze(spark, QUARANTINE.name).where("source = 'job_runs'").collect()

    assert bronze_ids == {str(run["run_id"]) for run in loaded.valid_runs}
    assert len(bronze_ids) + len(quarantined) == len(loaded.listed)
    assert sorted(json.loads(row.raw_record)["run_name"] for row in quarantined) == sorted(
        item["run_name"] for item in loaded.invalid_items
    )
    assert {row.reason for row in quarantined} == {"no run_id", "run_id is not an integer: 'run-4700'"}


def test_one_row_per_task_run_keyed_so_tasks_never_collapse(spark, loaded: LoadedShapes):
    expected = {row.run_key: row for run in loaded.valid_runs for row in _expected_rows(run)}
    rows = spark.table(f"{SCHEMA}_presentation.jobrun").collect()

    assert len(rows) == sum(len(_expected_rows(run)) for run in loaded.valid_runs) == len(expected)
    assert {row.run_key: (row.run_id, row.task_type) for row in rows} == {
        key: (row.run_id, row.task_type) for key, row in expected.items()
    }
    assert {row.run_key: row.task_runtime.startEpochMS for row in rows} == {
        key: row.start_ms for key, row in expected.items()
    }
    listed_types = {row.task_type for row in expected.values()}
    assert {name.upper() for name in TASK_TYPES} <= listed_types


def test_end_times_missing_from_the_api_come_from_start_and_durations(spark, loaded: LoadedShapes):
    ends = {
        row.run_key: row.task_runtime.endEpochMS
        for row in spark.table(f"{SCHEMA}_presentation.jobrun").collect()
    }

    # Hand-computed from tests/fixtures/job_runs: start + setup + execution + cleanup.
    assert ends["4100"] == 1767225600000 + 240000 + 1500000 + 30000  # API 2.0 run, no end_time
    assert ends["4200"] == 1767229500000  # API 2.0 run with its end_time
    assert ends["4301"] == 1767232800000 + 120000 + 300000  # task without end_time
    assert ends["4302"] == 1767233220000 + 250000 + 30000  # task with end_time 0, terminated
    assert ends["4401"] is None  # still running: no end yet
    # Tasks without times of their own run within their job run's.
    assert ends["4500:extract"] == ends["4500:load"] == 1767240900000
    assert ends["4500:report"] is None  # skipped: never started
    for run in _legacy_runs_of_recorded_jobs():
        durations = run["setup_duration"] + run["execution_duration"] + run["cleanup_duration"]
        assert ends[str(run["run_id"])] == run["start_time"] + durations


def test_what_each_task_ran_and_the_jobs_api_2_0_settings(spark, loaded: LoadedShapes):
    rows = {row.run_key: row for row in spark.table(f"{SCHEMA}_presentation.jobrun").collect()}
    (every_type_run,) = json.loads((FIXTURES / "every_task_type.json").read_text())["runs"]
    targets = {str(task["run_id"]): rows[str(task["run_id"])].task_target for task in every_type_run["tasks"]}

    assert targets == {
        "4801": "/Shared/every/notebook",
        "4802": "com.example.Main",
        "4803": "etl:main",
        "4804": "dbfs:/jobs/main.py",
        "4805": "query:query-1",
        "4806": "file:queries/daily.sql",
        "4807": "dbt deps; dbt build",
        "4808": "3 GREATER_THAN 1",
        "4809": "pipeline-1",
        "4810": "932035899730845",
        "4811": '["a","b"]',
        "4812": '["--class","com.example.Submit","dbfs:/jars/submit.jar"]',
    }
    assert rows["4500:report"].task_target == "dashboard:dash-1"
    # Runs of the recorded API 2.0 jobs carry their job's name (job_silver reads 2.0 settings)
    # and the cluster of their cluster_spec.
    for run in _legacy_runs_of_recorded_jobs():
        row = rows[str(run["run_id"])]
        assert row.job_name == run["run_name"].removeprefix("a run of ")
        assert row.cluster_type == ("existing" if "existing_cluster_id" in run["cluster_spec"] else "new")


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (["not", "an", "object"], "not a JSON object: list"),
        ({"job_id": 1}, "no run_id"),
        ({"run_id": ""}, "no run_id"),
        ({"run_id": True}, "run_id is not an integer: True"),
        ({"run_id": "12a"}, "run_id is not an integer: '12a'"),
        ({"run_id": 12}, None),
        ({"run_id": "12"}, None),
    ],
)
def test_rejection_reasons(item: object, reason: str | None):
    assert rejection_reason(item, "run_id", integer_id=True) == reason
