"""Benchmark: does one more day cost the same at 30 days of history as at 1? Load and build apart.

Builds two lakes from generated workspaces of the same size: one with `--history-days` N days of
history, and one per `--baseline-days` B (one day by default). In each it loads the history one day per load
run, as a deployment's daily runs do (`--history-in-one-load` loads it in one run: faster, but every API
snapshot and load time then falls on the history's last day, inside the next run's look-back), builds it,
then loads and builds one more day incrementally; the N-day lake then runs once more with nothing new, and
once with `--full-refresh` over the same data. The first three builds are `overwatch build`'s
(overwatch.model_build): the history's is a full one (no state yet), the next two select what new data
reaches. For every step it prints load and build seconds, and, per model
and in total, the data the build read (rows and bytes of every table scan, from Spark's SQL metrics:
overwatch.scan_metrics), because at sizes this machine can build fixed per-query overhead hides
scaling from time alone. It ends with the ratios the issue sets targets for, each flagged when it misses,
and, for each node whose reads grow past the target, the rows it read from each table at both sizes.

Data tests and unit tests are left out of the builds: tests check whole tables by design, so their
reads grow with history; the models' reads are what must not. Runs in a fresh lake of its own, so it
never touches the demo's tables. Example: `.venv/bin/python scripts/benchmark.py --history-days 3 --size
small`; `make benchmark` runs the defaults (30 days, small).

Against one day of history a windowed model's ratio has a floor: a window of the newest day less
`lookback_days` (2) holds four days at 30 days of history but only the two days a one-day lake has. A
baseline past the look-back (`--baseline-days 1 7`) shows whether the read still grows with history.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from overwatch.deployment_config import DeploymentConfig
    from overwatch.run_log import ModuleRun
    from overwatch.sample_workspace import SampleWorkspaceManifest
    from overwatch.scan_metrics import LabelReads, SqlExecutionLog

# Models only: see the module docstring.
BUILD_ARGUMENTS = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# The targets of issue 13's "done when".
READ_RATIO_TARGET = 1.3
NOTHING_NEW_SHARE_TARGET = 0.25
# A table "grows" when it holds this many times more rows at N days of history than at the baseline's.
GROWING_TABLE_RATIO = 1.3
# Enough SQL executions for the largest build to stay in Spark's status store until it is read.
RETAINED_EXECUTIONS = "20000"
OUTSIDE_NODES = "dbt (outside nodes)"
LAKE_SCHEMA = re.compile(r"\.benchmark_\d+d_")

HISTORY, INCREMENTAL, NOTHING_NEW, FULL_REBUILD = "history", "one more day", "nothing new", "full rebuild"


@dataclass(frozen=True)
class NodeRun:
    """One dbt node in one build: dbt's seconds (as in run_results.json) and the data its queries read."""

    materialized: str
    seconds: float
    reads: LabelReads

    @property
    def rows(self) -> int:
        return self.reads.rows

    @property
    def bytes(self) -> int:
        return self.reads.bytes


@dataclass(frozen=True)
class Step:
    """One load and the dbt build after it."""

    load_seconds: float
    load_rows: int
    build_seconds: float
    nodes: dict[str, NodeRun]

    @property
    def tables_read(self) -> set[str]:
        return {table for node in self.nodes.values() for table in node.reads.tables}

    @property
    def rows_read(self) -> int:
        return sum(node.rows for node in self.nodes.values())

    @property
    def bytes_read(self) -> int:
        return sum(node.bytes for node in self.nodes.values())


@dataclass(frozen=True)
class Lake:
    """The steps of one lake and the rows of each table its incremental day read (schema-free names)."""

    history_days: int
    steps: dict[str, Step]
    table_rows: dict[str, int]

    def tables_read_by(self, node_id: str) -> set[str]:
        node = self.steps[INCREMENTAL].nodes.get(node_id)
        return {schema_free(table) for table in node.reads.tables} if node else set()


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
    print(
        f"  spark event logs: {len(files)} files, {megabytes:.1f} MB on disk (gzip counted compressed),"
        f" {len(runs)} load runs"
    )
    for step, seconds, rows in (("loader", load_seconds, events), ("bare read.json", bare_seconds, lines)):
        rates = f"{megabytes / seconds:8.2f} MB/s  {rows / seconds:>10,.0f} events/s"
        print(f"    {step:<16} {seconds:8.1f} s  {rates}")
    print(f"    loader / bare read time: {load_seconds / bare_seconds:.1f}x")


def print_loader_benchmarks(
    spark: SparkSession, manifest: SampleWorkspaceManifest, sample_dir: Path, load_runs: list[ModuleRun]
) -> None:
    """Loaders against the bare engine, on the N-day lake's sample and load runs: each module's rows per
    second, the event log loader against a plain read, the audit loader against a single-commit write."""
    # Run as a script, Python puts this folder on sys.path: the sibling script imports as a module.
    from benchmark_loaders import compare_audit_loader
    from overwatch.lakehouse import load_target

    print("\nloaders")
    for module_name in dict.fromkeys(run.module_name for run in load_runs):
        runs = [run for run in load_runs if run.module_name == module_name]
        module_seconds = max(sum((run.finished_at - run.started_at).total_seconds() for run in runs), 1.0)
        rows = sum(run.rows_written for run in runs)
        print_throughput(module_name, module_seconds, rows, f"rows, {len(runs)} runs")
    print_spark_event_log_comparison(spark, sample_dir / "cluster_logs", load_runs)
    compare_audit_loader(spark, load_target(), manifest, sample_dir).print()


def schema_free(table: str) -> str:
    """A table's name without its lake's schema, so the two lakes' tables compare."""
    return LAKE_SCHEMA.sub(".<schema>_", table)


def build(
    spark: SparkSession,
    log: SqlExecutionLog,
    config: DeploymentConfig,
    until: datetime,
    select: Sequence[str],
    *,
    full_refresh: bool = False,
) -> tuple[float, dict[str, NodeRun]]:
    """One build of the models, timed, with each node's seconds and reads: what the last build's state
    says is new (overwatch.model_build, as `overwatch build` and the demo run it), or with `full_refresh`
    a plain `dbt build --full-refresh` of every selected model."""
    from overwatch.dbt_runner import run_dbt
    from overwatch.model_build import build_models
    from overwatch.scan_metrics import LabelReads, dbt_node_labeller, label_queries, reads_by_label

    dbt_vars = config.dbt_vars(until_time=until)
    log.restart()
    label_queries(spark, OUTSIDE_NODES)
    started = time.perf_counter()
    if full_refresh:
        selection = ["--select", *select] if select else []
        arguments = [*BUILD_ARGUMENTS, *selection, "--full-refresh", "--vars", json.dumps(dbt_vars)]
        results = run_dbt(arguments, callbacks=[dbt_node_labeller(spark)]).result.results  # type: ignore[attr-defined]
    else:
        built = build_models(
            dbt_vars, extra_arguments=BUILD_ARGUMENTS[1:], select=select, callbacks=[dbt_node_labeller(spark)]
        )
        print(f"benchmark: {built.describe()}")
        results = built.result.results if built.result is not None else []  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    label_queries(spark, None)
    reads = reads_by_label(log.executions())
    nodes = {
        result.node.unique_id: NodeRun(
            # Exposures are in a build's results too, and have no materialization.
            getattr(result.node.config, "materialized", result.node.resource_type),
            result.execution_time,
            reads.get(result.node.unique_id, LabelReads()),
        )
        for result in results
    }
    nodes[OUTSIDE_NODES] = NodeRun("-", 0.0, reads.get(OUTSIDE_NODES, LabelReads()))
    print_build(seconds, nodes)
    return seconds, nodes


def print_build(seconds: float, nodes: dict[str, NodeRun]) -> None:
    """Each build's figures as it ends, so a long run shows them before its final tables."""
    print(f"benchmark: build {seconds:.1f} s, {sum(node.rows for node in nodes.values()):,} rows read")
    for node_id, node in sorted(nodes.items()):
        if node.rows or node.seconds >= 1:
            print(f"  {node_id:<60} {node.seconds:8.1f} s {node.rows:>12,} rows {node.bytes:>14,} bytes")


def load_and_build(
    spark: SparkSession,
    log: SqlExecutionLog,
    manifest: SampleWorkspaceManifest,
    sample_dir: Path,
    load_untils: Sequence[datetime],
    selection: Sequence[str],
) -> tuple[Step, list[ModuleRun], DeploymentConfig]:
    """One load run up to each of `load_untils`, then one build up to the last."""
    from overwatch.demo import serve_and_load

    started = time.perf_counter()
    module_runs: list[ModuleRun] = []
    for until in load_untils:
        config, summary = serve_and_load(manifest, sample_dir, until=until)
        if summary.failed:
            raise SystemExit(f"loader modules failed: {[run.module_name for run in summary.failed]}")
        module_runs.extend(summary.module_runs)
    load_seconds = time.perf_counter() - started
    load_rows = sum(run.rows_written for run in module_runs)
    build_seconds, nodes = build(spark, log, config, load_untils[-1], selection)
    return Step(load_seconds, load_rows, build_seconds, nodes), module_runs, config


def load_in_one_run(manifest: SampleWorkspaceManifest, sample_dir: Path, until: datetime) -> list[ModuleRun]:
    """The history loaded again in one load run, into a schema of its own: the loader benchmarks time a
    large load, where daily runs would time mostly each run's fixed cost."""
    from overwatch.demo import serve_and_load

    schema = os.environ["OVERWATCH_SCHEMA"]
    os.environ["OVERWATCH_SCHEMA"] = f"{schema}_one_load"
    try:
        _config, summary = serve_and_load(manifest, sample_dir, until=until)
    finally:
        os.environ["OVERWATCH_SCHEMA"] = schema
    return list(summary.module_runs)


def history_load_untils(start: datetime, history_days: int, daily: bool) -> list[datetime]:
    """Where each history load run ends: one per day, as a deployment's daily runs load (so that API
    snapshots and load times spread over the history as they would), or one run for the whole history."""
    if not daily:
        return [start + timedelta(days=history_days)]
    return [start + timedelta(days=day) for day in range(1, history_days + 1)]


def run_lake(
    spark: SparkSession,
    log: SqlExecutionLog,
    arguments: argparse.Namespace,
    history_days: int,
    *,
    complete: bool,
) -> Lake:
    """History, then one more day; `complete` adds a run with nothing new and a full rebuild."""
    from overwatch.sample_workspace import generate_sample_workspace

    os.environ["OVERWATCH_SCHEMA"] = f"benchmark_{history_days}d"
    sample_dir = arguments.work_dir / f"sample_{history_days}d"
    manifest = generate_sample_workspace(
        sample_dir, days=history_days + 1, workspace_count=arguments.workspaces, size=arguments.size
    )
    end = manifest.end_time
    selection = arguments.select
    steps = {}
    history_untils = history_load_untils(manifest.start_time, history_days, arguments.daily_history_loads)
    steps[HISTORY], load_runs, _config = load_and_build(
        spark, log, manifest, sample_dir, history_untils, selection
    )
    steps[INCREMENTAL], more_runs, config = load_and_build(spark, log, manifest, sample_dir, [end], selection)
    table_rows = {name: table_row_count(spark, name) for name in steps[INCREMENTAL].tables_read}
    if complete:
        steps[NOTHING_NEW], _runs, _config = load_and_build(
            spark, log, manifest, sample_dir, [end], selection
        )
        seconds, nodes = build(spark, log, config, end, selection, full_refresh=True)
        steps[FULL_REBUILD] = Step(0.0, 0, seconds, nodes)
        if arguments.daily_history_loads:
            load_runs = load_in_one_run(manifest, sample_dir, history_untils[-1])
        print_loader_benchmarks(spark, manifest, sample_dir, load_runs + more_runs)
    return Lake(history_days, steps, {schema_free(name): rows for name, rows in table_rows.items()})


def table_row_count(spark: SparkSession, name: str) -> int:
    """Rows of a table a build read; 0 for one that is gone (a dbt temporary relation)."""
    from pyspark.errors import AnalysisException

    try:
        return spark.table(name).count()
    except AnalysisException:
        return 0


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def show_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def print_steps(lakes: Sequence[Lake]) -> None:
    print(f"\n{'step':<34} {'load s':>8} {'bronze rows':>12} {'build s':>8} {'rows read':>12} {'MB read':>9}")
    for lake in lakes:
        for name, step in lake.steps.items():
            label = f"{lake.history_days}d lake: {name}"
            print(
                f"{label:<34} {step.load_seconds:8.1f} {step.load_rows:>12,} {step.build_seconds:8.1f}"
                f" {step.rows_read:>12,} {step.bytes_read / 1e6:9.3f}"
            )


def growing_tables(long: Lake, short: Lake) -> set[str]:
    """Tables with more than GROWING_TABLE_RATIO times the rows at N days of history than at one."""
    return {
        name
        for name, rows in long.table_rows.items()
        if rows > GROWING_TABLE_RATIO * short.table_rows.get(name, 0)
    }


def print_models(long: Lake, short: Lake) -> list[str]:
    """One line per node that read data in either incremental day; returns the misses it flags."""
    growing = growing_tables(long, short)
    day_n, day_baseline = long.steps[INCREMENTAL].nodes, short.steps[INCREMENTAL].nodes
    full = long.steps.get(FULL_REBUILD)
    misses = []
    n, b = long.history_days, short.history_days
    print(
        f"\none more day, per node: seconds and data read at {b} and {n} days of history"
        f" (full s: the node in a --full-refresh build of the same data)"
    )
    seconds_header = f"{'node':<46} {'kind':<11} {f's@{b}d':>6} {f's@{n}d':>6} {'full s':>6}"
    reads_header = (
        f"{f'rows@{b}d':>10} {f'rows@{n}d':>10} {'ratio':>7} {f'MB@{b}d':>7} {f'MB@{n}d':>7} {'ratio':>7}"
    )
    print(f"{seconds_header} {reads_header}  flags")
    quiet_seconds, quiet_nodes = 0.0, 0
    for node_id in sorted(set(day_n) | set(day_baseline)):
        now, before = day_n.get(node_id), day_baseline.get(node_id)
        if now is None or before is None:
            continue
        if not now.rows and not before.rows:
            quiet_seconds, quiet_nodes = quiet_seconds + now.seconds, quiet_nodes + 1
            continue
        full_seconds = full.nodes[node_id].seconds if full and node_id in full.nodes else 0.0
        flags = node_flags(node_id, now, before, full_seconds, bool(long.tables_read_by(node_id) & growing))
        misses += [f"{node_id}: {flag}" for flag in flags]
        print(
            f"{node_id.removeprefix('model.overwatch.'):<46.46} {now.materialized:<11.11}"
            f" {before.seconds:6.1f} {now.seconds:6.1f} {full_seconds:6.1f}"
            f" {before.rows:>10,} {now.rows:>10,}"
            f" {show_ratio(ratio(now.rows, before.rows)):>7} {before.bytes / 1e6:7.3f} {now.bytes / 1e6:7.3f}"
            f" {show_ratio(ratio(now.bytes, before.bytes)):>7}  {' '.join(flags)}"
        )
    print(f"{quiet_nodes} more nodes read no table (views, seeds, ...): {quiet_seconds:.1f} s at {n} days")
    print(f"growing tables read ({len(growing)}): {', '.join(sorted(growing)) or 'none'}")
    return misses


def print_growing_reads(long: Lake, short: Lake) -> None:
    """For each node whose reads grow past the target: the tables it read, largest first, at both sizes.

    Names which input makes a model scale with history (a table read whole, a filter that does not prune).
    """
    day_n, day_baseline = long.steps[INCREMENTAL].nodes, short.steps[INCREMENTAL].nodes
    n, b = long.history_days, short.history_days
    lines = []
    for node_id in sorted(set(day_n) & set(day_baseline)):
        now, before = day_n[node_id].reads, day_baseline[node_id].reads
        if not now.rows or (before.rows and now.rows <= READ_RATIO_TARGET * before.rows):
            continue
        rows_before = {schema_free(table): rows for table, rows in before.rows_by_table.items()}
        lines.append(f"  {node_id.removeprefix('model.overwatch.')}")
        for table, rows in sorted(now.rows_by_table.items(), key=lambda item: -item[1]):
            was = rows_before.get(schema_free(table), 0)
            lines.append(
                f"    {schema_free(table):<58.58} {was:>10,} {rows:>10,} {show_ratio(ratio(rows, was)):>8}"
            )
    if lines:
        print(f"\nwhere the growing reads come from: rows read per table at {b} and {n} days of history")
        print("\n".join(lines))


def node_flags(node_id: str, now: NodeRun, before: NodeRun, full_seconds: float, grows: bool) -> list[str]:
    flags = []
    read_ratio = ratio(now.rows, before.rows)
    if grows and (read_ratio is None or read_ratio > READ_RATIO_TARGET):
        flags.append(f"READS>{READ_RATIO_TARGET}x")
    if now.materialized == "incremental" and full_seconds and now.seconds > full_seconds:
        flags.append("SLOWER-THAN-FULL-REBUILD")
    return flags


def print_targets(long: Lake, short: Lake, misses: list[str]) -> None:
    n, b = long.history_days, short.history_days
    total = ratio(long.steps[INCREMENTAL].rows_read, short.steps[INCREMENTAL].rows_read)
    total_bytes = ratio(long.steps[INCREMENTAL].bytes_read, short.steps[INCREMENTAL].bytes_read)
    nothing_new = ratio(long.steps[NOTHING_NEW].build_seconds, long.steps[HISTORY].build_seconds)
    build_time = ratio(long.steps[INCREMENTAL].build_seconds, short.steps[INCREMENTAL].build_seconds)
    print("\ntargets (issue 13)")
    print(f"  build seconds of one more day, {n}d / {b}d history: {show_ratio(build_time)} (no target)")
    print(f"  bytes read by one more day, {n}d / {b}d history: {show_ratio(total_bytes)}")
    verdict(f"rows read by one more day, {n}d / {b}d history", total, READ_RATIO_TARGET)
    verdict("build with nothing new / first full build", nothing_new, NOTHING_NEW_SHARE_TARGET)
    print(f"  per node: {len(misses)} miss{'es' if len(misses) != 1 else ''}")
    for miss in misses:
        print(f"    MISS {miss}")


def verdict(what: str, value: float | None, target: float) -> None:
    status = "ok" if value is not None and value <= target else "MISS"
    print(f"  {what}: {show_ratio(value)} (target <= {target}x) {status}")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--history-days", type=int, default=30, help="days of history before the measured day"
    )
    parser.add_argument(
        "--baseline-days",
        type=int,
        nargs="+",
        default=[1],
        help="days of history of each lake compared with (default 1)",
    )
    parser.add_argument("--size", choices=("small", "medium", "large"), default="small")
    parser.add_argument("--workspaces", type=int, default=1)
    parser.add_argument("--select", nargs="+", default=[], help="dbt node selection (default: every model)")
    parser.add_argument(
        "--history-in-one-load",
        dest="daily_history_loads",
        action="store_false",
        help="load the history in one load run (faster) instead of one per day, as a deployment would",
    )
    arguments = parser.parse_args(argv)
    if not all(1 <= days < arguments.history_days for days in arguments.baseline_days):
        parser.error("--baseline-days must be at least 1 and fewer than --history-days")
    return arguments


def start_spark() -> tuple[SparkSession, SqlExecutionLog]:
    from overwatch.lakehouse import load_target, spark_session
    from overwatch.scan_metrics import SqlExecutionLog

    target = load_target()
    conf = {**target.spark_conf, "spark.sql.ui.retainedExecutions": RETAINED_EXECUTIONS}
    spark = spark_session(replace(target, spark_conf=conf))  # dbt's session method reuses this one
    return spark, SqlExecutionLog(spark)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    arguments.work_dir = Path(tempfile.mkdtemp(prefix="overwatch-benchmark-"))
    os.environ["OVERWATCH_LAKE_DIR"] = str(arguments.work_dir / "lake")
    started = time.perf_counter()
    spark, log = start_spark()
    long = run_lake(spark, log, arguments, arguments.history_days, complete=True)
    baselines = [run_lake(spark, log, arguments, days, complete=False) for days in arguments.baseline_days]
    sizes = f"{arguments.size} workspace x {arguments.workspaces}"
    print_steps([long, *baselines])
    for short in baselines:
        print(f"\nbenchmark: {sizes}, {arguments.history_days} days of history against {short.history_days}")
        misses = print_models(long, short)
        print_growing_reads(long, short)
        print_targets(long, short, misses)
    print(f"  (work folder {arguments.work_dir}; {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
