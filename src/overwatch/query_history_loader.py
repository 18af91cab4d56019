"""SQL query history (`GET /api/2.0/sql/history/queries`, with metrics) into `sql_query_history_bronze`.

Each window lists the queries that started in it, page after page. A query still running when listed
lands as a running version; the next window reads again from the start of the earliest query whose
landed versions are all unfinished, so that query's finished version lands too (a new status and end
time make a new key). Re-running a window adds nothing: its queries land under the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from overwatch.api_client import call_api
from overwatch.bronze_tables import SQL_QUERY_HISTORY
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow, epoch_ms

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

QUERY_HISTORY_PATH = "/api/2.0/sql/history/queries"
SOURCE_REQUEST = f"GET {QUERY_HISTORY_PATH}"
# The API asks for small pages when metrics are included.
PAGE_SIZE = 100
# The API keeps 30 days of history: an unfinished query older than that will never be listed again.
MAX_REREAD = timedelta(days=30)
FINAL_STATUSES = ("FINISHED", "FAILED", "CANCELED")


def load_query_history(context: LoadContext, window: LoadWindow) -> int:
    """Land the window's query versions (see `stage_query_history`); returns rows inserted."""
    return commit_alone(context, stage_query_history, window)


def stage_query_history(context: LoadContext, window: LoadWindow) -> None:
    """Queries that started in the window, and again those still unfinished at the last load."""
    read_from = reread_from(context, window)
    queries = list_queries(context.api, epoch_ms(read_from), epoch_ms(window.until_time))
    rows = [_bronze_row(context, query) for query in queries]
    context.report(f"sql query history: {len(rows)} query versions listed since {read_from:%Y-%m-%d %H:%M}")
    if not rows:
        return
    from pyspark.sql import functions as F

    frame = context.spark.createDataFrame(
        rows,
        "organization_id string, query_id string, warehouse_id string, status string, is_final boolean, "
        "query_start_time_ms bigint, query_end_time_ms bigint, raw_json string, source_request string, "
        "load_run_id string",
    ).withColumn("loaded_at", F.current_timestamp())
    staged_writes(context).stage(SQL_QUERY_HISTORY, frame)


def reread_from(context: LoadContext, window: LoadWindow) -> datetime:
    """The window's start, or the start of the earliest query landed only unfinished (within the API's
    retention), whichever is earlier."""
    from pyspark.sql import functions as F

    landed = context.spark.table(context.target.bronze_table(SQL_QUERY_HISTORY.name)).where(
        F.col("organization_id") == context.organization_id
    )
    unfinished = (
        landed.groupBy("query_id")
        .agg(
            F.max(F.col("is_final").cast("int")).alias("finished"),
            F.min("query_start_time_ms").alias("start"),
        )
        .where(F.col("finished") == 0)
        .agg(F.min("start").alias("earliest_start_ms"))
        .first()
    )
    earliest_ms = unfinished["earliest_start_ms"] if unfinished else None
    if earliest_ms is None:
        return window.from_time
    earliest = datetime.fromtimestamp(earliest_ms / 1000, tz=window.from_time.tzinfo)
    return max(min(window.from_time, earliest), window.from_time - MAX_REREAD)


def list_queries(client: WorkspaceClient, start_ms: int, end_ms: int) -> Iterator[dict[str, Any]]:
    """Every query that started in [start_ms, end_ms), with its metrics, as the API returned it."""
    query: dict[str, Any] = {
        "filter_by": {"query_start_time_range": {"start_time_ms": start_ms, "end_time_ms": end_ms}},
        "include_metrics": True,
        "max_results": PAGE_SIZE,
    }
    while True:
        page = call_api(client, "GET", QUERY_HISTORY_PATH, query=query)
        yield from page.get("res") or []
        next_token = page.get("next_page_token")
        if not (page.get("has_next_page") and next_token):
            return
        # The token carries the filter: later pages are asked for with the token alone.
        query = {"include_metrics": True, "max_results": PAGE_SIZE, "page_token": next_token}


def _bronze_row(context: LoadContext, query: dict[str, Any]) -> tuple:
    status = query.get("status")
    is_final = query.get("is_final")
    if is_final is None:
        is_final = status in FINAL_STATUSES
    return (
        context.organization_id,
        str(query.get("query_id")),
        query.get("warehouse_id") or query.get("endpoint_id"),
        status,
        bool(is_final),
        query.get("query_start_time_ms"),
        query.get("query_end_time_ms"),
        json.dumps(query, sort_keys=True),
        SOURCE_REQUEST,
        context.run_id,
    )
