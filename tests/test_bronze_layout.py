"""Bronze tables with no date column of their own are laid out by the day of their time column, so a
read from a day on skips the files of earlier days even when one load run wrote many days at once (a
first load of history, a backfill); and a lake created before the layout gets it on the next run.

Rows read are Spark's SQL metrics of the scan (overwatch.scan_metrics); expected counts are the rows
each test writes per day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from overwatch.bronze_tables import (
    API_SNAPSHOT_COLUMNS,
    CLUSTER_EVENTS,
    JOB_RUNS,
    MS_PER_DAY,
    create_bronze_tables,
    insert_new_rows,
)
from overwatch.scan_metrics import SqlExecutionLog, label_queries, reads_by_label

FIRST_DAY = datetime(2026, 3, 1)
RUNS_PER_DAY = 5
DAYS = 3


def job_run_snapshots(spark, days: range):
    """RUNS_PER_DAY snapshots of distinct runs on each of the days after FIRST_DAY."""
    rows = [
        ("1", FIRST_DAY + timedelta(days=day, hours=run), f"{day}-{run}", "{}", "runs/list", "r", FIRST_DAY)
        for day in days
        for run in range(RUNS_PER_DAY)
    ]
    return spark.createDataFrame(rows, API_SNAPSHOT_COLUMNS)


def rows_read(spark, query: str) -> int:
    log = SqlExecutionLog(spark)
    label_queries(spark, "windowed read")
    try:
        spark.sql(query).collect()
    finally:
        label_queries(spark, None)
    return reads_by_label(log.executions())["windowed read"].rows


def test_a_read_from_a_day_on_skips_earlier_days_loaded_in_the_same_commit(spark, isolated_target):
    snapshots = isolated_target.bronze_table(JOB_RUNS.name)
    assert (
        insert_new_rows(spark, isolated_target, JOB_RUNS, job_run_snapshots(spark, range(DAYS)))
        == DAYS * RUNS_PER_DAY
    )
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)

    assert rows_read(spark, f"select * from {snapshots} where snapshot_time >= '{last_day}'") == RUNS_PER_DAY

    events = isolated_target.bronze_table(CLUSTER_EVENTS.name)
    first_ms = int((FIRST_DAY - datetime(1970, 1, 1)).total_seconds() * 1000)
    event_rows = [
        (
            "1",
            "c",
            "RUNNING",
            first_ms + day * MS_PER_DAY + hour * 3_600_000,
            "{}",
            "{}",
            "events",
            "r",
            FIRST_DAY,
        )
        for day in range(DAYS)
        for hour in range(4)
    ]
    insert_new_rows(
        spark, isolated_target, CLUSTER_EVENTS, spark.createDataFrame(event_rows, CLUSTER_EVENTS.columns)
    )
    # Mid-day: the last day's partition is read whole, the earlier days' are skipped.
    since_ms = first_ms + (DAYS - 1) * MS_PER_DAY + 2 * 3_600_000
    assert rows_read(spark, f"select * from {events} where timestamp >= {since_ms}") == 4


def test_a_table_created_before_the_layout_gets_it_and_keeps_its_rows(spark, local_target):
    target = replace(local_target, schema="t_bronze_layout_migrated")
    snapshots = target.bronze_table(JOB_RUNS.name)
    spark.sql(f"create namespace if not exists `{target.bronze_schema}`")
    spark.sql(f"create table {snapshots} ({API_SNAPSHOT_COLUMNS}) using iceberg")
    job_run_snapshots(spark, range(1)).writeTo(snapshots).append()

    create_bronze_tables(spark, target)

    partitioning = [row.data_type for row in spark.sql(f"describe table {snapshots}").collect()]
    assert "days(snapshot_time)" in partitioning
    insert_new_rows(spark, target, JOB_RUNS, job_run_snapshots(spark, range(1, DAYS)))
    assert spark.table(snapshots).count() == DAYS * RUNS_PER_DAY
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    assert rows_read(spark, f"select * from {snapshots} where snapshot_time >= '{last_day}'") == RUNS_PER_DAY
    # A second run finds the layout in place and changes nothing.
    spec_before = spark.sql(f"select count(*) from {snapshots}.metadata_log_entries").first()[0]
    create_bronze_tables(spark, target)
    assert spark.sql(f"select count(*) from {snapshots}.metadata_log_entries").first()[0] == spec_before
