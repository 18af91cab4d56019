"""Spark event logs of the clusters that deliver their logs, as Databricks cluster log delivery lays them out.

`<root>/<cluster_id>/eventlog/<cluster_id>_<driver ip>/<spark_context_id>/eventlog*`: one folder per
Spark context (each start or restart of a cluster begins one). What runs on a context is what the
simulation ran on the cluster: job task runs carry the job id, the task run id and the job group
Databricks gives them; notebook commands carry the notebook's id and path. Executors follow the
cluster's workers. Interactive clusters' logs are rolled hourly into `eventlog-YYYY-MM-DD--HH-00.gz`
files beside the live `eventlog`, as delivery does; each file's modification time is its last event.

Every context draws from a generator seeded by its own identity, so these files never change the rest
of the sample workspace, and the same seed always writes the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overwatch.sample_workspace.clusters import SimulatedCluster

HOUR_MS = 3_600_000
SPARK_VERSION = "3.5.0"
SQL_EVENT = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecution"
STAGE_NAMES = ("scan parquet main.sales.orders", "Exchange hashpartitioning", "collect at Driver.scala")
LOG_DESTINATION = "dbfs:/cluster-logs"


def log_delivery_conf() -> dict[str, Any]:
    """The `cluster_log_conf` of a cluster that delivers its logs."""
    return {"dbfs": {"destination": LOG_DESTINATION}}


@dataclass
class Workload:
    """Something the simulation ran on a cluster: a task run or a notebook command."""

    start_ms: int
    end_ms: int
    description: str
    properties: dict[str, str]
    job_group_id: str
    action_suffix: bool = True


@dataclass
class SparkContextLog:
    cluster_id: str
    spark_context_id: str
    driver_host: str
    cores_per_executor: int
    rotated: bool
    random: random.Random
    events: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    executors: list[str] = field(default_factory=list)
    next_executor: int = 0
    next_job: int = 0
    next_stage: int = 0
    next_task: int = 0
    next_execution: int = 0

    def emit(self, at_ms: int, event: dict[str, Any]) -> None:
        self.events.append((at_ms, len(self.events), event))


class SparkEventLogWriter:
    """Collects each open Spark context's events and writes its files when the context ends."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.seed = seed
        self.open_contexts: dict[str, SparkContextLog] = {}
        self.file_count = 0
        self.event_count = 0

    # --- what the simulation reports -----------------------------------------------------------------

    def context_started(self, cluster: SimulatedCluster, at_ms: int) -> None:
        self.context_ended(cluster, at_ms - 1)
        if "cluster_log_conf" not in cluster.spec:
            return
        from overwatch.sample_workspace.clusters import NODE_TYPES

        context_id = str(cluster.history["spark_context_id"])
        driver_ip = cluster.history["driver"]["private_ip"]
        log = SparkContextLog(
            cluster_id=cluster.cluster_id,
            spark_context_id=context_id,
            driver_host=driver_ip,
            cores_per_executor=int(NODE_TYPES[cluster.worker_node_type].num_cores),
            rotated=cluster.cluster_type == "interactive",
            random=random.Random(f"spark-events-{self.seed}-{cluster.cluster_id}-{context_id}"),
        )
        self.open_contexts[cluster.cluster_id] = log
        _start_application(log, cluster, at_ms)
        self.workers_changed(cluster, at_ms + 5_000, cluster.current_workers)

    def workers_changed(self, cluster: SimulatedCluster, at_ms: int, workers: int) -> None:
        log = self.open_contexts.get(cluster.cluster_id)
        if log is None:
            return
        while len(log.executors) < workers:
            _add_executor(log, at_ms)
        while len(log.executors) > workers:
            _remove_executor(log, at_ms, "Executor decommissioned: autoscaling down")

    def job_task(
        self,
        cluster: SimulatedCluster,
        start_ms: int,
        end_ms: int,
        task: dict[str, Any],
        job_id: int,
        task_run_id: int,
        user: str,
    ) -> None:
        """A task run: Databricks tags its Spark jobs with the job and the task's own run id."""
        log = self.open_contexts.get(cluster.cluster_id)
        if log is None:
            return
        properties = {
            **_cluster_properties(cluster, user),
            "spark.databricks.job.id": str(job_id),
            "spark.databricks.job.runId": str(task_run_id),
            "spark.databricks.job.type": "notebook",
            "spark.databricks.notebook.path": task["notebook_task"]["notebook_path"],
        }
        group = f"{log.random.getrandbits(63)}_job-{job_id}-run-{task_run_id}"
        _run_workload(log, Workload(start_ms, end_ms, task["task_key"], properties, group))

    def notebook_command(
        self, cluster: SimulatedCluster, at_ms: int, notebook: dict[str, Any], user: str
    ) -> None:
        """A command run in a notebook attached to the cluster; it takes seconds to a few minutes."""
        log = self.open_contexts.get(cluster.cluster_id)
        if log is None:
            return
        properties = {
            **_cluster_properties(cluster, user),
            "spark.databricks.notebook.id": notebook["id"],
            "spark.databricks.notebook.path": notebook["path"],
        }
        group = (
            f"{log.random.getrandbits(63)}_{log.random.getrandbits(63)}_{log.random.getrandbits(128):032x}"
        )
        end_ms = at_ms + log.random.randint(20, 240) * 1_000
        description = notebook["path"].rsplit("/", 1)[-1]
        _run_workload(log, Workload(at_ms, end_ms, description, properties, group, action_suffix=False))

    def context_ended(self, cluster: SimulatedCluster, at_ms: int) -> None:
        log = self.open_contexts.pop(cluster.cluster_id, None)
        if log is None:
            return
        # A restart right after a command still lets the command's Spark work finish first.
        end_ms = max(at_ms, max(event_ms for event_ms, _, _ in log.events) + 2_000)
        while log.executors:
            _remove_executor(log, end_ms - 1_000, "Cluster terminated")
        log.emit(end_ms, {"Event": "SparkListenerApplicationEnd", "Timestamp": end_ms})
        self._write(log)

    def close(self) -> None:
        """Contexts still running at the end of the period leave their live file without an end."""
        for log in self.open_contexts.values():
            self._write(log)
        self.open_contexts.clear()

    # --- files ---------------------------------------------------------------------------------------

    def _write(self, log: SparkContextLog) -> None:
        folder = (
            self.root
            / log.cluster_id
            / "eventlog"
            / f"{log.cluster_id}_{log.driver_host.replace('.', '_')}"
            / log.spark_context_id
        )
        folder.mkdir(parents=True, exist_ok=True)
        ordered = sorted(log.events, key=lambda item: (item[0], item[1]))
        hours: dict[int, list[tuple[int, int, dict[str, Any]]]] = {}
        for item in ordered:
            hours.setdefault(item[0] // HOUR_MS if log.rotated else 0, []).append(item)
        *rolled_hours, live_hour = sorted(hours)
        for hour in rolled_hours:
            name = f"eventlog-{datetime.fromtimestamp(hour * HOUR_MS / 1000, UTC):%Y-%m-%d--%H-00}.gz"
            content = _lines(hours[hour])
            # A fixed gzip header time keeps the bytes the same for the same seed.
            self._write_file(folder / name, gzip.compress(content, mtime=0), hours[hour][-1][0])
        self._write_file(folder / "eventlog", _lines(hours[live_hour]), hours[live_hour][-1][0])
        self.event_count += len(ordered)

    def _write_file(self, path: Path, content: bytes, last_event_ms: int) -> None:
        path.write_bytes(content)
        os.utime(path, (last_event_ms / 1000, last_event_ms / 1000))
        self.file_count += 1


def _lines(events: list[tuple[int, int, dict[str, Any]]]) -> bytes:
    return "".join(json.dumps(event, separators=(",", ":")) + "\n" for _, _, event in events).encode()


def _start_application(log: SparkContextLog, cluster: SimulatedCluster, at_ms: int) -> None:
    tags = {
        "spark.databricks.clusterUsageTags.clusterId": cluster.cluster_id,
        "spark.databricks.clusterUsageTags.clusterName": cluster.spec["cluster_name"],
        "spark.databricks.clusterUsageTags.sparkVersion": cluster.spec["spark_version"],
        "spark.databricks.clusterUsageTags.clusterWorkers": str(cluster.current_workers),
        "spark.databricks.clusterUsageTags.driverNodeType": cluster.driver_node_type,
        "spark.databricks.clusterUsageTags.workerNodeType": cluster.worker_node_type,
    }
    app_id = f"app-{datetime.fromtimestamp(at_ms / 1000, UTC):%Y%m%d%H%M%S}-0000"
    log.emit(at_ms, {"Event": "SparkListenerLogStart", "Spark Version": SPARK_VERSION})
    log.emit(
        at_ms,
        {
            "Event": "SparkListenerExecutorAdded",
            "Timestamp": at_ms,
            "Executor ID": "driver",
            "Executor Info": _executor_info(log.driver_host, log.cores_per_executor),
        },
    )
    spark_properties = {"spark.app.id": app_id, "spark.app.name": "Databricks Shell", **tags}
    log.emit(
        at_ms,
        {
            "Event": "SparkListenerEnvironmentUpdate",
            "JVM Information": {"Java Version": "1.8.0_382 (Azul Systems, Inc.)"},
            "Spark Properties": spark_properties,
            "Hadoop Properties": {},
            "System Properties": {"user.timezone": "Etc/UTC"},
            "Classpath Entries": {},
        },
    )
    log.emit(
        at_ms,
        {
            "Event": "SparkListenerApplicationStart",
            "App Name": "Databricks Shell",
            "App ID": app_id,
            "Timestamp": at_ms,
            "User": "root",
        },
    )


def _executor_info(host: str, cores: int) -> dict[str, Any]:
    return {
        "Host": host,
        "Total Cores": cores,
        "Log Urls": {},
        "Attributes": {},
        "Resources": {},
        "Resource Profile Id": 0,
    }


def _add_executor(log: SparkContextLog, at_ms: int) -> None:
    executor_id = str(log.next_executor)
    log.next_executor += 1
    log.executors.append(executor_id)
    host = f"10.139.{log.random.randrange(64, 128)}.{log.random.randrange(2, 250)}"
    event = {
        "Event": "SparkListenerExecutorAdded",
        "Timestamp": at_ms,
        "Executor ID": executor_id,
        "Executor Info": _executor_info(host, log.cores_per_executor),
    }
    log.emit(at_ms, event)


def _remove_executor(log: SparkContextLog, at_ms: int, reason: str) -> None:
    executor_id = log.executors.pop()
    event = {
        "Event": "SparkListenerExecutorRemoved",
        "Timestamp": at_ms,
        "Executor ID": executor_id,
        "Removed Reason": reason,
    }
    log.emit(at_ms, event)


def _run_workload(log: SparkContextLog, workload: Workload) -> None:
    """One SQL execution of one or two Spark jobs of one or two stages, spread over the workload's time."""
    generator = log.random
    execution_id = log.next_execution
    log.next_execution += 1
    start, end = workload.start_ms + 1_000, max(workload.end_ms - 1_000, workload.start_ms + 2_000)
    log.emit(
        start,
        {
            "Event": f"{SQL_EVENT}Start",
            "executionId": execution_id,
            "description": workload.description,
            "details": "",
            "physicalPlanDescription": "== Physical Plan ==\nAdaptiveSparkPlan isFinalPlan=true",
            "sparkPlanInfo": {
                "nodeName": "AdaptiveSparkPlan",
                "simpleString": "",
                "children": [],
                "metrics": [],
            },
            "time": start,
            "modifiedConfigs": {},
        },
    )
    job_count = generator.randint(1, 2)
    span = (end - start) // job_count
    properties = {**workload.properties, "spark.sql.execution.id": str(execution_id)}
    for job_index in range(job_count):
        job_start = start + job_index * span + 500
        _run_job(log, properties, workload, job_start, job_start + span - 1_000)
    log.emit(end, {"Event": f"{SQL_EVENT}End", "executionId": execution_id, "time": end})


def _run_job(
    log: SparkContextLog, properties: dict[str, str], workload: Workload, start: int, end: int
) -> None:
    generator = log.random
    job_id = log.next_job
    log.next_job += 1
    stage_ids = [log.next_stage + offset for offset in range(generator.randint(1, 2))]
    log.next_stage += len(stage_ids)
    task_counts = {stage_id: generator.randint(2, 5) for stage_id in stage_ids}
    stage_infos = [_stage_info(stage_id, task_counts[stage_id], stage_ids) for stage_id in stage_ids]
    log.emit(
        start,
        {
            "Event": "SparkListenerJobStart",
            "Job ID": job_id,
            "Submission Time": start,
            "Stage Infos": stage_infos,
            "Stage IDs": stage_ids,
            "Properties": {**properties, "spark.jobGroup.id": _job_group(workload, job_id)},
        },
    )
    span = (end - start) // len(stage_ids)
    for position, stage_info in enumerate(stage_infos):
        stage_start = start + position * span + 100
        _run_stage(log, stage_info, stage_start, stage_start + span - 200)
    log.emit(
        end,
        {
            "Event": "SparkListenerJobEnd",
            "Job ID": job_id,
            "Completion Time": end,
            "Job Result": {"Result": "JobSucceeded"},
        },
    )


def _job_group(workload: Workload, job_id: int) -> str:
    return f"{workload.job_group_id}-action-{job_id}" if workload.action_suffix else workload.job_group_id


def _cluster_properties(cluster: SimulatedCluster, user: str) -> dict[str, str]:
    return {
        "user": user,
        "spark.databricks.clusterUsageTags.clusterId": cluster.cluster_id,
        "spark.databricks.clusterUsageTags.clusterName": cluster.spec["cluster_name"],
        "spark.scheduler.pool": "default",
    }


def _stage_info(stage_id: int, task_count: int, stage_ids: list[int]) -> dict[str, Any]:
    return {
        "Stage ID": stage_id,
        "Stage Attempt ID": 0,
        "Stage Name": STAGE_NAMES[stage_id % len(STAGE_NAMES)],
        "Number of Tasks": task_count,
        "RDD Info": [],
        "Parent IDs": [other for other in stage_ids if other < stage_id],
        "Details": "",
        "Accumulables": [],
        "Resource Profile Id": 0,
    }


def _run_stage(log: SparkContextLog, stage_info: dict[str, Any], start: int, end: int) -> None:
    stage_id = stage_info["Stage ID"]
    log.emit(
        start,
        {
            "Event": "SparkListenerStageSubmitted",
            "Stage Info": {**stage_info, "Submission Time": start},
            "Properties": {},
        },
    )
    executors = log.executors or ["driver"]
    for index in range(stage_info["Number of Tasks"]):
        task_id = log.next_task
        log.next_task += 1
        launch = start + 50 + index * 20
        finish = log.random.randint(launch + 200, max(launch + 300, end - 50))
        executor_id = executors[index % len(executors)]
        info = {
            "Task ID": task_id,
            "Index": index,
            "Attempt": 0,
            "Partition ID": index,
            "Launch Time": launch,
            "Executor ID": executor_id,
            "Host": log.driver_host,
            "Locality": "PROCESS_LOCAL",
            "Speculative": False,
            "Getting Result Time": 0,
            "Finish Time": 0,
            "Failed": False,
            "Killed": False,
            "Accumulables": [],
        }
        log.emit(
            launch,
            {
                "Event": "SparkListenerTaskStart",
                "Stage ID": stage_id,
                "Stage Attempt ID": 0,
                "Task Info": info,
            },
        )
        log.emit(
            finish,
            {
                "Event": "SparkListenerTaskEnd",
                "Stage ID": stage_id,
                "Stage Attempt ID": 0,
                "Task Type": "ResultTask" if stage_info["Parent IDs"] else "ShuffleMapTask",
                "Task End Reason": {"Reason": "Success"},
                "Task Info": {**info, "Finish Time": finish},
                "Task Metrics": _task_metrics(log.random, finish - launch),
            },
        )
    completed = {**stage_info, "Submission Time": start, "Completion Time": end}
    log.emit(end, {"Event": "SparkListenerStageCompleted", "Stage Info": completed})


def _task_metrics(generator: random.Random, duration_ms: int) -> dict[str, Any]:
    run_time = max(duration_ms - generator.randint(5, 60), 1)
    records = generator.randint(1_000, 500_000)
    shuffle_bytes = generator.randint(0, 50_000_000)
    return {
        "Executor Deserialize Time": generator.randint(1, 40),
        "Executor Deserialize CPU Time": generator.randint(1_000_000, 30_000_000),
        "Executor Run Time": run_time,
        "Executor CPU Time": run_time * generator.randint(400_000, 950_000),
        "Peak Execution Memory": generator.randint(0, 256) * 1_048_576,
        "Result Size": generator.randint(1_500, 9_000),
        "JVM GC Time": generator.randint(0, run_time // 20 + 1),
        "Result Serialization Time": generator.randint(0, 3),
        "Memory Bytes Spilled": 0 if generator.random() < 0.9 else generator.randint(1, 400) * 1_048_576,
        "Disk Bytes Spilled": 0,
        "Shuffle Read Metrics": {
            "Remote Blocks Fetched": generator.randint(0, 40),
            "Local Blocks Fetched": generator.randint(0, 10),
            "Fetch Wait Time": generator.randint(0, 50),
            "Remote Bytes Read": shuffle_bytes // 2,
            "Remote Bytes Read To Disk": 0,
            "Local Bytes Read": shuffle_bytes // 4,
            "Total Records Read": records,
        },
        "Shuffle Write Metrics": {
            "Shuffle Bytes Written": shuffle_bytes,
            "Shuffle Write Time": generator.randint(100_000, 90_000_000),
            "Shuffle Records Written": records // 2,
        },
        "Input Metrics": {"Bytes Read": generator.randint(0, 128 * 1_048_576), "Records Read": records},
        "Output Metrics": {"Bytes Written": 0, "Records Written": 0},
        "Updated Blocks": [],
    }
