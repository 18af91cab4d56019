"""One simulated cluster: its spec, its state, and everything it leaves behind.

Each operation writes the audit event a user (or the platform) causes, the cluster events the
clusters service logs, and closes the ledger interval the change ends, so the three outputs agree by
construction. Timestamps of one cluster's events strictly increase.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace.api_store import ApiStore
from overwatch.sample_workspace.audit_log import JOBS_USER_AGENT, SYSTEM_USER, AuditLogWriter
from overwatch.sample_workspace.catalog import ALL_NODE_TYPES
from overwatch.sample_workspace.ledger import ClusterCondition, LedgerWriter
from overwatch.sample_workspace.spark_event_logs import SparkEventLogWriter

if TYPE_CHECKING:
    from overwatch.sample_workspace.billing import WorkspaceBill

NODE_TYPES = ALL_NODE_TYPES
SIZE_FIELDS = ("num_workers", "autoscale")
SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS


@dataclass
class WorkspaceOutputs:
    """Where one workspace's simulation writes, and the end of the period it may write in."""

    organization_id: str
    audit: AuditLogWriter
    store: ApiStore
    ledger: LedgerWriter
    random: random.Random
    horizon_ms: int
    pool_node_types: dict[str, str]
    spark_event_logs: SparkEventLogWriter | None = None
    bill: WorkspaceBill | None = None


class SimulatedCluster:
    def __init__(
        self,
        outputs: WorkspaceOutputs,
        cluster_id: str,
        spec: dict[str, Any],
        creator: str,
        created_time_ms: int,
        lifetime_start_ms: int,
    ) -> None:
        self.outputs = outputs
        self.cluster_id = cluster_id
        self.spec = spec
        self.creator = creator
        self.created_time_ms = created_time_ms
        self.cluster_type = "job" if spec.get("cluster_source") == "JOB" else "interactive"
        self.state = "TERMINATED"
        self.last_event_ms = lifetime_start_ms
        self.interval_start_ms = lifetime_start_ms
        self.condition = self._condition(is_running=False, current=0, target=0)
        self.history: dict[str, Any] = {"last_state_loss_time": 0}
        self.deleted_time_ms: int | None = None

    # --- what the cluster is -------------------------------------------------------------------------

    @property
    def worker_node_type(self) -> str:
        pool_id = self.spec.get("instance_pool_id")
        return self.outputs.pool_node_types[pool_id] if pool_id else self.spec["node_type_id"]

    @property
    def driver_node_type(self) -> str:
        pool_id = self.spec.get("driver_instance_pool_id")
        if pool_id:
            return self.outputs.pool_node_types[pool_id]
        return self.spec.get("driver_node_type_id") or self.worker_node_type

    @property
    def is_autoscaling(self) -> bool:
        return "autoscale" in self.spec

    @property
    def requested_workers(self) -> int:
        return self.spec["autoscale"]["min_workers"] if self.is_autoscaling else self.spec["num_workers"]

    @property
    def is_running(self) -> bool:
        return self.condition.is_running

    @property
    def current_workers(self) -> int:
        return self.condition.current_num_workers

    def cluster_size(self) -> dict[str, Any]:
        return {field: self.spec[field] for field in SIZE_FIELDS if field in self.spec}

    def attributes(self) -> dict[str, Any]:
        return {key: value for key, value in self.spec.items() if key not in SIZE_FIELDS}

    # --- operations ----------------------------------------------------------------------------------

    def create(self, at_ms: int, user: str) -> int:
        """Returns when the cluster is running."""
        user_agent = JOBS_USER_AGENT if self.cluster_type == "job" else None
        self._audit(
            at_ms, "create", user, self.spec, result={"cluster_id": self.cluster_id}, agent=user_agent
        )
        details: dict[str, Any] = {"cluster_size": self.cluster_size()}
        if self.cluster_type == "job":
            details["job_run_name"] = self.spec["cluster_name"]
        else:
            details["user"] = user
        return self._launch(at_ms + 180, "CREATING", details)

    def start(self, at_ms: int, user: str) -> int:
        self._audit(at_ms, "start", user, {"cluster_id": self.cluster_id})
        return self._launch(at_ms + 150, "STARTING", {"user": user})

    def restart(self, at_ms: int, user: str) -> int:
        self._audit(at_ms, "restart", user, {"cluster_id": self.cluster_id})
        restarting_at = at_ms + 120
        self._event(restarting_at, "RESTARTING", {"user": user})
        self.history["last_restarted_time"] = restarting_at
        return self._become_running(restarting_at + self._random_ms(60, 150))

    def autoscale_to(self, at_ms: int, workers: int) -> int:
        return self._resize(at_ms, workers, {"cause": "AUTOSCALE"})

    def resize_by_user(self, at_ms: int, user: str, workers: int) -> int:
        self._audit(at_ms, "resize", user, {"cluster_id": self.cluster_id, "num_workers": workers})
        self.spec["num_workers"] = workers
        return self._resize(at_ms + 130, workers, {"cause": "USER_REQUEST", "user": user})

    def edit(self, at_ms: int, user: str, changes: dict[str, Any]) -> None:
        """Edits a terminated cluster: the new spec applies from the EDITED event on."""
        previous_attributes, previous_size = self.attributes(), self.cluster_size()
        for field in SIZE_FIELDS:
            if field in changes:
                self.spec.pop(field, None)
        self.spec.update(changes)
        self._audit(at_ms, "edit", user, {"cluster_id": self.cluster_id, **self.spec})
        details = {
            "previous_attributes": previous_attributes,
            "attributes": self.attributes(),
            "previous_cluster_size": previous_size,
            "cluster_size": self.cluster_size(),
            "user": user,
        }
        self._event(at_ms + 90, "EDITED", details)
        self._change(at_ms + 90)

    def pin(self, at_ms: int, user: str) -> None:
        self._audit(at_ms, "pin", user, {"cluster_id": self.cluster_id})
        self._event(at_ms + 60, "PINNED", {"user": user})
        self.history["pinned_by_user_name"] = user

    def change_acl(self, at_ms: int, user: str, target_user: str) -> None:
        params = {
            "shardName": self.outputs.audit.identity.shard_name,
            "aclPermissionSet": "Can Restart",
            "targetUserId": target_user,
            "resourceId": self.cluster_id,
        }
        self._audit(at_ms, "changeClusterAcl", user, params)

    def terminate(self, at_ms: int, user: str | None = None) -> int:
        """Terminates by a user, or (user None) by the platform: inactivity, or the end of a job run."""
        if user is not None:
            reason = {"code": "USER_REQUEST", "type": "SUCCESS", "parameters": {"username": user}}
        elif self.cluster_type == "job":
            reason = {"code": "JOB_FINISHED", "type": "SUCCESS"}
        else:
            minutes = str(self.spec["autotermination_minutes"])
            reason = {
                "code": "INACTIVITY",
                "type": "SUCCESS",
                "parameters": {"inactivity_duration_min": minutes},
            }
        self._audit(at_ms, "delete", user or SYSTEM_USER, {"cluster_id": self.cluster_id})
        terminating_at = at_ms + 100
        if self.outputs.spark_event_logs is not None:
            self.outputs.spark_event_logs.context_ended(self, terminating_at)
        self._event(terminating_at, "TERMINATING", {"reason": reason})
        self._change(terminating_at, is_running=False, current=0, target=0)
        self.state = "TERMINATED"
        self.history.update(terminated_time=terminating_at, termination_reason=reason)
        self.history.pop("driver", None)
        return terminating_at

    def permanently_delete(self, at_ms: int, user: str) -> None:
        self._audit(at_ms, "permanentDelete", user, {"cluster_id": self.cluster_id})
        self.deleted_time_ms = at_ms
        self.finish(at_ms)

    def finish(self, end_ms: int) -> None:
        """Closes the last ledger interval and stores the cluster as the API shows it at `end_ms`."""
        self._close_interval(end_ms)
        self.interval_start_ms = end_ms
        self.outputs.store.add_cluster(self.details(), self.created_time_ms, self.deleted_time_ms)
        if self.outputs.bill is not None:
            self.outputs.bill.cluster_finished(self)

    # --- the API's view ------------------------------------------------------------------------------

    def details(self) -> dict[str, Any]:
        """The cluster as clusters/get returns it (ClusterDetails)."""
        details: dict[str, Any] = {"cluster_id": self.cluster_id, "creator_user_name": self.creator}
        if "driver" in self.history:
            details["driver"] = self.history["driver"]
        if "spark_context_id" in self.history:
            details["spark_context_id"] = self.history["spark_context_id"]
        details["jdbc_port"] = 10000
        details.update(self.spec)
        details["node_type_id"] = self.worker_node_type
        details["driver_node_type_id"] = self.driver_node_type
        details.update(self._derived_details())
        return details

    def _derived_details(self) -> dict[str, Any]:
        worker, driver = NODE_TYPES[self.worker_node_type], NODE_TYPES[self.driver_node_type]
        workers = self.current_workers if self.is_running else self.requested_workers
        derived: dict[str, Any] = {
            "enable_local_disk_encryption": False,
            "instance_source": _instance_source(self.spec.get("instance_pool_id"), self.worker_node_type),
            "driver_instance_source": _instance_source(
                self.spec.get("driver_instance_pool_id"), self.driver_node_type
            ),
            "effective_spark_version": self.spec["spark_version"],
            "state": self.state,
            "state_message": "" if self.state == "RUNNING" else self._termination_message(),
            "start_time": self.created_time_ms,
            "cluster_memory_mb": driver.memory_mb + workers * worker.memory_mb,
            "cluster_cores": float(driver.num_cores + workers * worker.num_cores),
            "default_tags": self._default_tags(),
            "init_scripts_safe_mode": False,
            "disk_spec": {},
        }
        history_fields = (
            "terminated_time",
            "last_restarted_time",
            "last_activity_time",
            "pinned_by_user_name",
        )
        derived.update({key: self.history[key] for key in history_fields if key in self.history})
        derived["last_state_loss_time"] = self.history["last_state_loss_time"]
        if self.state == "TERMINATED" and "termination_reason" in self.history:
            derived["termination_reason"] = self.history["termination_reason"]
        return derived

    def _termination_message(self) -> str:
        reason = self.history.get("termination_reason", {})
        if reason.get("code") == "INACTIVITY":
            minutes = reason["parameters"]["inactivity_duration_min"]
            return f"Inactive cluster terminated (inactive for {minutes} minutes)."
        return "Job finished" if reason.get("code") == "JOB_FINISHED" else ""

    def _default_tags(self) -> dict[str, str]:
        tags = {
            "Vendor": "Databricks",
            "Creator": self.creator,
            "ClusterName": self.spec["cluster_name"],
            "ClusterId": self.cluster_id,
        }
        if self.cluster_type == "job":
            _, job_id, _, run_id = self.spec["cluster_name"].split("-")
            tags.update(JobId=job_id, RunName=f"run-{run_id}")
        return tags

    # --- internals -----------------------------------------------------------------------------------

    def _launch(self, at_ms: int, event_type: str, details: dict[str, Any]) -> int:
        self._event(at_ms, event_type, details)
        self._change(at_ms, is_running=True, current=0, target=self.requested_workers)
        self.state = "PENDING"
        return self._become_running(at_ms + self._random_ms(150, 420))

    def _become_running(self, at_ms: int) -> int:
        workers = self.condition.target_num_workers
        self._event(at_ms, "RUNNING", {"current_num_workers": workers, "target_num_workers": workers})
        self._change(at_ms, current=workers, target=workers)
        self.state = "RUNNING"
        generator = self.outputs.random
        self.history["spark_context_id"] = generator.getrandbits(62)
        self.history["last_state_loss_time"] = at_ms
        self.history["driver"] = {
            "private_ip": f"10.139.{generator.randrange(64, 128)}.{generator.randrange(2, 250)}",
            "node_id": f"{generator.getrandbits(128):032x}",
            "instance_id": f"{generator.getrandbits(128):032x}",
            "start_timestamp": at_ms,
            "host_private_ip": f"10.139.{generator.randrange(0, 64)}.{generator.randrange(2, 250)}",
        }
        if self.outputs.spark_event_logs is not None:
            self.outputs.spark_event_logs.context_started(self, at_ms)
        healthy_at = at_ms + self._random_ms(15, 60)
        self._event(healthy_at, "DRIVER_HEALTHY", {})
        return healthy_at

    def _resize(self, at_ms: int, workers: int, cause: dict[str, Any]) -> int:
        current = self.current_workers
        if workers > current:
            details = {"current_num_workers": current, "target_num_workers": workers, **cause}
            self._event(at_ms, "RESIZING", details)
            self._change(at_ms, target=workers)
            completed_at = at_ms + self._random_ms(60, 240)
            self._event(
                completed_at,
                "UPSIZE_COMPLETED",
                {"current_num_workers": workers, "target_num_workers": workers},
            )
            self._change(completed_at, current=workers)
            return completed_at
        self._event(
            at_ms, "RESIZING", {"current_num_workers": workers, "target_num_workers": workers, **cause}
        )
        self._change(at_ms, current=workers, target=workers)
        return at_ms

    def _event(self, at_ms: int, event_type: str, details: dict[str, Any]) -> None:
        if at_ms <= self.last_event_ms:
            raise ValueError(f"{self.cluster_id}: {event_type} at {at_ms} is not after {self.last_event_ms}")
        if at_ms >= self.outputs.horizon_ms:
            raise ValueError(f"{self.cluster_id}: {event_type} at {at_ms} is past the generated period")
        self.last_event_ms = at_ms
        if event_type in ("RUNNING", "RESIZING", "UPSIZE_COMPLETED"):
            self.history["last_activity_time"] = at_ms
        event = {"cluster_id": self.cluster_id, "timestamp": at_ms, "type": event_type, "details": details}
        self.outputs.store.add_cluster_event(event)

    def _change(self, at_ms: int, **changes: Any) -> None:
        is_running = changes.get("is_running", self.condition.is_running)
        current = changes.get("current", self.condition.current_num_workers)
        target = changes.get("target", self.condition.target_num_workers)
        updated = self._condition(is_running, current, target)
        if updated == self.condition:
            return
        self._close_interval(at_ms)
        self.interval_start_ms = at_ms
        self.condition = updated
        if self.outputs.spark_event_logs is not None:
            self.outputs.spark_event_logs.workers_changed(self, at_ms, updated.current_num_workers)

    def _close_interval(self, end_ms: int) -> None:
        """The interval since the last change ends: into the ledger, and billed as it ran."""
        start_ms, condition = self.interval_start_ms, self.condition
        self.outputs.ledger.write(self.outputs.organization_id, self.cluster_id, start_ms, end_ms, condition)
        if self.outputs.bill is not None:
            self.outputs.bill.cluster_interval(self, start_ms, end_ms, condition)

    def _condition(self, is_running: bool, current: int, target: int) -> ClusterCondition:
        spark_conf = self.spec.get("spark_conf") or {}
        return ClusterCondition(
            is_running=is_running,
            current_num_workers=current,
            target_num_workers=target,
            driver_node_type_id=self.driver_node_type,
            node_type_id=self.worker_node_type,
            is_photon=self.spec.get("runtime_engine") == "PHOTON",
            is_single_node=spark_conf.get("spark.databricks.cluster.profile") == "singleNode",
            cluster_type=self.cluster_type,
        )

    def _audit(
        self,
        at_ms: int,
        action: str,
        user: str,
        params: dict[str, Any],
        *,
        result: dict[str, Any] | None = None,
        agent: str | None = None,
    ) -> None:
        extra = {"user_agent": agent} if agent else {}
        self.outputs.audit.emit(
            at_ms,
            "clusters",
            action,
            user,
            params,
            result=json.dumps(result, separators=(",", ":")) if result else None,
            **extra,
        )

    def _random_ms(self, low_seconds: int, high_seconds: int) -> int:
        return self.outputs.random.randint(low_seconds * SECOND_MS, high_seconds * SECOND_MS)


def _instance_source(pool_id: str | None, node_type_id: str) -> dict[str, str]:
    return {"instance_pool_id": pool_id} if pool_id else {"node_type_id": node_type_id}
