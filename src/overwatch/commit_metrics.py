"""What a table's last commit did, read from the table format's own commit log, never by counting rows.

Iceberg (locally) keeps each commit's summary in the table's `snapshots` metadata table (`added-records`:
rows the commit wrote); Delta (Databricks) keeps the merge's `operationMetrics` in `DESCRIBE HISTORY`
(`numTargetRowsInserted`). Both are written by the commit itself, so reading them scans no data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from overwatch.lakehouse import Target
from overwatch.run_log import as_utc

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def rows_inserted_since(spark: SparkSession, target: Target, qualified_table: str, since: datetime) -> int:
    """Rows the table's latest commit inserted, if that commit was made by this Spark application at or
    after `since`; 0 when the table has no such commit (the merge found nothing to write)."""
    return _in_table_format(
        target,
        iceberg=lambda: _iceberg_rows_inserted_since(spark, qualified_table, since),
        delta=lambda: _delta_rows_inserted_since(spark, qualified_table, since),
    )


def commit_count(spark: SparkSession, target: Target, qualified_table: str) -> int:
    """How many commits the table has had (Iceberg snapshots, Delta versions)."""
    return _in_table_format(
        target,
        iceberg=lambda: spark.sql(f"select count(*) from {qualified_table}.snapshots").first()[0],
        delta=lambda: spark.sql(f"describe history {qualified_table}").count(),
    )


def _in_table_format(target: Target, *, iceberg: Callable[[], int], delta: Callable[[], int]) -> int:
    """Ask the table in its target's format, else in the other: a table's format is what counts, and a
    test may point a Databricks target at Iceberg tables. Asking the wrong format fails at analysis, before
    any data is read (Delta has no `snapshots` table, Iceberg no `describe history`)."""
    from pyspark.errors import AnalysisException, ParseException

    first, second = (iceberg, delta) if target.table_format == "iceberg" else (delta, iceberg)
    try:
        return first()
    except (AnalysisException, ParseException):
        return second()


def _iceberg_rows_inserted_since(spark: SparkSession, qualified_table: str, since: datetime) -> int:
    latest = spark.sql(
        f"select committed_at, summary from {qualified_table}.snapshots order by committed_at desc limit 1"
    ).first()
    if latest is None or not _is_own_commit(
        spark, latest.committed_at, latest.summary, "spark.app.id", since
    ):
        return 0
    return int(latest.summary.get("added-records", 0))


def _delta_rows_inserted_since(spark: SparkSession, qualified_table: str, since: datetime) -> int:
    latest = spark.sql(f"describe history {qualified_table} limit 1").first()
    if latest is None or as_utc(latest.timestamp) < since:
        return 0
    metrics = latest.operationMetrics or {}
    return int(metrics.get("numTargetRowsInserted", metrics.get("numOutputRows", 0)))


def _is_own_commit(
    spark: SparkSession, committed_at: datetime, summary: dict[str, str], app_key: str, since: datetime
) -> bool:
    # Commit times are kept to the millisecond: `since` is truncated alike before comparing.
    since_ms = since.replace(microsecond=since.microsecond // 1000 * 1000)
    same_app = summary.get(app_key) in (None, spark.sparkContext.applicationId)
    return as_utc(committed_at) >= since_ms and same_app
