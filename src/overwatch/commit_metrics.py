"""What a table's last commit did, read from the table format's own commit log, never by counting rows.

Iceberg (locally) keeps each commit's summary in the table's `snapshots` metadata table (`added-records`:
rows the commit wrote); Delta (Databricks) keeps the merge's `operationMetrics` in `DESCRIBE HISTORY`
(`numTargetRowsInserted`). Both are written by the commit itself, so reading them scans no data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from overwatch.lakehouse import Target
from overwatch.run_log import as_utc

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Answer = TypeVar("Answer")


def rows_inserted_since(spark: SparkSession, target: Target, qualified_table: str, since: datetime) -> int:
    """Rows the table's latest commit inserted, if that commit was made by this Spark application at or
    after `since`; 0 when the table has no such commit (the merge found nothing to write)."""
    return rows_inserted_by_tables(spark, target, {qualified_table: since})[qualified_table]


def rows_inserted_by_tables(
    spark: SparkSession, target: Target, since_by_table: dict[str, datetime]
) -> dict[str, int]:
    """`rows_inserted_since` of several tables (qualified name: since), asked in one query on Iceberg:
    one query's fixed cost instead of one per table."""
    if not since_by_table:
        return {}
    return _in_table_format(
        target,
        iceberg=lambda: _iceberg_rows_inserted_by_tables(spark, since_by_table),
        delta=lambda: {
            table: _delta_rows_inserted_since(spark, table, since) for table, since in since_by_table.items()
        },
    )


def commit_count(spark: SparkSession, target: Target, qualified_table: str) -> int:
    """How many commits the table has had (Iceberg snapshots, Delta versions)."""
    return _in_table_format(
        target,
        iceberg=lambda: spark.sql(f"select count(*) from {qualified_table}.snapshots").first()[0],
        delta=lambda: spark.sql(f"describe history {qualified_table}").count(),
    )


def _in_table_format(target: Target, *, iceberg: Callable[[], Answer], delta: Callable[[], Answer]) -> Answer:
    """Ask the table in its target's format, else in the other: a table's format is what counts, and a
    test may point a Databricks target at Iceberg tables. Asking the wrong format fails at analysis, before
    any data is read (Delta has no `snapshots` table, Iceberg no `describe history`)."""
    from pyspark.errors import AnalysisException, ParseException

    first, second = (iceberg, delta) if target.table_format == "iceberg" else (delta, iceberg)
    try:
        return first()
    except (AnalysisException, ParseException):
        return second()


def _iceberg_rows_inserted_by_tables(
    spark: SparkSession, since_by_table: dict[str, datetime]
) -> dict[str, int]:
    tables = list(since_by_table)
    queries = [
        f"select {index} as table_index, committed_at, summary from {table}.snapshots"
        f" where committed_at >= timestamp_millis({int(_to_millisecond(since).timestamp() * 1000)})"
        for index, (table, since) in enumerate(since_by_table.items())
    ]
    latest: dict[str, Any] = {}
    for row in spark.sql(" union all ".join(queries)).collect():
        table = tables[row.table_index]
        if table not in latest or row.committed_at > latest[table].committed_at:
            latest[table] = row
    return {
        table: int(row.summary.get("added-records", 0))
        if (row := latest.get(table)) is not None
        and _is_own_commit(spark, row.committed_at, row.summary, "spark.app.id", since)
        else 0
        for table, since in since_by_table.items()
    }


def _delta_rows_inserted_since(spark: SparkSession, qualified_table: str, since: datetime) -> int:
    latest = spark.sql(f"describe history {qualified_table} limit 1").first()
    if latest is None or as_utc(latest.timestamp) < since:
        return 0
    metrics = latest.operationMetrics or {}
    return int(metrics.get("numTargetRowsInserted", metrics.get("numOutputRows", 0)))


def _is_own_commit(
    spark: SparkSession, committed_at: datetime, summary: dict[str, str], app_key: str, since: datetime
) -> bool:
    since_ms = _to_millisecond(since)
    same_app = summary.get(app_key) in (None, spark.sparkContext.applicationId)
    return as_utc(committed_at) >= since_ms and same_app


def _to_millisecond(moment: datetime) -> datetime:
    """Commit times are kept to the millisecond: `since` is truncated alike before comparing."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
