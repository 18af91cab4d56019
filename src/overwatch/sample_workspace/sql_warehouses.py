"""SQL warehouse activity: each run of a warehouse as its state events and the queries it served.

State events are written as JSON lines in the columns of `system.compute.warehouse_events`, to
`warehouse_events/workspaceId=<organization_id>/warehouse_events.json`; queries go to the API store in
the final shape the query history API returns (`sql_queries` table), and the fake API derives what a
query looked like while it was still running.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from overwatch.sample_workspace.api_store import ApiStore
from overwatch.sample_workspace.audit_log import deterministic_uuid
from overwatch.sample_workspace.workspace_objects import User

WAREHOUSE_EVENTS_FOLDER = "warehouse_events"
SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS
# Warehouse sizes in the order a resize steps through them.
WAREHOUSE_SIZE_STEPS = ("2X-Small", "X-Small", "Small", "Medium", "Large", "X-Large")
CLIENT_APPLICATIONS = ("Databricks SQL Editor", "Tableau", "Power BI", "Databricks SQL Dashboard")
QUERY_TEMPLATES = (
    ("SELECT", "SELECT region, sum(amount) FROM sales.orders WHERE order_date >= current_date() - 7 "
               "GROUP BY region"),
    ("SELECT", "SELECT * FROM finance.invoices WHERE status = 'OPEN' LIMIT 1000"),
    ("SELECT", "SELECT customer_id, count(*) FROM web.sessions GROUP BY customer_id ORDER BY 2 DESC"),
    ("INSERT", "INSERT INTO reporting.daily_kpis SELECT current_date(), count(*) FROM sales.orders"),
    ("MERGE", "MERGE INTO crm.accounts t USING staging.accounts s ON t.id = s.id "
              "WHEN MATCHED THEN UPDATE SET *"),
    ("SHOW", "SHOW TABLES IN sales"),
)  # fmt: skip


@dataclass(frozen=True)
class WarehouseRun:
    """One start-to-stop run of a warehouse."""

    warehouse: dict[str, Any]
    started_ms: int
    stopped_ms: int


def next_size(size: str) -> str:
    """The next bigger warehouse size (the largest stays)."""
    position = WAREHOUSE_SIZE_STEPS.index(size) if size in WAREHOUSE_SIZE_STEPS else 0
    return WAREHOUSE_SIZE_STEPS[min(position + 1, len(WAREHOUSE_SIZE_STEPS) - 1)]


class WarehouseActivity:
    """Writes one workspace's warehouse events and queries; its own random stream keeps the rest of
    the sample workspace unchanged."""

    def __init__(
        self, output_dir: Path, organization_id: str, account_id: str, seed: int, store: ApiStore
    ) -> None:
        self.organization_id = organization_id
        self.account_id = account_id
        self.store = store
        self.random = random.Random(f"warehouses-{seed}-{organization_id}")
        folder = output_dir / WAREHOUSE_EVENTS_FOLDER / f"workspaceId={organization_id}"
        self.path = folder / "warehouse_events.json"
        self._file: IO[str] | None = None
        self.event_count = 0
        self.query_count = 0

    def simulate_run(self, run: WarehouseRun, users: list[User]) -> list[tuple[str, int, int]]:
        """Writes the run's events and queries; returns its events (type, time, clusters running)."""
        running_ms = run.started_ms + self.random.randint(30, 150) * SECOND_MS
        clusters_running = 1
        events = [("STARTING", run.started_ms, 0), ("RUNNING", running_ms, clusters_running)]
        if run.warehouse.get("max_num_clusters", 1) > 1 and self.random.random() < 0.6:
            scaled_up = running_ms + self.random.randint(20, 60) * MINUTE_MS
            scaled_down = scaled_up + self.random.randint(15, 90) * MINUTE_MS
            if scaled_down < run.stopped_ms - MINUTE_MS:
                events += [("SCALED_UP", scaled_up, 2), ("SCALED_DOWN", scaled_down, 1)]
        stopped_ms = run.stopped_ms + self.random.randint(20, 90) * SECOND_MS
        events += [("STOPPING", run.stopped_ms, 0), ("STOPPED", stopped_ms, 0)]
        for event_type, at_ms, cluster_count in events:
            self._write_event(run.warehouse["id"], event_type, cluster_count, at_ms)
        for _ in range(self.random.randint(3, 8)):
            self._add_query(run.warehouse, running_ms, run.stopped_ms, self.random.choice(users), self.random)
        return events

    def write_planned_run(
        self,
        warehouse: dict[str, Any],
        events: list[tuple[str, int, int]],
        queries: tuple[int, int, int],
        users: list[User],
        generator: random.Random,
    ) -> None:
        """Writes a run whose events are given (a planted case) and `queries` (count, earliest start,
        latest start), drawn from the caller's `generator` so this activity's own stream is untouched."""
        for event_type, at_ms, cluster_count in events:
            self._write_event(warehouse["id"], event_type, cluster_count, at_ms)
        count, earliest_ms, latest_start_ms = queries
        for _ in range(count):
            # _add_query starts a query at least ten minutes before its latest time.
            latest_ms = latest_start_ms + 10 * MINUTE_MS
            self._add_query(warehouse, earliest_ms, latest_ms, generator.choice(users), generator)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write_event(self, warehouse_id: str, event_type: str, cluster_count: int, at_ms: int) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8")
        event = {
            "account_id": self.account_id,
            "workspace_id": self.organization_id,
            "warehouse_id": warehouse_id,
            "event_type": event_type,
            "cluster_count": cluster_count,
            "event_time": _iso_time(at_ms),
        }
        self._file.write(json.dumps(event, separators=(",", ":")) + "\n")
        self.event_count += 1

    def _add_query(
        self,
        warehouse: dict[str, Any],
        earliest_ms: int,
        latest_ms: int,
        user: User,
        generator: random.Random,
    ) -> None:
        start_ms = generator.randint(earliest_ms, max(earliest_ms, latest_ms - 10 * MINUTE_MS))
        compilation_ms = generator.randint(50, 2_000)
        execution_ms = generator.randint(200, 240_000)
        fetch_ms = generator.randint(5, 500)
        total_ms = compilation_ms + execution_ms + fetch_ms
        end_ms = start_ms + total_ms
        statement_type, query_text = generator.choice(QUERY_TEMPLATES)
        status = generator.choices(("FINISHED", "FAILED", "CANCELED"), weights=(90, 7, 3))[0]
        read_bytes = generator.randint(10_000, 5_000_000_000)
        rows_produced = generator.randint(0, 100_000) if status == "FINISHED" else 0
        query: dict[str, Any] = {
            "query_id": deterministic_uuid(generator),
            "status": status,
            "query_text": query_text,
            "statement_type": statement_type,
            "query_start_time_ms": start_ms,
            "execution_end_time_ms": end_ms - fetch_ms,
            "query_end_time_ms": end_ms,
            "duration": total_ms,
            "is_final": True,
            "user_id": user.user_id,
            "user_name": user.email,
            "executed_as_user_id": user.user_id,
            "executed_as_user_name": user.email,
            "warehouse_id": warehouse["id"],
            "endpoint_id": warehouse["id"],
            "rows_produced": rows_produced,
            "spark_ui_url": f"https://sparkui/{warehouse['id']}/SQL/execution/?id={self.query_count}",
            "lookup_key": deterministic_uuid(generator).replace("-", ""),
            "client_application": generator.choice(CLIENT_APPLICATIONS),
            "channel_used": {"name": "CHANNEL_NAME_CURRENT"},
            "plans_state": "EXISTS",
            "metrics": {
                "compilation_time_ms": compilation_ms,
                "execution_time_ms": execution_ms,
                "result_fetch_time_ms": fetch_ms,
                "total_time_ms": total_ms,
                "task_total_time_ms": execution_ms * generator.randint(1, 16),
                "photon_total_time_ms": execution_ms // 2 if warehouse.get("enable_photon") else 0,
                "read_bytes": read_bytes,
                "read_cache_bytes": read_bytes // generator.randint(2, 10),
                "read_remote_bytes": read_bytes // generator.randint(1, 4),
                "read_files_count": generator.randint(1, 400),
                "read_partitions_count": generator.randint(1, 50),
                "pruned_bytes": read_bytes // generator.randint(1, 8),
                "pruned_files_count": generator.randint(0, 200),
                "rows_read_count": generator.randint(rows_produced, rows_produced + 50_000_000),
                "rows_produced_count": rows_produced,
                "spill_to_disk_bytes": 0 if generator.random() < 0.9 else generator.randint(1, 10**9),
                "network_sent_bytes": generator.randint(1_000, 10_000_000),
                "write_remote_bytes": generator.randint(1, 10**8) if statement_type != "SELECT" else 0,
                "result_from_cache": status == "FINISHED" and generator.random() < 0.1,
                "query_compilation_start_timestamp": start_ms,
            },
        }
        if status == "FAILED":
            query["error_message"] = "[TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found."
        self.store.add_sql_query(query)
        self.query_count += 1


def _iso_time(at_ms: int) -> str:
    seconds = datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{seconds}.{at_ms % 1000:03d}Z"
