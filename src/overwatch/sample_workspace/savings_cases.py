"""Cases planted for the savings models: what `savings_opportunity` must find in every sample workspace.

- an all-purpose cluster created on the first morning with auto-termination off and left running idle
  to the end of the period (idle all-purpose cluster, no auto-termination);
- a shared all-purpose cluster with a four-hour auto-termination, started every morning for a
  scheduled job whose one task runs on it, then left to auto-terminate (a scheduled job on an
  all-purpose cluster, and a long auto-termination's idle tail).

Job clusters with event logs already keep few of their worker cores busy, and the SQL warehouses
already idle most of their running time, so those cases need nothing planted. The cases draw from
their own random stream, so the rest of the workspace is the same with or without them.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace import jobs
from overwatch.sample_workspace.audit_log import SDK_USER_AGENT
from overwatch.sample_workspace.catalog import NODE_TYPES_BY_CLOUD, STANDARD_SPARK_VERSIONS
from overwatch.sample_workspace.clusters import MINUTE_MS, SimulatedCluster
from overwatch.sample_workspace.identifiers import cluster_id, numeric_id
from overwatch.sample_workspace.workspace_objects import cloud_attributes

if TYPE_CHECKING:
    from overwatch.sample_workspace.workspace import WorkspaceSimulation

HOUR_MS = 60 * MINUTE_MS
SHARED_CLUSTER_AUTO_TERMINATION_MINUTES = 240
# Room left before the period ends for a morning's run and its cluster's auto-termination.
SHARED_CLUSTER_DAY_MS = 6 * HOUR_MS


class SavingsCases:
    def __init__(self, simulation: WorkspaceSimulation, seed: int) -> None:
        self.simulation = simulation
        self.random = random.Random(f"savings-{seed}-{simulation.organization_id}")
        self.outputs = dataclasses.replace(simulation.outputs, random=self.random)
        self.owner = simulation.users[1 % len(simulation.users)]
        self.idle_cluster: SimulatedCluster | None = None
        self.shared_cluster: SimulatedCluster | None = None
        self.scheduled_job: dict[str, Any] | None = None

    @property
    def cluster_count(self) -> int:
        return sum(cluster is not None for cluster in (self.idle_cluster, self.shared_cluster))

    @property
    def job_count(self) -> int:
        return int(self.scheduled_job is not None)

    def simulate_day(self, day: int) -> None:
        day_start = self.simulation.day_start_ms(day)
        if day == 0:
            self.idle_cluster = self._cluster("idle-no-autotermination", 0, day_start + 6 * HOUR_MS)
            self.idle_cluster.create(day_start + 6 * HOUR_MS, self.owner.email)
        self.simulation.count_active_cluster(day)  # the idle cluster runs every day
        if day_start + 5 * HOUR_MS + SHARED_CLUSTER_DAY_MS < self.simulation.horizon_ms:
            self._shared_cluster_morning(day, day_start + 5 * HOUR_MS)

    def finish(self) -> None:
        for cluster in (self.idle_cluster, self.shared_cluster):
            if cluster is not None:
                cluster.finish(self.simulation.horizon_ms)
        if self.scheduled_job is not None:
            self.simulation.outputs.store.add_job(self.scheduled_job, None)

    def _shared_cluster_morning(self, day: int, start_ms: int) -> None:
        if self.shared_cluster is None:
            self.shared_cluster = self._cluster(
                "shared-etl", SHARED_CLUSTER_AUTO_TERMINATION_MINUTES, start_ms
            )
            running_ms = self.shared_cluster.create(start_ms, self.owner.email)
            self.scheduled_job = self._scheduled_job(self.shared_cluster, running_ms + MINUTE_MS)
        else:
            running_ms = self.shared_cluster.start(start_ms, self.owner.email)
        self.simulation.count_active_cluster(day)
        assert self.scheduled_job is not None
        run_start = running_ms + 10 * MINUTE_MS
        duration = self.random.randint(15, 40) * MINUTE_MS
        ended = jobs.run_scheduled_on_existing_cluster(
            self.simulation,
            self.scheduled_job,
            self.owner,
            self.shared_cluster,
            run_start,
            duration,
            self.random,
        )
        # Nobody stops it: the platform terminates it after its auto-termination of inactivity.
        self.shared_cluster.terminate(ended + SHARED_CLUSTER_AUTO_TERMINATION_MINUTES * MINUTE_MS)

    def _cluster(self, name: str, auto_termination_minutes: int, created_ms: int) -> SimulatedCluster:
        nodes = NODE_TYPES_BY_CLOUD[self.simulation.cloud]
        node_type = nodes[self.random.randrange(len(nodes))].node_type_id
        spec: dict[str, Any] = {
            "cluster_name": name,
            "spark_version": STANDARD_SPARK_VERSIONS[-1],
            "node_type_id": node_type,
            "driver_node_type_id": node_type,
            "num_workers": 2,
            "spark_conf": {},
            "custom_tags": {"team": self.simulation.team_of(self.owner)},
            **cloud_attributes(self.simulation.cloud),
            "autotermination_minutes": auto_termination_minutes,
            "enable_elastic_disk": True,
            "runtime_engine": "STANDARD",
            "data_security_mode": "USER_ISOLATION",
            "cluster_source": "UI",
        }
        identifier = cluster_id(self.random, created_ms)
        return SimulatedCluster(
            self.outputs, identifier, spec, self.owner.email, created_ms, lifetime_start_ms=created_ms
        )

    def _scheduled_job(self, cluster: SimulatedCluster, created_ms: int) -> dict[str, Any]:
        """A job scheduled every morning whose task runs on the shared all-purpose cluster."""
        notebook_path = f"/Repos/{self.owner.email}/pipelines/refresh"
        task = {
            "task_key": "refresh",
            "existing_cluster_id": cluster.cluster_id,
            "notebook_task": {"notebook_path": notebook_path, "source": "WORKSPACE"},
            "timeout_seconds": 0,
        }
        settings = {
            "name": "shared-etl-morning-refresh",
            "email_notifications": {},
            "timeout_seconds": 0,
            "max_concurrent_runs": 1,
            "schedule": {
                "quartz_cron_expression": "0 0 5 * * ?",
                "timezone_id": "UTC",
                "pause_status": "UNPAUSED",
            },
            "tasks": [task],
            "job_clusters": [],
            "format": "MULTI_TASK",
        }
        job = {
            "job_id": numeric_id(self.random, 15),
            "creator_user_name": self.owner.email,
            "run_as_user_name": self.owner.email,
            "run_as_owner": True,
            "settings": settings,
            "created_time": created_ms,
        }
        params = {key: value for key, value in settings.items() if key != "format"}
        self.simulation.audit.emit(
            created_ms,
            "jobs",
            "create",
            self.owner.email,
            params,
            result=json.dumps({"job_id": job["job_id"]}),
            user_agent=SDK_USER_AGENT,
        )
        return job
