"""A case planted for the cluster state model: a job cluster whose TERMINATING event is lost.

Once in the period a one-time run gets a job cluster that stops right after its last task, as every
job cluster does: the audit log has the platform's delete, the ledger and the bill end it there, but
its TERMINATING event never reaches the cluster events. `cluster_state_silver` imputes its end
at the last task's end (var `impute_lost_job_cluster_termination`). The cluster stops 100 ms after the
last task, inside the same clock hour, so the bill has no hour after it and the cost reconciliation
holds. The case draws from its own random stream, so the rest of the workspace is the same with or
without it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace import jobs
from overwatch.sample_workspace.clusters import MINUTE_MS, SimulatedCluster

if TYPE_CHECKING:
    from overwatch.sample_workspace.workspace import WorkspaceSimulation

HOUR_MS = 60 * MINUTE_MS
# The job's index picks its cluster spec (jobs._job_cluster_spec): fixed workers, no Spark event logs.
JOB_INDEX = 2002


class ClusterLosingItsTermination(SimulatedCluster):
    """Stops like any cluster (audit log, ledger, bill), but its TERMINATING event is never logged."""

    def _event(self, at_ms: int, event_type: str, details: dict[str, Any]) -> None:
        if event_type != "TERMINATING":
            super()._event(at_ms, event_type, details)


@dataclass(frozen=True)
class LostTermination:
    cluster_id: str
    last_task_end_ms: int
    stopped_ms: int


class LostTerminationCase:
    def __init__(self, simulation: WorkspaceSimulation, seed: int) -> None:
        self.simulation = simulation
        self.random = random.Random(f"lost-termination-{seed}-{simulation.organization_id}")
        self.cluster: SimulatedCluster | None = None
        self.planted: LostTermination | None = None

    def simulate_day(self, day: int) -> None:
        simulation = self.simulation
        start_ms = simulation.day_start_ms(day) + 15 * HOUR_MS + self.random.randint(0, 50) * MINUTE_MS
        if day != simulation.days // 2 or start_ms + jobs.LONGEST_RUN_MS >= simulation.horizon_ms:
            return
        owner = simulation.users[2 % len(simulation.users)]
        job = jobs._job(simulation, JOB_INDEX, owner, self.random)
        job["settings"]["name"] = "adhoc-export-lost-termination"
        self.cluster = jobs.run_job(
            simulation,
            job,
            owner,
            start_ms,
            "ONE_TIME",
            day,
            submitted=True,
            generator=self.random,
            cluster_class=ClusterLosingItsTermination,
            finish_cluster=False,
            stop_delay_seconds=(0, 0),
        )
        # terminate() stops the cluster 100 ms after it is asked to, here at the last task's end.
        stopped_ms = self.cluster.history["terminated_time"]
        self.planted = LostTermination(self.cluster.cluster_id, stopped_ms - 100, stopped_ms)

    def finish(self) -> None:
        if self.cluster is not None:
            self.cluster.finish(self.simulation.horizon_ms)
