"""The SQLite file the fake REST API serves one workspace from.

Every object is stored as the exact JSON the REST API returns for it, next to the few columns the
server filters, orders and pages on. Times are epoch milliseconds; `deleted_time_ms` is NULL for
objects that still exist at the end of the generated period.

    metadata(key PRIMARY KEY, value)
    clusters(cluster_id PRIMARY KEY, created_time_ms, deleted_time_ms, json)       -- ClusterDetails
    cluster_events(sequence PRIMARY KEY, cluster_id, timestamp_ms, type, json)      -- ClusterEvent
        index (cluster_id, timestamp_ms, sequence); sequence keeps same-millisecond events in order
    jobs(job_id PRIMARY KEY, created_time_ms, deleted_time_ms, json)                -- BaseJob
    job_runs(run_id PRIMARY KEY, job_id, start_time_ms, end_time_ms, json)          -- BaseRun with tasks
    instance_pools(instance_pool_id PRIMARY KEY, created_time_ms, deleted_time_ms, json)
    sql_warehouses(id PRIMARY KEY, created_time_ms, deleted_time_ms, json)          -- EndpointInfo
    cluster_policies(policy_id PRIMARY KEY, created_time_ms, json)                  -- Policy
    instance_profiles(instance_profile_arn PRIMARY KEY, json)                       -- InstanceProfile
    sql_queries(query_id PRIMARY KEY, warehouse_id, start_time_ms, end_time_ms, json) -- QueryInfo, final
    tokens(token_id PRIMARY KEY, created_time_ms, json)           -- PublicTokenInfo (never a token value)
    global_init_scripts(script_id PRIMARY KEY, created_time_ms, json)               -- GlobalInitScriptDetails
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clusters (
    cluster_id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, deleted_time_ms INTEGER, json TEXT NOT NULL
);
CREATE TABLE cluster_events (
    sequence INTEGER PRIMARY KEY, cluster_id TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,
    type TEXT NOT NULL, json TEXT NOT NULL
);
CREATE INDEX cluster_events_by_cluster_time ON cluster_events (cluster_id, timestamp_ms, sequence);
CREATE TABLE jobs (
    job_id INTEGER PRIMARY KEY, created_time_ms INTEGER NOT NULL, deleted_time_ms INTEGER, json TEXT NOT NULL
);
CREATE TABLE job_runs (
    run_id INTEGER PRIMARY KEY, job_id INTEGER, start_time_ms INTEGER NOT NULL, end_time_ms INTEGER,
    json TEXT NOT NULL
);
CREATE INDEX job_runs_by_start ON job_runs (start_time_ms);
CREATE TABLE instance_pools (
    instance_pool_id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, deleted_time_ms INTEGER,
    json TEXT NOT NULL
);
CREATE TABLE sql_warehouses (
    id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, deleted_time_ms INTEGER, json TEXT NOT NULL
);
CREATE TABLE cluster_policies (
    policy_id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, json TEXT NOT NULL
);
CREATE TABLE instance_profiles (instance_profile_arn TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE sql_queries (
    query_id TEXT PRIMARY KEY, warehouse_id TEXT NOT NULL, start_time_ms INTEGER NOT NULL,
    end_time_ms INTEGER NOT NULL, json TEXT NOT NULL
);
CREATE INDEX sql_queries_by_start ON sql_queries (start_time_ms);
CREATE TABLE tokens (token_id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE global_init_scripts (
    script_id TEXT PRIMARY KEY, created_time_ms INTEGER NOT NULL, json TEXT NOT NULL
);
"""
# Rows held before one executemany: bounds memory on large workspaces without a commit per event.
EVENT_BATCH_SIZE = 5000


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class ApiStore:
    """Writes one workspace's API state; cluster events are inserted in batches as they are produced."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.executescript(SCHEMA)
        self._pending_events: list[tuple[int, str, int, str, str]] = []
        self.event_count = 0

    def set_metadata(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO metadata VALUES (?, ?)", (key, value))

    def add_cluster_event(self, event: dict) -> None:
        self.event_count += 1
        row = (self.event_count, event["cluster_id"], event["timestamp"], event["type"], to_json(event))
        self._pending_events.append(row)
        if len(self._pending_events) >= EVENT_BATCH_SIZE:
            self._flush_events()

    def add_cluster(self, cluster: dict, created_time_ms: int, deleted_time_ms: int | None) -> None:
        self._insert("clusters", (cluster["cluster_id"], created_time_ms, deleted_time_ms, to_json(cluster)))

    def add_job(self, job: dict, deleted_time_ms: int | None) -> None:
        self._insert("jobs", (job["job_id"], job["created_time"], deleted_time_ms, to_json(job)))

    def add_job_run(self, run: dict) -> None:
        row = (run["run_id"], run.get("job_id"), run["start_time"], run.get("end_time"), to_json(run))
        self._insert("job_runs", row)

    def add_recorded_job_run(self, run: object) -> None:
        """A recorded (or hand-made) runs list item, stored verbatim whatever its shape; SQLite numbers
        the row when it has no integer run_id, and a run without times sorts as started at 0."""
        fields = run if isinstance(run, dict) else {}
        run_id = fields.get("run_id")
        row = (
            run_id if isinstance(run_id, int) and not isinstance(run_id, bool) else None,
            fields.get("job_id"),
            fields.get("start_time") or 0,
            fields.get("end_time") or None,
            to_json(run),
        )
        self._insert("job_runs", row)

    def add_instance_pool(self, pool: dict, created_time_ms: int, deleted_time_ms: int | None) -> None:
        row = (pool["instance_pool_id"], created_time_ms, deleted_time_ms, to_json(pool))
        self._insert("instance_pools", row)

    def add_sql_warehouse(self, warehouse: dict, created_time_ms: int, deleted_time_ms: int | None) -> None:
        self._insert(
            "sql_warehouses", (warehouse["id"], created_time_ms, deleted_time_ms, to_json(warehouse))
        )

    def add_cluster_policy(self, policy: dict) -> None:
        row = (policy["policy_id"], policy.get("created_at_timestamp", 0), to_json(policy))
        self._insert("cluster_policies", row)

    def add_instance_profile(self, profile: dict) -> None:
        self._insert("instance_profiles", (profile["instance_profile_arn"], to_json(profile)))

    def add_token(self, token: dict, created_time_ms: int) -> None:
        if "token_value" in token:
            raise ValueError("token values are never stored")
        self._insert("tokens", (token["token_id"], created_time_ms, to_json(token)))

    def add_global_init_script(self, script: dict, created_time_ms: int) -> None:
        self._insert("global_init_scripts", (script["script_id"], created_time_ms, to_json(script)))

    def add_sql_query(self, query: dict) -> None:
        row = (
            query["query_id"],
            query["warehouse_id"],
            query["query_start_time_ms"],
            query["query_end_time_ms"],
            to_json(query),
        )
        self._insert("sql_queries", row)

    def close(self) -> None:
        self._flush_events()
        self.connection.commit()
        self.connection.close()

    def _insert(self, table: str, row: tuple) -> None:
        placeholders = ", ".join("?" for _ in row)
        self.connection.execute(f"INSERT OR REPLACE INTO {table} VALUES ({placeholders})", row)

    def _flush_events(self) -> None:
        self.connection.executemany("INSERT INTO cluster_events VALUES (?, ?, ?, ?, ?)", self._pending_events)
        self._pending_events.clear()
