"""Benchmark: generate a sample workspace of a given size, then time the load and `dbt build` apart.

Prints wall seconds and rows per second for each step. Runs in a fresh lake of its own, so it never
touches the demo's tables. Example: `.venv/bin/python scripts/benchmark.py --size large --days 2`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from overwatch.run_log import ModuleRun


def print_throughput(step: str, seconds: float, rows: int, what: str) -> None:
    print(f"  {step:<20} {seconds:8.1f} s  {rows:>10,} {what:<20}  {rows / seconds:>10,.0f} rows/s")


def print_spark_event_log_comparison(
    spark: SparkSession, cluster_logs: Path, load_runs: list[ModuleRun]
) -> None:
    """The event log loader beside a bare `spark.read.json(...).count()` of the same files."""
    files = [path for path in cluster_logs.glob("*/*/eventlog/*/*/eventlog*") if path.is_file()]
    runs = [run for run in load_runs if run.module_name == "spark_events"]
    if not files or not runs:
        return
    megabytes = sum(path.stat().st_size for path in files) / 1_000_000
    load_seconds = sum((run.finished_at - run.started_at).total_seconds() for run in runs)
    events = sum(run.rows_written for run in runs)
    started = time.perf_counter()
    lines = spark.read.json([str(path) for path in files]).count()
    bare_seconds = time.perf_counter() - started
    print(f"  spark event logs: {len(files)} files, {megabytes:.1f} MB on disk (gzip counted compressed)")
    for step, seconds, rows in (("loader", load_seconds, events), ("bare read.json", bare_seconds, lines)):
        rates = f"{megabytes / seconds:8.2f} MB/s  {rows / seconds:>10,.0f} events/s"
        print(f"    {step:<16} {seconds:8.1f} s  {rates}")
    print(f"    loader / bare read time: {load_seconds / bare_seconds:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("small", "medium", "large"), default="medium")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workspaces", type=int, default=1)
    arguments = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="overwatch-benchmark-"))
    os.environ["OVERWATCH_LAKE_DIR"] = str(work_dir / "lake")
    os.environ["OVERWATCH_SCHEMA"] = "benchmark"

    from overwatch.dbt_runner import run_dbt
    from overwatch.demo import serve_and_load
    from overwatch.lakehouse import load_target, spark_session
    from overwatch.layer_summary import count_rows_per_layer
    from overwatch.sample_workspace import generate_sample_workspace

    started = time.perf_counter()
    manifest = generate_sample_workspace(
        work_dir / "sample", days=arguments.days, workspace_count=arguments.workspaces, size=arguments.size
    )
    generate_seconds = time.perf_counter() - started

    spark_session(load_target())  # the JVM start is not the loaders' cost
    started = time.perf_counter()
    _config, load_summary = serve_and_load(manifest, work_dir / "sample")
    load_seconds = time.perf_counter() - started
    rows_loaded = sum(run.rows_written for run in load_summary.module_runs)

    started = time.perf_counter()
    run_dbt(["build", "--exclude", "resource_type:test", "resource_type:unit_test"])
    build_seconds = time.perf_counter() - started
    counts = count_rows_per_layer(spark_session(load_target()), load_target())
    rows_built = sum(count.rows for count in counts if count.layer in ("silver", "gold"))

    print(f"\nbenchmark: {arguments.size} workspace, {arguments.workspaces} x {arguments.days} days")
    print(f"  {'generate':<20} {generate_seconds:8.1f} s")
    print_throughput("load", load_seconds, rows_loaded, "bronze rows")
    for run in load_summary.module_runs:
        module_seconds = max((run.finished_at - run.started_at).total_seconds(), 1.0)
        print_throughput(f"  {run.module_name}", module_seconds, run.rows_written, "rows")
    print_throughput("dbt build", build_seconds, rows_built, "silver and gold rows")
    print_spark_event_log_comparison(
        spark_session(load_target()), work_dir / "sample" / "cluster_logs", list(load_summary.module_runs)
    )
    print(f"  (work folder {work_dir})")


if __name__ == "__main__":
    main()
