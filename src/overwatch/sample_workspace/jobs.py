"""Jobs and their runs: every run gets its own job cluster, named `job-<job_id>-run-<run_id>`.

A run's tasks execute one after another on the run's cluster; the jobs service creates the cluster
when the run starts and terminates it when the last task ends. A failed task fails the run and its
downstream tasks are not started.
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace.audit_log import JOBS_USER_AGENT, SDK_USER_AGENT
from overwatch.sample_workspace.billing import JobRunContext
from overwatch.sample_workspace.catalog import NODE_TYPES_BY_CLOUD, STANDARD_SPARK_VERSIONS
from overwatch.sample_workspace.clusters import MINUTE_MS, SECOND_MS, SimulatedCluster
from overwatch.sample_workspace.identifiers import cluster_id, numeric_id
from overwatch.sample_workspace.spark_event_logs import log_delivery_conf
from overwatch.sample_workspace.workspace_objects import User, cloud_attributes

if TYPE_CHECKING:
    from overwatch.sample_workspace.workspace import WorkspaceSimulation

HOUR_MS = 60 * MINUTE_MS
TASK_NAMES = ("ingest", "clean", "aggregate", "publish")
# Runs start only this long before the period ends, so that they finish inside it.
LONGEST_RUN_MS = 2 * HOUR_MS
FAILURE_RATE = 0.08


@dataclass
class JobPlan:
    index: int
    job: dict[str, Any]
    owner: User
    create_day: int | None  # None: the job predates the first generated day
    delete_day: int | None
    run_hours: tuple[float, ...]
    deleted_ms: int | None = None


def plan_jobs(simulation: WorkspaceSimulation) -> list[JobPlan]:
    preset, days = simulation.preset, simulation.days
    plans = []
    for index in range(preset.jobs):
        owner = simulation.users[(index * 3) % len(simulation.users)]
        first_hour = (index * 5 + 1) % 24 + (index % 4) * 0.25
        spacing = 24 / preset.runs_per_job_per_day
        run_hours = tuple(
            sorted((first_hour + run * spacing) % 24 for run in range(preset.runs_per_job_per_day))
        )
        create_day = index % days if index % 3 == 2 else None
        plans.append(
            JobPlan(
                index=index,
                job=_job(simulation, index, owner),
                owner=owner,
                create_day=create_day,
                delete_day=days - 1 if index == preset.jobs - 1 and preset.jobs >= 3 else None,
                run_hours=run_hours,
            )
        )
    return plans


def _job(
    simulation: WorkspaceSimulation, index: int, owner: User, generator: random.Random | None = None
) -> dict[str, Any]:
    generator = generator or simulation.random
    job_id = numeric_id(generator, 15)
    task_count = 1 + index % len(TASK_NAMES)
    tasks = []
    for position in range(task_count):
        task: dict[str, Any] = {"task_key": TASK_NAMES[position]}
        if position:
            task["depends_on"] = [{"task_key": TASK_NAMES[position - 1]}]
        notebook_path = f"/Repos/{owner.email}/pipelines/{TASK_NAMES[position]}"
        task.update(
            notebook_task={"notebook_path": notebook_path, "source": "WORKSPACE"},
            job_cluster_key="main",
            timeout_seconds=0,
            email_notifications={},
        )
        tasks.append(task)
    settings = {
        "name": f"{simulation.team_of(owner)}-pipeline-{index:03d}",
        "email_notifications": {"on_failure": [owner.email]},
        "timeout_seconds": 0,
        "max_concurrent_runs": 1,
        "schedule": {
            "quartz_cron_expression": "0 0 * * * ?",
            "timezone_id": "UTC",
            "pause_status": "UNPAUSED",
        },
        "tasks": tasks,
        "job_clusters": [{"job_cluster_key": "main", "new_cluster": _job_cluster_spec(simulation, index)}],
        # Job tags reach the bill's custom_tags beside the cluster's own.
        "tags": {"cost_center": f"cc-{100 + index % 3}"},
        "format": "MULTI_TASK",
    }
    return {
        "job_id": job_id,
        "creator_user_name": owner.email,
        "run_as_user_name": owner.email,
        "run_as_owner": True,
        "settings": settings,
        "created_time": 0,
    }


def _job_cluster_spec(simulation: WorkspaceSimulation, index: int) -> dict[str, Any]:
    nodes = NODE_TYPES_BY_CLOUD[simulation.cloud]
    node_type = nodes[(index * 2 + 1) % len(nodes)].node_type_id
    spec: dict[str, Any] = {
        "spark_version": STANDARD_SPARK_VERSIONS[index % len(STANDARD_SPARK_VERSIONS)],
        "node_type_id": node_type,
        "driver_node_type_id": node_type,
    }
    if index % 2:
        spec["autoscale"] = {"min_workers": 1, "max_workers": 2 + index % 6}
    else:
        spec["num_workers"] = 1 + index % 8
    spec["spark_conf"] = {"spark.databricks.delta.optimizeWrite.enabled": "true"}
    spec["custom_tags"] = {"team": TASK_NAMES[0] if index % 5 == 0 else "data-eng"}
    if index % 3 == 0:
        spec["cluster_log_conf"] = log_delivery_conf()
    spec.update(cloud_attributes(simulation.cloud))
    # Every third job runs Photon, so the bill has jobs compute with and without it.
    runtime_engine = "PHOTON" if index % 3 == 2 else "STANDARD"
    spec.update(enable_elastic_disk=True, runtime_engine=runtime_engine, data_security_mode="SINGLE_USER")
    return spec


def create_predating_jobs(simulation: WorkspaceSimulation, plans: list[JobPlan]) -> None:
    for plan in plans:
        if plan.create_day is None:
            plan.job["created_time"] = simulation.start_ms - simulation.random.randint(5, 200) * 24 * HOUR_MS


def simulate_day(simulation: WorkspaceSimulation, plan: JobPlan, day: int) -> None:
    day_start = simulation.day_start_ms(day)
    if plan.create_day == day:
        _create(simulation, plan, day_start + 9 * HOUR_MS + plan.index * MINUTE_MS)
    if plan.create_day is not None and plan.create_day > day:
        return
    if plan.deleted_ms is not None:
        return
    delete_at = day_start + 21 * HOUR_MS + plan.index * MINUTE_MS if plan.delete_day == day else None
    for run_number, hour in enumerate(plan.run_hours):
        start_ms = day_start + int(hour * HOUR_MS) + simulation.random.randint(0, 40) * SECOND_MS
        too_late = start_ms + LONGEST_RUN_MS >= simulation.horizon_ms
        if (
            too_late
            or start_ms <= plan.job["created_time"]
            or (delete_at and start_ms + LONGEST_RUN_MS > delete_at)
        ):
            continue
        trigger = "ONE_TIME" if (day + run_number + plan.index) % 4 == 3 else "PERIODIC"
        run_job(simulation, plan.job, plan.owner, start_ms, trigger, day)
    if day == 1 % simulation.days and plan.index in (0, 1):
        _change_settings(simulation, plan, day_start + 8 * HOUR_MS + plan.index * 7 * MINUTE_MS)
    if delete_at is not None:
        _delete(simulation, plan, delete_at)


def _create(simulation: WorkspaceSimulation, plan: JobPlan, at_ms: int) -> None:
    plan.job["created_time"] = at_ms
    settings = plan.job["settings"]
    params = {key: value for key, value in settings.items() if key != "format"}
    result = json.dumps({"job_id": plan.job["job_id"]})
    simulation.audit.emit(
        at_ms, "jobs", "create", plan.owner.email, params, result=result, user_agent=SDK_USER_AGENT
    )


def _change_settings(simulation: WorkspaceSimulation, plan: JobPlan, at_ms: int) -> None:
    """Job 0 is updated (a partial change), job 1 reset (its whole settings replaced)."""
    settings = plan.job["settings"]
    settings["timeout_seconds"] = 7200
    settings["max_concurrent_runs"] = 2
    if plan.index == 0:
        params = {
            "job_id": plan.job["job_id"],
            "new_settings": {"timeout_seconds": 7200, "max_concurrent_runs": 2},
        }
        simulation.audit.emit(at_ms, "jobs", "update", plan.owner.email, params)
    else:
        params = {"job_id": plan.job["job_id"], "new_settings": settings}
        simulation.audit.emit(at_ms, "jobs", "reset", plan.owner.email, params)


def _delete(simulation: WorkspaceSimulation, plan: JobPlan, at_ms: int) -> None:
    plan.deleted_ms = at_ms
    simulation.audit.emit(at_ms, "jobs", "delete", plan.owner.email, {"job_id": plan.job["job_id"]})


def store_jobs(simulation: WorkspaceSimulation, plans: list[JobPlan]) -> None:
    for plan in plans:
        if plan.job["created_time"]:
            simulation.outputs.store.add_job(plan.job, plan.deleted_ms)


def run_submitted(simulation: WorkspaceSimulation, day: int) -> None:
    """One one-time run a day submitted through the API (runs/submit), with its own job cluster."""
    owner = simulation.users[day % len(simulation.users)]
    start_ms = simulation.day_start_ms(day) + 13 * HOUR_MS + simulation.random.randint(0, 60) * MINUTE_MS
    if start_ms + LONGEST_RUN_MS >= simulation.horizon_ms:
        return
    job = _job(simulation, 1000 + day, owner)
    job["settings"]["name"] = f"adhoc-backfill-{day}"
    run_job(simulation, job, owner, start_ms, "ONE_TIME", day, submitted=True)


def run_job(
    simulation: WorkspaceSimulation,
    job: dict[str, Any],
    owner: User,
    start_ms: int,
    trigger: str,
    day: int,
    *,
    submitted: bool = False,
    generator: random.Random | None = None,
    cluster_class: type[SimulatedCluster] = SimulatedCluster,
    finish_cluster: bool = True,
    stop_delay_seconds: tuple[int, int] = (20, 60),
) -> SimulatedCluster:
    """Runs the job on a job cluster of its own, stopped 20-60 s after its last task. A planted case passes
    its own random stream (so the rest of the workspace stays the same), its own cluster class and stop
    delay, and finishes the cluster itself."""
    generator = generator or simulation.random
    run_id = numeric_id(generator, 15)
    settings = job["settings"]
    if submitted:
        params = {
            "run_name": settings["name"],
            "tasks": settings["tasks"],
            "job_clusters": settings["job_clusters"],
        }
        result = json.dumps({"run_id": run_id})
        simulation.audit.emit(
            start_ms, "jobs", "submitRun", owner.email, params, result=result, user_agent=SDK_USER_AGENT
        )
    elif trigger == "ONE_TIME":
        result = json.dumps({"run_id": run_id, "number_in_job": run_id})
        simulation.audit.emit(
            start_ms, "jobs", "runNow", owner.email, {"job_id": job["job_id"]}, result=result
        )
    cluster = _job_cluster(simulation, job, run_id, start_ms + 2 * SECOND_MS, generator, cluster_class)
    if simulation.outputs.bill is not None:
        context = JobRunContext(
            job["job_id"], run_id, job["run_as_user_name"], settings["name"], dict(settings.get("tags") or {})
        )
        simulation.outputs.bill.job_cluster_started(cluster.cluster_id, context)
    simulation.count_active_cluster(day)
    running_at = cluster.create(start_ms + 2 * SECOND_MS, owner.email)
    task_runs, failed, now = _run_tasks(
        simulation, job, owner, run_id, cluster, running_at + 10 * SECOND_MS, trigger, generator
    )
    end_ms = cluster.terminate(now + generator.randint(*stop_delay_seconds) * SECOND_MS)
    if finish_cluster:
        cluster.finish(simulation.horizon_ms)
    run = _run_record(job, owner, run_id, cluster, task_runs, start_ms, end_ms, trigger, failed, submitted)
    simulation.outputs.store.add_job_run(run)
    simulation.job_run_count += 1
    return cluster


def _job_cluster(
    simulation: WorkspaceSimulation,
    job: dict[str, Any],
    run_id: int,
    created_ms: int,
    generator: random.Random,
    cluster_class: type[SimulatedCluster],
) -> SimulatedCluster:
    spec = {"cluster_name": f"job-{job['job_id']}-run-{run_id}"}
    spec.update(json.loads(json.dumps(job["settings"]["job_clusters"][0]["new_cluster"])))
    spec.update(autotermination_minutes=0, cluster_source="JOB")
    spec["single_user_name"] = job["run_as_user_name"]
    identifier = cluster_id(generator, created_ms)
    creator = job["creator_user_name"]
    outputs = simulation.outputs
    if generator is not outputs.random:
        outputs = dataclasses.replace(outputs, random=generator)
    return cluster_class(outputs, identifier, spec, creator, created_ms, lifetime_start_ms=created_ms)


def _run_tasks(
    simulation: WorkspaceSimulation,
    job: dict[str, Any],
    owner: User,
    run_id: int,
    cluster: SimulatedCluster,
    now: int,
    trigger: str,
    generator: random.Random,
) -> tuple[list[dict[str, Any]], bool, int]:
    failed = False
    task_runs = []
    for task in job["settings"]["tasks"]:
        task_run_id = numeric_id(generator, 15)
        if failed:
            task_runs.append(_task_record(task, task_run_id, cluster, None, None, "UPSTREAM_FAILED"))
            continue
        started = now + generator.randint(5, 20) * SECOND_MS
        params = _run_audit_params(
            job, run_id, task_run_id, task, cluster, trigger, simulation.organization_id
        )
        simulation.audit.emit(started, "jobs", "runStart", owner.email, params, user_agent=JOBS_USER_AGENT)
        duration = generator.randint(3, 25) * MINUTE_MS
        if cluster.is_autoscaling and duration >= 12 * MINUTE_MS:
            upsized = cluster.autoscale_to(started + duration // 3, cluster.spec["autoscale"]["max_workers"])
            cluster.autoscale_to(
                max(upsized + MINUTE_MS, started + 2 * duration // 3),
                cluster.spec["autoscale"]["min_workers"],
            )
        ended = started + duration
        if simulation.outputs.spark_event_logs is not None:
            simulation.outputs.spark_event_logs.job_task(
                cluster, started, ended, task, job["job_id"], task_run_id, job["run_as_user_name"]
            )
        failed = generator.random() < FAILURE_RATE
        action = "runFailed" if failed else "runSucceeded"
        params["jobTerminalState"] = "Failed" if failed else "Succeeded"
        simulation.audit.emit(ended, "jobs", action, owner.email, params, user_agent=JOBS_USER_AGENT)
        task_runs.append(
            _task_record(task, task_run_id, cluster, started, ended, "FAILED" if failed else "SUCCESS")
        )
        now = ended
    return task_runs, failed, now


def _run_audit_params(
    job: dict[str, Any],
    run_id: int,
    task_run_id: int,
    task: dict[str, Any],
    cluster: SimulatedCluster,
    trigger: str,
    organization_id: str,
) -> dict[str, Any]:
    return {
        "jobId": job["job_id"],
        "runId": task_run_id,
        "multitaskParentRunId": run_id,
        "taskKey": task["task_key"],
        "clusterId": cluster.cluster_id,
        "jobClusterType": "job_cluster",
        "jobTriggerType": "cron" if trigger == "PERIODIC" else "runNow",
        "jobTaskType": "NOTEBOOK_TASK",
        "idInJob": run_id,
        "orgId": organization_id,
        "runCreatorUserName": job["run_as_user_name"],
    }


def _task_record(
    task: dict[str, Any],
    task_run_id: int,
    cluster: SimulatedCluster,
    started: int | None,
    ended: int | None,
    result_state: str,
) -> dict[str, Any]:
    record: dict[str, Any] = {"run_id": task_run_id, "task_key": task["task_key"]}
    record.update(
        {key: task[key] for key in ("depends_on", "notebook_task", "job_cluster_key") if key in task}
    )
    life_cycle = "TERMINATED" if started is not None else "SKIPPED"
    record["state"] = {
        "life_cycle_state": life_cycle,
        "result_state": result_state,
        "state_message": "",
        "user_cancelled_or_timedout": False,
    }
    if started is not None and ended is not None:
        context = cluster.history.get("spark_context_id")
        record["cluster_instance"] = {"cluster_id": cluster.cluster_id, "spark_context_id": str(context)}
        record.update(
            start_time=started,
            setup_duration=0,
            execution_duration=ended - started,
            cleanup_duration=0,
            end_time=ended,
        )
    record["attempt_number"] = 0
    return record


def _run_record(
    job: dict[str, Any],
    owner: User,
    run_id: int,
    cluster: SimulatedCluster,
    task_runs: list[dict[str, Any]],
    start_ms: int,
    end_ms: int,
    trigger: str,
    failed: bool,
    submitted: bool,
) -> dict[str, Any]:
    settings = job["settings"]
    run: dict[str, Any] = {
        "job_id": job["job_id"],
        "run_id": run_id,
        "number_in_job": run_id,
        "creator_user_name": owner.email,
        "original_attempt_run_id": run_id,
        "state": {
            "life_cycle_state": "TERMINATED",
            "result_state": "FAILED" if failed else "SUCCESS",
            "state_message": "" if not failed else "Task failed with error",
            "user_cancelled_or_timedout": False,
        },
        "tasks": task_runs,
        "job_clusters": settings["job_clusters"],
        "cluster_instance": {"cluster_id": cluster.cluster_id},
        "start_time": start_ms,
        "setup_duration": 0,
        "execution_duration": 0,
        "cleanup_duration": 0,
        "end_time": end_ms,
        "run_duration": end_ms - start_ms,
        "trigger": trigger,
        "run_name": settings["name"],
        "run_type": "SUBMIT_RUN" if submitted else "JOB_RUN",
        "format": "MULTI_TASK",
        "attempt_number": 0,
    }
    if trigger == "PERIODIC":
        run["schedule"] = settings["schedule"]
    return run


def run_beside_notebooks(
    simulation: WorkspaceSimulation, cluster: SimulatedCluster, owner: User, at_ms: int
) -> None:
    """Two one-time runs submitted onto a running all-purpose cluster, overlapping each other and the
    notebook work on it: each pays a share of the cluster's cost instead of a cluster of its own."""
    for offset_ms, duration_ms in ((30 * SECOND_MS, 3 * MINUTE_MS), (90 * SECOND_MS, 2 * MINUTE_MS)):
        _run_on_existing_cluster(simulation, cluster, owner, at_ms + offset_ms, duration_ms)


def _run_on_existing_cluster(
    simulation: WorkspaceSimulation, cluster: SimulatedCluster, owner: User, start_ms: int, duration_ms: int
) -> None:
    generator = simulation.random
    run_id, task_run_id = numeric_id(generator, 15), numeric_id(generator, 15)
    task = {
        "task_key": "adhoc",
        "existing_cluster_id": cluster.cluster_id,
        "notebook_task": {"notebook_path": f"/Users/{owner.email}/adhoc", "source": "WORKSPACE"},
    }
    job = {
        "job_id": numeric_id(generator, 15),
        "creator_user_name": owner.email,
        "run_as_user_name": owner.email,
        "settings": {"name": f"adhoc-{cluster.cluster_id}", "tasks": [task], "job_clusters": []},
    }
    submit_params = {"run_name": job["settings"]["name"], "tasks": [task]}
    simulation.audit.emit(
        start_ms,
        "jobs",
        "submitRun",
        owner.email,
        submit_params,
        result=json.dumps({"run_id": run_id}),
        user_agent=SDK_USER_AGENT,
    )
    params = _run_audit_params(
        job, run_id, task_run_id, task, cluster, "ONE_TIME", simulation.organization_id
    )
    params["jobClusterType"] = "existing"
    started, ended = start_ms + 5 * SECOND_MS, start_ms + duration_ms
    if simulation.outputs.spark_event_logs is not None:
        simulation.outputs.spark_event_logs.job_task(
            cluster, started, ended, task, job["job_id"], task_run_id, owner.email
        )
    simulation.audit.emit(started, "jobs", "runStart", owner.email, params, user_agent=JOBS_USER_AGENT)
    params["jobTerminalState"] = "Succeeded"
    simulation.audit.emit(ended, "jobs", "runSucceeded", owner.email, params, user_agent=JOBS_USER_AGENT)
    task_run = _task_record(task, task_run_id, cluster, started, ended, "SUCCESS")
    run = _run_record(job, owner, run_id, cluster, [task_run], start_ms, ended, "ONE_TIME", False, True)
    simulation.outputs.store.add_job_run(run)
    simulation.job_run_count += 1


def run_scheduled_on_existing_cluster(
    simulation: WorkspaceSimulation,
    job: dict[str, Any],
    owner: User,
    cluster: SimulatedCluster,
    start_ms: int,
    duration_ms: int,
    generator: random.Random,
) -> int:
    """A scheduled (cron) run of a one-task job whose task runs on an existing all-purpose cluster, so
    it pays the interactive price; ids come from `generator`. Returns when the task ended."""
    run_id, task_run_id = numeric_id(generator, 15), numeric_id(generator, 15)
    task = job["settings"]["tasks"][0]
    params = _run_audit_params(
        job, run_id, task_run_id, task, cluster, "PERIODIC", simulation.organization_id
    )
    params["jobClusterType"] = "existing"
    started, ended = start_ms + 5 * SECOND_MS, start_ms + duration_ms
    simulation.audit.emit(started, "jobs", "runStart", owner.email, params, user_agent=JOBS_USER_AGENT)
    params["jobTerminalState"] = "Succeeded"
    simulation.audit.emit(ended, "jobs", "runSucceeded", owner.email, params, user_agent=JOBS_USER_AGENT)
    task_run = _task_record(task, task_run_id, cluster, started, ended, "SUCCESS")
    run = _run_record(job, owner, run_id, cluster, [task_run], start_ms, ended, "PERIODIC", False, False)
    simulation.outputs.store.add_job_run(run)
    simulation.job_run_count += 1
    return ended
