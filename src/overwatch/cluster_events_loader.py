"""Cluster events from the clusters events API into `cluster_events_bronze`.

Events are asked for per cluster, for the clusters seen in the window's audit logs or alive in the
latest clusters snapshot, over the window plus a one-day look-back (events reach the API late). Rows
are insert-only on (organization_id, cluster_id, type, timestamp), so the overlap adds nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceDoesNotExist

from overwatch.api_client import call_api
from overwatch.bronze_tables import AUDIT_LOG, CLUSTER_EVENTS, api_snapshot_table
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow, epoch_ms

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

EVENTS_PATH = "/api/2.1/clusters/events"
LOOKBACK = timedelta(days=1)
EVENTS_PER_PAGE = 500
CONCURRENT_REQUESTS = 8
# Clusters whose events are gathered into one staged frame: bounds Python memory on large workspaces.
CLUSTERS_PER_WRITE = 200
EVENT_COLUMNS = (
    "organization_id string, cluster_id string, type string, timestamp bigint, details string, "
    "raw_json string, source_request string, load_run_id string"
)


def load_cluster_events(context: LoadContext, window: LoadWindow) -> int:
    """Land the window's cluster events (see `stage_cluster_events`); returns rows inserted."""
    return commit_alone(context, stage_cluster_events, window)


def stage_cluster_events(context: LoadContext, window: LoadWindow) -> None:
    """Stage the events of every cluster to follow, over the window and its look-back."""
    cluster_ids = clusters_to_follow(context, window)
    context.report(f"cluster events: {len(cluster_ids)} clusters to follow")
    start_ms = epoch_ms(window.from_time - LOOKBACK)
    end_ms = epoch_ms(window.until_time)
    staged = 0
    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:
        for chunk_start in range(0, len(cluster_ids), CLUSTERS_PER_WRITE):
            chunk = cluster_ids[chunk_start : chunk_start + CLUSTERS_PER_WRITE]
            rows = [
                row
                for cluster_rows in pool.map(
                    lambda cluster_id: list(_event_rows(context, cluster_id, start_ms, end_ms)), chunk
                )
                for row in cluster_rows
            ]
            _stage(context, rows)
            staged += len(rows)
            followed = chunk_start + len(chunk)
            context.report(f"cluster events: {followed}/{len(cluster_ids)} clusters, {staged} events listed")


def clusters_to_follow(context: LoadContext, window: LoadWindow) -> list[str]:
    """Clusters named in the window's cluster audit events, and clusters alive in the latest snapshot,
    both as this run leaves them (its staged audit events and snapshot included)."""
    audited = _clusters_in_audit_logs(context, window)
    alive = _clusters_alive_in_latest_snapshot(context, window)
    return sorted(row[0] for row in audited.union(alive).distinct().collect() if row[0])


def _clusters_in_audit_logs(context: LoadContext, window: LoadWindow) -> DataFrame:
    from pyspark.sql import functions as F

    audit = staged_writes(context).rows_of(AUDIT_LOG)
    return audit.where(
        (F.col("organization_id") == context.organization_id)
        & (F.col("serviceName") == "clusters")
        & (F.col("date") >= F.lit((window.from_time - LOOKBACK).date()))
        & (F.col("date") <= F.lit(window.until_time.date()))
    ).select(
        F.coalesce(
            F.col("requestParams")["cluster_id"], F.get_json_object("response.result", "$.cluster_id")
        ).alias("cluster_id")
    )


def _clusters_alive_in_latest_snapshot(context: LoadContext, window: LoadWindow) -> DataFrame:
    """Clusters not terminated in the latest snapshot, or terminated inside the window."""
    from pyspark.sql import functions as F

    snapshots = (
        staged_writes(context)
        .rows_of(api_snapshot_table("clusters"))
        .where(
            (F.col("organization_id") == context.organization_id)
            & (F.col("snapshot_time") <= F.lit(window.until_time))
        )
    )
    latest_time = snapshots.agg(F.max("snapshot_time")).first()[0]
    state = F.get_json_object("raw_json", "$.state")
    terminated_ms = F.get_json_object("raw_json", "$.terminated_time").cast("bigint")
    return snapshots.where(
        (F.col("snapshot_time") == F.lit(latest_time))
        & ((state != "TERMINATED") | (terminated_ms >= epoch_ms(window.from_time - LOOKBACK)))
    ).select(F.col("entity_id").alias("cluster_id"))


def _event_rows(context: LoadContext, cluster_id: str, start_ms: int, end_ms: int) -> Iterator[tuple]:
    request = {
        "cluster_id": cluster_id,
        "start_time": start_ms,
        "end_time": end_ms,
        "order": "ASC",
        "limit": EVENTS_PER_PAGE,
    }
    source_request = f"POST {EVENTS_PATH}"
    while request:
        try:
            page = call_api(context.api, "POST", EVENTS_PATH, body=request)
        except (InvalidParameterValue, NotFound, ResourceDoesNotExist) as error:
            # The API forgets clusters some time after they are deleted; the audit log still names them.
            context.report(f"cluster events: skipped {cluster_id}: {error}")
            return
        for event in page.get("events") or []:
            yield (
                context.organization_id,
                event.get("cluster_id", cluster_id),
                event.get("type"),
                event.get("timestamp"),
                json.dumps(event.get("details") or {}, sort_keys=True),
                json.dumps(event, sort_keys=True),
                source_request,
                context.run_id,
            )
        request = page.get("next_page")


def _stage(context: LoadContext, rows: list[tuple]) -> None:
    from pyspark.sql import functions as F

    if not rows:
        return
    frame = context.spark.createDataFrame(rows, EVENT_COLUMNS).withColumn("loaded_at", F.current_timestamp())
    staged_writes(context).stage(CLUSTER_EVENTS, frame)
