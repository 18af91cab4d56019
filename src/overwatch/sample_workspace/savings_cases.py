"""Cases planted for the savings models: what `savings_opportunity` must find in every sample workspace.

- an all-purpose cluster created on the first morning with auto-termination off and left running idle
  to the end of the period (idle all-purpose cluster, no auto-termination);
- a shared all-purpose cluster with a four-hour auto-termination, started every morning for a
  scheduled job whose one task runs on it, then left to auto-terminate (a scheduled job on an
  all-purpose cluster, and a long auto-termination's idle tail);
- a SQL warehouse without auto-stop that scales up to four clusters under a morning's burst of queries
  and stays at four for hours after the last query, until someone stops it (a warehouse that does not
  scale down). Its events, queries and bill are written from the run planned here.

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
from overwatch.sample_workspace.workspace_objects import cloud_attributes, make_sql_warehouse

if TYPE_CHECKING:
    from overwatch.sample_workspace.workspace import WorkspaceSimulation

HOUR_MS = 60 * MINUTE_MS
SHARED_CLUSTER_AUTO_TERMINATION_MINUTES = 240
# Room left before the period ends for a morning's run and its cluster's auto-termination.
SHARED_CLUSTER_DAY_MS = 6 * HOUR_MS
SCALED_UP_WAREHOUSE = "bi-scaled-up"
SCALED_UP_WAREHOUSE_CLUSTERS = 4
# How long the warehouse takes queries after it starts, and stays scaled up after its last query.
SCALED_UP_WAREHOUSE_QUERY_HOURS = 2
SCALED_UP_WAREHOUSE_IDLE_HOURS = 5


class SavingsCases:
    def __init__(self, simulation: WorkspaceSimulation, seed: int) -> None:
        self.simulation = simulation
        self.random = random.Random(f"savings-{seed}-{simulation.organization_id}")
        # The warehouse case has a stream of its own, so the cluster cases are the same with or without it.
        self.warehouse_random = random.Random(f"savings-warehouse-{seed}-{simulation.organization_id}")
        self.outputs = dataclasses.replace(simulation.outputs, random=self.random)
        self.owner = simulation.users[1 % len(simulation.users)]
        self.idle_cluster: SimulatedCluster | None = None
        self.shared_cluster: SimulatedCluster | None = None
        self.scheduled_job: dict[str, Any] | None = None
        self.scaled_up_warehouse: dict[str, Any] | None = None

    @property
    def cluster_count(self) -> int:
        return sum(cluster is not None for cluster in (self.idle_cluster, self.shared_cluster))

    @property
    def job_count(self) -> int:
        return int(self.scheduled_job is not None)

    @property
    def warehouse_count(self) -> int:
        return int(self.scaled_up_warehouse is not None)

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
        # Written last, so the other warehouses' queries keep their positions (spark_ui_url ids).
        self._scaled_up_warehouse_run(self.simulation.day_start_ms(0) + 9 * HOUR_MS)
        if self.scaled_up_warehouse is not None:
            created_ms = self.simulation.start_ms - 30 * 24 * HOUR_MS
            self.simulation.outputs.store.add_sql_warehouse(self.scaled_up_warehouse, created_ms, None)

    def _scaled_up_warehouse_run(self, started_ms: int) -> None:
        """One run: a burst of queries scales the warehouse up cluster by cluster; it never scales down
        and, without auto-stop, runs on at four clusters until it is stopped hours after the last query."""
        simulation, generator = self.simulation, self.warehouse_random
        warehouse = make_sql_warehouse(generator, simulation.host, SCALED_UP_WAREHOUSE, self.owner, "Small")
        warehouse |= {"max_num_clusters": SCALED_UP_WAREHOUSE_CLUSTERS, "auto_stop_mins": 0}
        running_ms = started_ms + generator.randint(30, 150) * 1000
        queries_end_ms = running_ms + SCALED_UP_WAREHOUSE_QUERY_HOURS * HOUR_MS
        stopping_ms = queries_end_ms + SCALED_UP_WAREHOUSE_IDLE_HOURS * HOUR_MS
        if stopping_ms + HOUR_MS > simulation.horizon_ms:
            return
        events = [("STARTING", started_ms, 0), ("RUNNING", running_ms, 1)]
        events += [
            ("SCALED_UP", running_ms + clusters * 15 * MINUTE_MS, clusters)
            for clusters in range(2, SCALED_UP_WAREHOUSE_CLUSTERS + 1)
        ]
        events += [("STOPPING", stopping_ms, 0), ("STOPPED", stopping_ms + MINUTE_MS, 0)]
        # Queries start up to ten minutes before the burst ends, so each ends (at most about four
        # minutes later) before queries_end_ms.
        queries = (generator.randint(30, 60), running_ms, queries_end_ms - 10 * MINUTE_MS)
        activity = simulation.warehouse_activity
        activity.write_planned_run(warehouse, events, queries, simulation.users, generator)
        if simulation.outputs.bill is not None:
            simulation.outputs.bill.warehouse_run(warehouse, events, warehouse["cluster_size"], None)
        self.scaled_up_warehouse = warehouse

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
