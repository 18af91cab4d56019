"""One workspace over the generated period, simulated day by day.

Only the all-purpose fleet, the job definitions and the shared objects stay in memory; a job cluster
lives for one run and is written out when the run ends, so memory does not grow with the period.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from overwatch.sample_workspace import interactive_clusters, jobs
from overwatch.sample_workspace.accounts import AccountActivity, store_global_init_scripts, store_tokens
from overwatch.sample_workspace.api_store import ApiStore
from overwatch.sample_workspace.audit_log import AuditIdentity, AuditLogWriter
from overwatch.sample_workspace.billing import BillWriter
from overwatch.sample_workspace.catalog import REGIONS_BY_CLOUD, TEAMS, SizePreset
from overwatch.sample_workspace.clusters import MINUTE_MS, WorkspaceOutputs
from overwatch.sample_workspace.ledger import LedgerWriter
from overwatch.sample_workspace.lost_termination_case import LostTermination, LostTerminationCase
from overwatch.sample_workspace.notebooks import NotebookActivity
from overwatch.sample_workspace.savings_cases import SavingsCases
from overwatch.sample_workspace.serverless import ServerlessActivity
from overwatch.sample_workspace.spark_event_logs import SparkEventLogWriter
from overwatch.sample_workspace.sql_warehouses import WarehouseActivity, WarehouseRun, next_size
from overwatch.sample_workspace.workspace_objects import (
    User,
    make_instance_pool,
    make_instance_profile,
    make_policy,
    make_sql_warehouse,
    make_users,
)

DAY_MS = 24 * 60 * MINUTE_MS
HOUR_MS = 60 * MINUTE_MS
WAREHOUSE_SIZES = ("2X-Small", "Small", "Medium")
RESIZED_WAREHOUSE = "bi-dashboards"


@dataclass(frozen=True)
class WorkspaceIdentity:
    organization_id: str
    workspace_name: str
    cloud: str
    account_id: str


@dataclass
class WorkspaceSummary:
    """What was generated for one workspace; written to the manifest."""

    organization_id: str
    workspace_name: str
    cloud: str
    deployment_host: str
    audit_events: int = 0
    audit_duplicate_lines: int = 0
    audit_files: int = 0
    cluster_events: int = 0
    clusters: int = 0
    interactive_clusters: int = 0
    job_clusters: int = 0
    clusters_predating_audit_logs: int = 0
    permanently_deleted_clusters: int = 0
    active_clusters_per_day: list[int] = field(default_factory=list)
    jobs: int = 0
    job_runs: int = 0
    instance_pools: int = 0
    sql_warehouses: int = 0
    warehouse_events: int = 0
    sql_queries: int = 0
    cluster_policies: int = 0
    instance_profiles: int = 0
    users: int = 0
    notebooks_created: int = 0
    failed_logins: int = 0
    tokens: int = 0
    global_init_scripts: int = 0
    ledger_intervals: int = 0
    spark_event_log_files: int = 0
    spark_events: int = 0
    serverless_job_runs: int = 0
    dlt_pipeline_updates: int = 0
    # The job cluster planted with a lost TERMINATING event (lost_termination_case), if the period has room.
    lost_termination: LostTermination | None = None


class WorkspaceSimulation:
    def __init__(
        self,
        output_dir: Path,
        identity: WorkspaceIdentity,
        preset: SizePreset,
        seed: int,
        start: date,
        days: int,
        ledger: LedgerWriter,
        bill: BillWriter | None = None,
    ) -> None:
        self.identity = identity
        self.organization_id = identity.organization_id
        self.cloud = identity.cloud
        self.preset = preset
        self.days = days
        self.start = start
        self.start_ms = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() * 1000)
        self.horizon_ms = self.start_ms + days * DAY_MS
        self.random = random.Random(f"workspace-{seed}-{identity.organization_id}")
        self.host = _deployment_host(identity)
        audit_identity = AuditIdentity(identity.organization_id, _shard_name(identity), identity.account_id)
        self.audit = AuditLogWriter(output_dir / "audit_logs", audit_identity, seed)
        store = ApiStore(output_dir / "api" / f"{identity.organization_id}.sqlite")
        self.outputs = WorkspaceOutputs(
            identity.organization_id, self.audit, store, ledger, self.random, self.horizon_ms, {}
        )
        self.outputs.spark_event_logs = SparkEventLogWriter(
            output_dir / "cluster_logs" / identity.organization_id, seed
        )
        self.ledger_rows_before = ledger.row_count
        self.users = make_users(self.random, preset.users)
        self.notebooks = NotebookActivity(self.audit, self.random)
        access_random = random.Random(f"accounts-{seed}-{identity.organization_id}")
        self.accounts = AccountActivity(self.audit, self.random, access_random, self.users, self.cloud)
        self.token_count = self.global_init_script_count = 0
        self.active_clusters_per_day = [0] * days
        self.job_run_count = 0
        self.pool_ids: list[str] = []
        self.policy_ids: list[str] = []
        self.pools: list[tuple[dict[str, Any], int, int | None]] = []
        self.warehouses: list[tuple[dict[str, Any], int]] = []
        self.warehouse_activity = WarehouseActivity(
            output_dir, identity.organization_id, identity.account_id, seed, store
        )
        self.outputs.bill = bill.workspace(identity.organization_id, identity.cloud) if bill else None
        self.serverless = ServerlessActivity(
            identity, seed, self.users, store, self.audit, self.outputs.bill, self.start_ms
        )
        self.savings_cases = SavingsCases(self, seed)
        self.lost_termination_case = LostTerminationCase(self, seed)

    # --- helpers used by the cluster and job modules -------------------------------------------------

    def day_start_ms(self, day: int) -> int:
        return self.start_ms + day * DAY_MS

    def team_of(self, user: User) -> str:
        return TEAMS[self.users.index(user) % len(TEAMS)]

    def count_active_cluster(self, day: int) -> None:
        self.active_clusters_per_day[day] += 1

    # --- the run -------------------------------------------------------------------------------------

    def run(self) -> WorkspaceSummary:
        self._create_shared_objects()
        fleet = interactive_clusters.plan_fleet(self)
        interactive_clusters.create_predating_clusters(self, fleet)
        job_plans = jobs.plan_jobs(self)
        jobs.create_predating_jobs(self, job_plans)
        for day in range(self.days):
            self.audit.close_dates_before(self.start + timedelta(days=day))
            self._simulate_day(day, fleet, job_plans)
        return self._finish(fleet, job_plans)

    def _simulate_day(self, day: int, fleet: list, job_plans: list) -> None:
        self._account_activity(day)
        self._shared_object_activity(day)
        self._notebook_housekeeping(day)
        for plan in fleet:
            interactive_clusters.simulate_day(self, plan, day)
        for job_plan in job_plans:
            jobs.simulate_day(self, job_plan, day)
        jobs.run_submitted(self, day)
        self.serverless.simulate_day(self.day_start_ms(day), self.horizon_ms)
        self.savings_cases.simulate_day(day)
        self.lost_termination_case.simulate_day(day)

    def _finish(self, fleet: list, job_plans: list) -> WorkspaceSummary:
        for plan in fleet:
            if plan.cluster is not None and plan.cluster.deleted_time_ms is None:
                plan.cluster.finish(self.horizon_ms)
        jobs.store_jobs(self, job_plans)
        self.savings_cases.finish()
        self.lost_termination_case.finish()
        self.serverless.store_objects()
        for pool, created_ms, deleted_ms in self.pools:
            self.outputs.store.add_instance_pool(pool, created_ms, deleted_ms)
        for warehouse, created_ms in self.warehouses:
            self.outputs.store.add_sql_warehouse(warehouse, created_ms, None)
        self._store_metadata()
        self.warehouse_activity.close()
        self.audit.close()
        self.outputs.store.close()
        self.outputs.spark_event_logs.close()
        return self._summary(fleet, job_plans)

    def _summary(self, fleet: list, job_plans: list) -> WorkspaceSummary:
        created = [plan for plan in fleet if plan.cluster is not None]
        return WorkspaceSummary(
            organization_id=self.organization_id,
            workspace_name=self.identity.workspace_name,
            cloud=self.cloud,
            deployment_host=self.host,
            audit_events=self.audit.event_count,
            audit_duplicate_lines=self.audit.duplicate_count,
            audit_files=self.audit.file_count,
            cluster_events=self.outputs.store.event_count,
            clusters=len(created) + self.savings_cases.cluster_count + self.job_run_count,
            interactive_clusters=len(created) + self.savings_cases.cluster_count,
            job_clusters=self.job_run_count,
            clusters_predating_audit_logs=sum(plan.create_day is None for plan in fleet),
            permanently_deleted_clusters=sum(
                plan.cluster is not None and plan.cluster.deleted_time_ms is not None for plan in fleet
            ),
            active_clusters_per_day=self.active_clusters_per_day,
            jobs=sum(bool(plan.job["created_time"]) for plan in job_plans) + self.savings_cases.job_count,
            job_runs=self.job_run_count,
            instance_pools=len(self.pools),
            sql_warehouses=len(self.warehouses) + self.savings_cases.warehouse_count,
            warehouse_events=self.warehouse_activity.event_count,
            sql_queries=self.warehouse_activity.query_count,
            cluster_policies=len(self.policy_ids),
            instance_profiles=1 if self.cloud == "aws" else 0,
            users=len(self.users),
            notebooks_created=self.notebooks.created_count,
            failed_logins=self.accounts.failed_logins,
            tokens=self.token_count,
            global_init_scripts=self.global_init_script_count,
            ledger_intervals=self.outputs.ledger.row_count - self.ledger_rows_before,
            spark_event_log_files=self.outputs.spark_event_logs.file_count,
            spark_events=self.outputs.spark_event_logs.event_count,
            serverless_job_runs=self.serverless.job_run_count,
            dlt_pipeline_updates=self.serverless.pipeline_update_count,
            lost_termination=self.lost_termination_case.planted,
        )

    def _store_metadata(self) -> None:
        store = self.outputs.store
        for key, value in (
            ("organization_id", self.organization_id),
            ("workspace_name", self.identity.workspace_name),
            ("cloud", self.cloud),
            ("deployment_host", self.host),
            ("start_ms", str(self.start_ms)),
            ("end_ms", str(self.horizon_ms)),
        ):
            store.set_metadata(key, value)

    # --- shared objects ------------------------------------------------------------------------------

    def _create_shared_objects(self) -> None:
        """Policies, profiles, pools and warehouses that predate the period (no audit events)."""
        admin = self.users[0]
        long_ago = self.start_ms - 90 * DAY_MS
        store, access_random = self.outputs.store, self.accounts.random
        self.token_count = store_tokens(store, access_random, self.users, self.start_ms, self.horizon_ms)
        self.global_init_script_count = store_global_init_scripts(store, access_random, admin, self.start_ms)
        for index, name in enumerate(("Personal Compute", "Team Shared Compute")):
            policy = make_policy(self.random, name, admin.email, long_ago + index * HOUR_MS, 10 + index * 10)
            self.outputs.store.add_cluster_policy(policy)
            self.policy_ids.append(policy["policy_id"])
        if self.cloud == "aws":
            self.outputs.store.add_instance_profile(
                make_instance_profile(self.organization_id, "data-lake-access")
            )
        for index in range(self.preset.instance_pools):
            pool = make_instance_pool(self.random, self.cloud, f"pool-{index}", admin, long_ago, index)
            self.pools.append((pool, long_ago, None))
            self.pool_ids.append(pool["instance_pool_id"])
            self.outputs.pool_node_types[pool["instance_pool_id"]] = pool["node_type_id"]
        for index in range(self.preset.sql_warehouses):
            size = WAREHOUSE_SIZES[index % len(WAREHOUSE_SIZES)]
            warehouse = make_sql_warehouse(self.random, self.host, f"warehouse-{index}", admin, size)
            if index % 2 == 1:
                warehouse["warehouse_type"] = "CLASSIC"
            self.warehouses.append((warehouse, long_ago))

    def _shared_object_activity(self, day: int) -> None:
        admin = self.users[0]
        day_start = self.day_start_ms(day)
        if day == 0:
            self._pool_lifecycle(admin, day_start)
            self._new_warehouse(admin, day_start + 8 * HOUR_MS)
            self._short_lived_warehouse(admin, day_start + 12 * HOUR_MS)
        for index, (warehouse, _) in enumerate(self.warehouses):
            started = day_start + 8 * HOUR_MS + index * 7 * MINUTE_MS + self.random.randint(1, 50) * MINUTE_MS
            stopped = started + self.random.randint(2, 9) * HOUR_MS
            self.audit.emit(started, "databrickssql", "startEndpoint", admin.email, {"id": warehouse["id"]})
            self.audit.emit(stopped, "databrickssql", "stopEndpoint", admin.email, {"id": warehouse["id"]})
            # A warehouse whose create is in the audit logs, so its size before the resize is known.
            size_before, resized_at = warehouse["cluster_size"], None
            if warehouse["name"] == RESIZED_WAREHOUSE and day == self.days // 2:
                resized_at = (started + stopped) // 2
                self._resize_warehouse(admin, warehouse, resized_at)
            events = self.warehouse_activity.simulate_run(
                WarehouseRun(warehouse, started, stopped), self.users
            )
            if self.outputs.bill is not None:
                self.outputs.bill.warehouse_run(warehouse, events, size_before, resized_at)
        if day == self.days - 1 and self.warehouses:
            warehouse = self.warehouses[0][0]
            warehouse["auto_stop_mins"] = 45
            params = {"id": warehouse["id"], "auto_stop_mins": 45, "cluster_size": warehouse["cluster_size"]}
            self.audit.emit(day_start + 18 * HOUR_MS, "databrickssql", "editEndpoint", admin.email, params)

    def _pool_lifecycle(self, admin: User, day_start: int) -> None:
        """A pool created, edited and deleted on the first day; the first existing pool edited."""
        created = day_start + 9 * HOUR_MS
        pool = make_instance_pool(self.random, self.cloud, "scratch-pool", admin, created, 2)
        params = {
            key: pool[key]
            for key in ("instance_pool_name", "node_type_id", "min_idle_instances", "max_capacity")
        }
        result = json.dumps({"instance_pool_id": pool["instance_pool_id"]})
        self.audit.emit(created, "instancePools", "create", admin.email, params, result=result)
        edit_params = {"instance_pool_id": pool["instance_pool_id"], **params, "max_capacity": 20}
        self.audit.emit(created + HOUR_MS, "instancePools", "edit", admin.email, edit_params)
        deleted = created + 3 * HOUR_MS
        self.audit.emit(
            deleted, "instancePools", "delete", admin.email, {"instance_pool_id": pool["instance_pool_id"]}
        )
        self.pools.append((pool, created, deleted))
        if self.pools:
            existing = self.pools[0][0]
            existing["idle_instance_autotermination_minutes"] = 20
            edit = {
                "instance_pool_id": existing["instance_pool_id"],
                "idle_instance_autotermination_minutes": 20,
            }
            self.audit.emit(created + 2 * HOUR_MS, "instancePools", "edit", admin.email, edit)

    def _new_warehouse(self, admin: User, at_ms: int) -> None:
        warehouse = make_sql_warehouse(self.random, self.host, RESIZED_WAREHOUSE, admin, "Small")
        warehouse["enable_serverless_compute"] = True
        params = {
            key: warehouse[key] for key in ("name", "cluster_size", "min_num_clusters", "max_num_clusters")
        }
        params["auto_stop_mins"] = warehouse["auto_stop_mins"]
        params["enable_serverless_compute"] = True
        result = json.dumps({"id": warehouse["id"]})
        self.audit.emit(at_ms, "databrickssql", "createEndpoint", admin.email, params, result=result)
        self.warehouses.append((warehouse, at_ms))

    def _resize_warehouse(self, admin: User, warehouse: dict[str, Any], at_ms: int) -> None:
        """A running warehouse edited to the next size up: its DBU rate changes from here on."""
        warehouse["cluster_size"] = next_size(warehouse["cluster_size"])
        params = {key: warehouse[key] for key in ("id", "name", "cluster_size", "auto_stop_mins")}
        self.audit.emit(at_ms, "databrickssql", "editWarehouse", admin.email, params)

    def _short_lived_warehouse(self, admin: User, at_ms: int) -> None:
        """A serverless warehouse created and deleted the same day, never started."""
        activity_random = self.warehouse_activity.random
        warehouse = make_sql_warehouse(activity_random, self.host, "ad-hoc-serverless", admin, "X-Small")
        warehouse["enable_serverless_compute"] = True
        warehouse["tags"] = {"custom_tags": [{"key": "team", "value": "analytics"}]}
        params = {
            key: warehouse[key]
            for key in ("name", "cluster_size", "min_num_clusters", "max_num_clusters", "auto_stop_mins")
        }
        params |= {"enable_serverless_compute": True, "warehouse_type": "PRO", "tags": warehouse["tags"]}
        result = json.dumps({"id": warehouse["id"]})
        self.audit.emit(at_ms, "databrickssql", "createWarehouse", admin.email, params, result=result)
        deleted_ms = at_ms + 2 * HOUR_MS
        self.audit.emit(deleted_ms, "databrickssql", "deleteWarehouse", admin.email, {"id": warehouse["id"]})
        self.outputs.store.add_sql_warehouse(warehouse, at_ms, deleted_ms)

    # --- people --------------------------------------------------------------------------------------

    def _account_activity(self, day: int) -> None:
        self.accounts.simulate_day(day, self.day_start_ms(day))

    def _notebook_housekeeping(self, day: int) -> None:
        owner = self.users[day % len(self.users)]
        at_ms = self.day_start_ms(day) + 11 * HOUR_MS
        notebook = self.notebooks.create(at_ms, owner)
        self.notebooks.rename(at_ms + 20 * MINUTE_MS, owner, notebook, f"analysis-day-{day}")
        # The owner works in it on serverless compute, before and after moving it.
        self.serverless.notebook_session(notebook, owner, at_ms + 25 * MINUTE_MS, at_ms + HOUR_MS)
        self.notebooks.move(at_ms + HOUR_MS, owner, notebook, f"/Shared/{self.team_of(owner)}")
        self.serverless.notebook_session(notebook, owner, at_ms + HOUR_MS, at_ms + 100 * MINUTE_MS)
        if day % 2 == 1:
            self.notebooks.delete(at_ms + 2 * HOUR_MS, owner, notebook)


def _deployment_host(identity: WorkspaceIdentity) -> str:
    if identity.cloud == "azure":
        return f"adb-{identity.organization_id}.7.azuredatabricks.net"
    if identity.cloud == "gcp":
        return f"{identity.organization_id}.1.gcp.databricks.com"
    return f"{identity.workspace_name}.cloud.databricks.com"


def _shard_name(identity: WorkspaceIdentity) -> str:
    return f"{identity.cloud}-{REGIONS_BY_CLOUD[identity.cloud]}-shard"
