"""Compute that runs without a cluster of the workspace's: serverless job runs and notebooks, Delta Live
Tables pipeline updates, a model serving endpoint and an app, each billed as it runs.

Serverless job runs appear where Databricks shows them, in the jobs and job runs APIs (with no cluster);
pipeline updates leave a `deltaPipelines` audit event. Serverless usage carries a budget policy. The
activity draws from its own random stream, so the rest of the sample workspace stays as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace.audit_log import deterministic_uuid
from overwatch.sample_workspace.billing import HOUR_MS, UNPRICED_SKU, BillWriter, Usage, WorkspaceBill, dbus
from overwatch.sample_workspace.catalog import NODE_TYPES_BY_CLOUD
from overwatch.sample_workspace.identifiers import hex_id, numeric_id

if TYPE_CHECKING:
    from overwatch.sample_workspace.api_store import ApiStore
    from overwatch.sample_workspace.audit_log import AuditLogWriter
    from overwatch.sample_workspace.workspace import WorkspaceIdentity
    from overwatch.sample_workspace.workspace_objects import User

MINUTE_MS = 60_000
DAY_MS = 24 * HOUR_MS
SERVERLESS_JOB_RUN_HOURS = (6, 18)
DLT_WORKERS = 2
# Metered usage is priced hour by hour by `WorkspaceBill.metered`; the template carries no quantity.
NOTHING_YET = Decimal(0)


@dataclass(frozen=True)
class BudgetPolicy:
    policy_id: str
    name: str

    @property
    def tags(self) -> dict[str, str]:
        return {"budget_policy": self.name}


@dataclass(frozen=True)
class Pipeline:
    pipeline_id: str
    name: str
    edition: str  # CORE or ADVANCED
    photon: bool
    node_type_id: str
    owner: str


class ServerlessActivity:
    def __init__(
        self,
        identity: WorkspaceIdentity,
        seed: int,
        users: list[User],
        store: ApiStore,
        audit: AuditLogWriter,
        bill: WorkspaceBill | None,
        start_ms: int,
    ) -> None:
        self.random = random.Random(f"serverless-{seed}-{identity.organization_id}")
        self.cloud = identity.cloud
        self.store, self.audit, self.bill = store, audit, bill
        self.users = users
        self.admin = users[0]
        self.policies = [
            BudgetPolicy(deterministic_uuid(self.random), name) for name in ("analytics-budget", "ml-budget")
        ]
        self.job = self._serverless_job(start_ms)
        nodes = NODE_TYPES_BY_CLOUD[self.cloud]
        self.pipelines = [
            Pipeline(
                deterministic_uuid(self.random),
                "orders-bronze-to-silver",
                "CORE",
                False,
                nodes[0].node_type_id,
                self.admin.email,
            ),
            Pipeline(
                deterministic_uuid(self.random),
                "customer-360",
                "ADVANCED",
                True,
                nodes[-1].node_type_id,
                users[-1].email,
            ),
        ]
        self.endpoint = {"name": "churn-model", "id": hex_id(self.random, 32)}
        self.app = {"name": "sales-dashboard-app", "id": deterministic_uuid(self.random)}
        self.job_run_count = 0
        self.pipeline_update_count = 0

    # --- setup -----------------------------------------------------------------------------------------

    def _serverless_job(self, start_ms: int) -> dict[str, Any]:
        owner = self.users[1 % len(self.users)]
        policy = self.policies[1]
        settings = {
            "name": "nightly-feature-refresh-serverless",
            "tasks": [
                {
                    "task_key": "refresh",
                    "notebook_task": {
                        "notebook_path": f"/Repos/{owner.email}/features/refresh",
                        "source": "WORKSPACE",
                    },
                    "environment_key": "default",
                    "timeout_seconds": 0,
                }
            ],
            "environments": [{"environment_key": "default", "spec": {"client": "1"}}],
            "budget_policy_id": policy.policy_id,
            "tags": {"cost_center": "cc-300"},
            "timeout_seconds": 0,
            "max_concurrent_runs": 1,
            "schedule": {
                "quartz_cron_expression": "0 0 6,18 * * ?",
                "timezone_id": "UTC",
                "pause_status": "UNPAUSED",
            },
            "format": "MULTI_TASK",
        }
        return {
            "job_id": numeric_id(self.random, 15),
            "creator_user_name": owner.email,
            "run_as_user_name": owner.email,
            "run_as_owner": True,
            "settings": settings,
            "created_time": start_ms - 30 * DAY_MS,
        }

    def store_objects(self) -> None:
        self.store.add_job(self.job, None)

    # --- a day ------------------------------------------------------------------------------------------

    def simulate_day(self, day_start_ms: int, horizon_ms: int) -> None:
        for hour in SERVERLESS_JOB_RUN_HOURS:
            start_ms = day_start_ms + hour * HOUR_MS + self.random.randint(0, 300) * 1000
            end_ms = start_ms + self.random.randint(8, 45) * MINUTE_MS
            if end_ms < horizon_ms:
                self._serverless_job_run(start_ms, end_ms)
        for index, pipeline in enumerate(self.pipelines):
            start_ms = day_start_ms + (2 + index) * HOUR_MS + self.random.randint(0, 40) * MINUTE_MS
            self._pipeline_update(pipeline, start_ms, start_ms + self.random.randint(20, 70) * MINUTE_MS)
        self._serving(day_start_ms)
        self._app(day_start_ms)

    def _serverless_job_run(self, start_ms: int, end_ms: int) -> None:
        run_id, task_run_id = numeric_id(self.random, 15), numeric_id(self.random, 15)
        settings = self.job["settings"]
        task = settings["tasks"][0]
        task_run = {
            "run_id": task_run_id,
            "task_key": task["task_key"],
            "notebook_task": task["notebook_task"],
            "environment_key": task["environment_key"],
            "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": "",
                      "user_cancelled_or_timedout": False},
            "start_time": start_ms,
            "setup_duration": 0,
            "execution_duration": end_ms - start_ms,
            "cleanup_duration": 0,
            "end_time": end_ms,
            "attempt_number": 0,
        }  # fmt: skip
        run = {
            "job_id": self.job["job_id"],
            "run_id": run_id,
            "number_in_job": run_id,
            "creator_user_name": self.job["creator_user_name"],
            "original_attempt_run_id": run_id,
            "state": dict(task_run["state"]),
            "tasks": [task_run],
            "start_time": start_ms,
            "setup_duration": 0,
            "execution_duration": 0,
            "cleanup_duration": 0,
            "end_time": end_ms,
            "run_duration": end_ms - start_ms,
            "trigger": "PERIODIC",
            "run_name": settings["name"],
            "run_type": "JOB_RUN",
            "format": "MULTI_TASK",
            "attempt_number": 0,
            "schedule": settings["schedule"],
        }
        self.store.add_job_run(run)
        self.job_run_count += 1
        policy = self.policies[1]
        metadata = {
            "job_id": str(self.job["job_id"]),
            "job_run_id": str(run_id),
            "job_name": settings["name"],
            "budget_policy_id": policy.policy_id,
        }
        self._meter(
            Usage(
                "JOBS_SERVERLESS_COMPUTE",
                start_ms,
                end_ms,
                NOTHING_YET,
                "JOBS",
                metadata,
                {"run_as": self.job["run_as_user_name"]},
                settings["tags"] | policy.tags,
                {
                    "jobs_tier": "PREMIUM",
                    "is_serverless": True,
                    "is_photon": True,
                    "performance_target": "STANDARD",
                },
            ),
            self.random.randint(20, 80) / 10,
        )

    def notebook_session(self, notebook: dict[str, Any], owner: User, start_ms: int, end_ms: int) -> None:
        """Serverless notebook compute while `owner` works in `notebook` (at its current path)."""
        policy = self.policies[0]
        metadata = {
            "notebook_id": notebook["id"],
            "notebook_path": notebook["path"],
            "budget_policy_id": policy.policy_id,
        }
        usage = Usage(
            "ALL_PURPOSE_SERVERLESS_COMPUTE",
            start_ms,
            end_ms,
            NOTHING_YET,
            "INTERACTIVE",
            metadata,
            {"run_as": owner.email},
            policy.tags,
            {"is_serverless": True, "is_photon": True},
        )
        self._meter(usage, self.random.randint(10, 40) / 10)

    def _pipeline_update(self, pipeline: Pipeline, start_ms: int, end_ms: int) -> None:
        update_id = deterministic_uuid(self.random)
        params = {"pipeline_id": pipeline.pipeline_id, "update_id": update_id, "full_refresh": "false"}
        self.audit.emit(start_ms, "deltaPipelines", "startUpdate", pipeline.owner, params)
        self.pipeline_update_count += 1
        node = next(
            node for node in NODE_TYPES_BY_CLOUD[self.cloud] if node.node_type_id == pipeline.node_type_id
        )
        dbus_per_hour = node.dbus_per_hour * (1 + DLT_WORKERS) * (2.9 if pipeline.photon else 1)
        product = f"DLT_{pipeline.edition}_COMPUTE" + ("_(PHOTON)" if pipeline.photon else "")
        metadata = {
            "dlt_pipeline_id": pipeline.pipeline_id,
            "dlt_update_id": update_id,
            "node_type": node.node_type_id,
        }
        usage = Usage(
            product,
            start_ms,
            end_ms,
            NOTHING_YET,
            "DLT",
            metadata,
            {"run_as": pipeline.owner},
            {"pipeline": pipeline.name},
            {"dlt_tier": pipeline.edition, "is_serverless": False, "is_photon": pipeline.photon},
        )
        self._meter(usage, dbus_per_hour)

    def _serving(self, day_start_ms: int) -> None:
        """The endpoint serves around the clock; its provisioned concurrency changes from day to day."""
        policy = self.policies[1]
        metadata = {
            "endpoint_name": self.endpoint["name"],
            "endpoint_id": self.endpoint["id"],
            "budget_policy_id": policy.policy_id,
        }
        usage = Usage(
            "SERVERLESS_REAL_TIME_INFERENCE",
            day_start_ms,
            day_start_ms + DAY_MS,
            NOTHING_YET,
            "MODEL_SERVING",
            metadata,
            {"created_by": self.admin.email},
            {"project": "churn"} | policy.tags,
            {"is_serverless": True, "serving_type": "MODEL"},
        )
        self._meter(usage, self.random.randint(5, 30) / 10)

    def _app(self, day_start_ms: int) -> None:
        metadata = {"app_id": self.app["id"], "app_name": self.app["name"]}
        usage = Usage(
            UNPRICED_SKU,
            day_start_ms + 8 * HOUR_MS,
            day_start_ms + 18 * HOUR_MS,
            NOTHING_YET,
            "APPS",
            metadata,
            {"created_by": self.admin.email},
            {},
            {"is_serverless": True},
        )
        self._meter(usage, 0.5)

    def _meter(self, usage: Usage, dbus_per_hour: float) -> None:
        if self.bill is not None:
            self.bill.metered(usage, dbus_per_hour)


def bill_account_usage(bill: BillWriter, cloud: str, seed: int, start: date, days: int) -> None:
    """What the account pays outside the observed workspaces: usage of no workspace (networking), and
    a workspace of the account this deployment does not observe (its warehouse queries)."""
    generator = random.Random(f"account-usage-{seed}")
    unobserved_workspace = str(numeric_id(generator, 16))
    warehouse_id = hex_id(generator)
    for day in range(days):
        day_start_ms = _day_start_ms(start + timedelta(days=day))
        networking = Usage(
            "PUBLIC_CONNECTIVITY_DATA_PROCESSED",
            day_start_ms,
            day_start_ms + HOUR_MS,
            NOTHING_YET,
            "NETWORKING",
            {},
            usage_unit="GIGABYTE",
            usage_type="NETWORK_BYTE",
        )
        networking.quantity = dbus(generator.randint(1000, 90000) / 1000)
        bill.write(None, cloud, networking)
        queries_start = day_start_ms + 9 * HOUR_MS
        serverless_sql = Usage(
            "SERVERLESS_SQL_COMPUTE",
            queries_start,
            queries_start + 3 * HOUR_MS,
            NOTHING_YET,
            "SQL",
            {"warehouse_id": warehouse_id},
            product_features={"sql_tier": "PRO", "is_serverless": True, "is_photon": True},
        )
        bill.workspace(unobserved_workspace, cloud).metered(serverless_sql, 12)


def _day_start_ms(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp() * 1000)
