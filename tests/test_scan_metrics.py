"""The benchmark's measure of data read: Spark's SQL metrics of each Iceberg scan, per labelled thread.

Expected rows come from the rows each test inserts; expected bytes from Iceberg's own `files` metadata
table (the data files' sizes as committed), never from the SQL metrics under test.
"""

from __future__ import annotations

import threading

from overwatch.scan_metrics import SqlExecutionLog, label_queries, metric_number, reads_by_label

FIRST_IDS, SECOND_IDS = range(0, 30), range(100, 112)


def make_table(spark, schema: str) -> str:
    """A table of two data files: one commit of ids 0-29, one of ids 100-111 (one file each)."""
    table = f"{schema}_silver.scanned"
    spark.sql(f"create namespace if not exists {schema}_silver")
    spark.sql(f"create table {table} (id bigint, name string) using iceberg")
    for ids in (FIRST_IDS, SECOND_IDS):
        rows = spark.createDataFrame([(i, f"n{i}") for i in ids], "id bigint, name string")
        rows.coalesce(1).writeTo(table).append()
    return table


def file_bytes(spark, table: str, record_count: int | None = None) -> int:
    """Bytes of the table's data files (of the one holding `record_count` rows), as Iceberg committed them."""
    files = spark.sql(f"select record_count, file_size_in_bytes from {table}.files").collect()
    assert sorted(row.record_count for row in files) == [len(SECOND_IDS), len(FIRST_IDS)]
    return sum(row.file_size_in_bytes for row in files if record_count in (None, row.record_count))


def test_a_scan_reads_the_rows_and_bytes_of_the_files_it_keeps(spark, isolated_target):
    table = make_table(spark, isolated_target.schema)
    log = SqlExecutionLog(spark)
    try:
        label_queries(spark, "whole table")
        assert spark.sql(f"select count(*) from {table} where name like 'n1%'").first()[0] == 12 + 11
        label_queries(spark, "second file")
        # ids >= 100 lie in the second commit's file only: min/max pruning skips the first.
        assert spark.sql(f"select sum(id) from {table} where id >= 100").first()[0] == sum(SECOND_IDS)
    finally:
        label_queries(spark, None)
    reads = reads_by_label(log.executions())
    # The filter keeps 23 rows, but the scan reads every row of both files.
    assert reads["whole table"].rows == len(FIRST_IDS) + len(SECOND_IDS)
    assert reads["whole table"].bytes == file_bytes(spark, table)
    assert reads["second file"].rows == len(SECOND_IDS)
    assert reads["second file"].bytes == file_bytes(spark, table, record_count=len(SECOND_IDS))
    assert reads["whole table"].rows_by_table == {f"lake.{table}": len(FIRST_IDS) + len(SECOND_IDS)}


def test_only_executions_after_a_restart_count(spark, isolated_target):
    table = make_table(spark, isolated_target.schema)
    log = SqlExecutionLog(spark)
    label_queries(spark, "before")
    spark.sql(f"select count(*) from {table}").collect()
    log.restart()
    label_queries(spark, "after")
    spark.sql(f"select count(*) from {table} where id >= 100").collect()
    label_queries(spark, None)
    reads = reads_by_label(log.executions())
    assert set(reads) == {"after"}
    assert reads["after"].rows == len(SECOND_IDS)


def test_each_thread_labels_its_own_queries(spark, isolated_target):
    """dbt runs nodes on worker threads: a label set in one thread must not leak into another's queries."""
    table = make_table(spark, isolated_target.schema)
    log = SqlExecutionLog(spark)
    barrier = threading.Barrier(2)

    def worker(label: str, where: str) -> None:
        label_queries(spark, label)
        barrier.wait()
        spark.sql(f"select count(*) from {table} where {where}").collect()

    threads = [
        threading.Thread(target=worker, args=("low", "id < 100")),
        threading.Thread(target=worker, args=("high", "id >= 100")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reads = reads_by_label(log.executions())
    assert {label: read.rows for label, read in reads.items()} == {
        "low": len(FIRST_IDS),
        "high": len(SECOND_IDS),
    }


def test_metric_text_as_spark_formats_it():
    assert metric_number("1,234,567") == 1234567
    assert metric_number("5452") == 5452
    assert metric_number(None) == 0
    assert metric_number("") == 0
