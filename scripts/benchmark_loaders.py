"""Benchmark the loaders' writes: the audit loader beside a single-commit plain write of the same files,
and the commits a load run makes per bronze table.

The plain write is what landing the files costs at the least: `spark.read.json` of every delivered audit
file (schema given, inferred beforehand and not timed) and one append into an Iceberg table. The audit
loader is a load run (`run_loaders`) of the audit modules alone (every workspace's and the account's),
run log included. Both run in fresh schemas of a lake of their own. Example:
`.venv/bin/python scripts/benchmark_loaders.py --size small --days 2 --workspaces 2`.
`compare_audit_loader(...)` is the function another script can call with a generated sample.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from overwatch.scan_metrics import SqlExecutionLog

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from overwatch.lakehouse import Target
    from overwatch.sample_workspace.generator import SampleWorkspaceManifest

AUDIT_FILES_GLOB = "audit_logs/workspaceId=*/date=*/*.json"
PROFILE_LINES = 12


@dataclass(frozen=True)
class AuditLoaderComparison:
    files: int
    megabytes: float
    events: int
    loader_times: tuple[float, ...]
    plain_times: tuple[float, ...]
    commits_per_table: dict[str, int]
    # The Spark SQL executions of the last loader run: (seconds, what ran), slowest first.
    loader_executions: tuple[tuple[float, str], ...] = ()

    @property
    def loader_seconds(self) -> float:
        return statistics.median(self.loader_times)

    @property
    def plain_seconds(self) -> float:
        return statistics.median(self.plain_times)

    @property
    def ratio(self) -> float:
        return self.loader_seconds / self.plain_seconds

    def print(self) -> None:
        print(f"  audit logs: {self.files} files, {self.megabytes:.1f} MB, {self.events:,} events landed")
        for step, seconds in (("audit loader", self.loader_seconds), ("plain write", self.plain_seconds)):
            print(f"    {step:<14} {seconds:8.1f} s  {self.megabytes * 1000 / seconds:8.1f} kB/s")
        print(f"    audit loader / single-commit plain write: {self.ratio:.2f}x (medians)")
        if len(self.loader_times) > 1:
            print(
                "    each attempt, loader / plain: "
                + ", ".join(
                    f"{loader:.1f}/{plain:.1f} s"
                    for loader, plain in zip(self.loader_times, self.plain_times, strict=True)
                )
            )
        if self.loader_executions:
            total = sum(seconds for seconds, _what in self.loader_executions)
            print(
                f"    last loader run: {len(self.loader_executions)} Spark SQL executions,"
                f" {total:.1f} s in them; slowest:"
            )
            for seconds, what in self.loader_executions[:PROFILE_LINES]:
                print(f"      {seconds:6.2f} s  {what}")
        print("    commits of the load run per table: " + commits_text(self.commits_per_table))


def commits_text(commits: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(commits.items()) if count) or "none"


def commits_per_table(spark: SparkSession, target: Target) -> dict[str, int]:
    from overwatch.bronze_tables import ALL_TABLES
    from overwatch.commit_metrics import commit_count

    return {table.name: commit_count(spark, target, target.bronze_table(table.name)) for table in ALL_TABLES}


def compare_audit_loader(
    spark: SparkSession,
    target: Target,
    manifest: SampleWorkspaceManifest,
    sample_dir: Path,
    *,
    repeats: int = 1,
    profile: bool = False,
) -> AuditLoaderComparison:
    """Time the audit loader and the plain write of the same files `repeats` times each, alternating,
    each in a fresh schema; the medians are compared."""
    files = sorted(str(path) for path in sample_dir.glob(AUDIT_FILES_GLOB))
    schema = spark.read.json(files).schema  # inferred once, outside both timings
    loader_times, plain_times, events, commits, executions = [], [], 0, {}, ()
    for attempt in range(repeats):
        plain_table = _plain_table(spark, replace(target, schema=f"{target.schema}_plain{attempt}"), schema)
        started = time.perf_counter()
        spark.read.schema(schema).json(files).writeTo(plain_table).append()
        plain_times.append(time.perf_counter() - started)
        loader_target = replace(target, schema=f"{target.schema}_audit{attempt}")
        log = SqlExecutionLog(spark) if profile else None
        seconds, events, commits, executions = _audit_load_run(
            spark, loader_target, manifest, sample_dir, log
        )
        loader_times.append(seconds)
    return AuditLoaderComparison(
        files=len(files),
        megabytes=sum(Path(path).stat().st_size for path in files) / 1_000_000,
        events=events,
        loader_times=tuple(loader_times),
        plain_times=tuple(plain_times),
        commits_per_table=commits,
        loader_executions=executions,
    )


def _executions_run(log: SqlExecutionLog) -> tuple[tuple[float, str], ...]:
    """The loader run's SQL executions, slowest first, each named by its call site and plan's top nodes
    (`sql at <unknown>` alone would not tell a merge from a create table)."""
    runs = [
        (
            execution.seconds,
            f"{execution.label[:60]} [{' > '.join(log.plan_nodes(execution.execution_id)[:4])}]",
        )
        for execution in log.executions()
    ]
    return tuple(sorted(runs, reverse=True))


def _plain_table(spark: SparkSession, target: Target, schema) -> str:
    """An empty table of the files' schema, created outside the timing (as the bronze tables are)."""
    table = target.bronze_table("audit_plain")
    spark.sql(f"create schema if not exists `{target.bronze_schema}`")
    spark.createDataFrame([], schema).writeTo(table).using(target.table_format).createOrReplace()
    return table


def _audit_load_run(
    spark: SparkSession,
    target: Target,
    manifest: SampleWorkspaceManifest,
    sample_dir: Path,
    log: SqlExecutionLog | None = None,
) -> tuple[float, int, dict[str, int], tuple[tuple[float, str], ...]]:
    """A load run of the audit modules alone: seconds, events landed, commits per table and, with `log`,
    the run's SQL executions (the log restarted as the timing starts, read as it ends)."""
    from overwatch.bronze_tables import create_bronze_tables
    from overwatch.demo import demo_config
    from overwatch.deployment_config import Scope, parse_config
    from overwatch.pipeline import run_loaders

    # The audit modules call no API: the hosts are never reached.
    hosts = {workspace.organization_id: "http://127.0.0.1:9" for workspace in manifest.workspaces}
    raw_config = demo_config(manifest, hosts, sample_dir)
    raw_config["skip_scopes"] = [
        scope.value for scope in Scope if scope not in (Scope.AUDIT_LOGS, Scope.ACCOUNT_AUDIT_LOGS)
    ]
    config = parse_config(raw_config, "benchmark")
    create_bronze_tables(spark, target)
    before = commits_per_table(spark, target)
    if log is not None:
        log.restart()
    started = time.perf_counter()
    summary = run_loaders(config, target, spark, until=manifest.end_time, progress=lambda _message: None)
    seconds = time.perf_counter() - started
    executions = _executions_run(log) if log is not None else ()
    if summary.failed:
        raise RuntimeError(f"audit modules failed: {[run.error_message for run in summary.failed]}")
    after = commits_per_table(spark, target)
    events = sum(run.rows_written for run in summary.module_runs)
    return seconds, events, {name: after[name] - before[name] for name in after}, executions


def full_run_commits(
    spark: SparkSession, manifest: SampleWorkspaceManifest, sample_dir: Path
) -> dict[str, int]:
    """Commits per table of one load run of every module (the demo's run, fake API served)."""
    from overwatch.bronze_tables import create_bronze_tables
    from overwatch.demo import serve_and_load
    from overwatch.lakehouse import load_target

    target = load_target()
    create_bronze_tables(spark, target)
    before = commits_per_table(spark, target)
    _config, summary = serve_and_load(manifest, sample_dir)
    if summary.failed:
        raise RuntimeError(f"modules failed: {[run.module_name for run in summary.failed]}")
    after = commits_per_table(spark, target)
    return {name: after[name] - before[name] for name in after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("small", "medium", "large"), default="small")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--workspaces", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="timings per side; medians are compared")
    parser.add_argument(
        "--profile", action="store_true", help="print the loader run's slowest Spark SQL executions"
    )
    parser.add_argument("--no-full-run", action="store_true", help="skip the full load run's commit count")
    arguments = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="overwatch-loader-benchmark-"))
    os.environ["OVERWATCH_LAKE_DIR"] = str(work_dir / "lake")
    os.environ["OVERWATCH_SCHEMA"] = "loaderbench"

    from overwatch.lakehouse import load_target, spark_session
    from overwatch.sample_workspace import generate_sample_workspace

    sample_dir = work_dir / "sample"
    manifest = generate_sample_workspace(
        sample_dir, days=arguments.days, workspace_count=arguments.workspaces, size=arguments.size
    )
    target = load_target()
    spark = spark_session(target)  # the JVM start is neither side's cost
    print(f"loader benchmark: {arguments.workspaces} workspaces x {arguments.days} days, {arguments.size}")
    compare_audit_loader(
        spark, target, manifest, sample_dir, repeats=arguments.repeats, profile=arguments.profile
    ).print()
    if arguments.no_full_run:
        return
    print(
        "  full load run (every module), commits per table: "
        + commits_text(full_run_commits(spark, manifest, sample_dir))
    )


if __name__ == "__main__":
    main()
