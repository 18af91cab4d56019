"""What each query read: rows and bytes of every table scan, from Spark's own SQL metrics.

Time cannot show scaling at the sizes a laptop builds (fixed per-query overhead hides it), the data read
can. Spark records, for every SQL execution, the metrics of each plan node in its SQL status store (the
SQL tab's data, kept even with the UI off): a table scan's `number of output rows`, and for Iceberg
scans the `total data file size (bytes)` of the data files planned. Each execution also carries the job
description of the thread that ran it, so labelling a thread (`label_queries`) labels its queries;
`dbt_node_labeller` does that for every dbt node as it starts, which attributes reads to models even
with several dbt threads.

Iceberg's vectorized reader leaves row filters to Spark, so a scan's output rows are the rows of the
files it read after partition and min/max pruning: what the query read, not what it kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

JOB_DESCRIPTION = "spark.job.description"
ROWS_METRIC = "number of output rows"
# Iceberg's driver-side scan metric (org.apache.iceberg.spark.source.metrics.TotalDataFileSize).
BYTES_METRIC = "total data file size (bytes)"
SCAN_NODE = re.compile(r"^(?:BatchScan|Scan \w+) (?P<table>[^\s\[]+)")
UNLABELLED = "(unlabelled)"
PLAN_WRAPPERS = ("WholeStageCodegen", "InputAdapter", "AdaptiveSparkPlan", "AQEShuffleRead")


@dataclass(frozen=True)
class ScanRead:
    """One table scan of one query."""

    label: str
    table: str
    rows: int
    bytes: int


@dataclass(frozen=True)
class ExecutionRead:
    """One SQL execution: its label, its duration and the scans in its plan."""

    execution_id: int
    label: str
    seconds: float
    scans: tuple[ScanRead, ...]


def label_queries(spark: SparkSession, label: str | None) -> None:
    """Label the queries this thread runs from now on (None clears the label)."""
    spark.sparkContext.setLocalProperty(JOB_DESCRIPTION, label)  # type: ignore[arg-type]


def dbt_node_labeller(spark: SparkSession) -> Callable[[Any], None]:
    """A dbtRunner callback that labels each node's queries with its unique_id.

    dbt fires NodeStart in the worker thread that then runs the node, and PySpark pins each Python
    thread to a JVM thread, so the label set here is the one Spark reads when the node's queries start.
    """

    def on_event(event: Any) -> None:
        if event.info.name == "NodeStart":
            label_queries(spark, event.data.node_info.unique_id)

    return on_event


class SqlExecutionLog:
    """The SQL executions of a SparkSession since the log was (re)started."""

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark
        self._jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
        self._store = spark._jsparkSession.sharedState().statusStore()  # type: ignore[attr-defined]
        self._after_id = -1
        self.restart()

    def restart(self) -> None:
        """Forget every execution so far: `executions()` returns only those that start later."""
        self._after_id = max((execution.executionId() for execution in self._ui_executions()), default=-1)

    def executions(self) -> list[ExecutionRead]:
        """Every finished execution since the last restart, with its scans."""
        return [
            self._read(execution)
            for execution in self._ui_executions()
            if execution.executionId() > self._after_id
        ]

    def plan_nodes(self, execution_id: int) -> list[str]:
        """Names of the execution's plan nodes from the top, wrappers (codegen stages, adapters) left out."""
        nodes = self._java_list(self._store.planGraph(execution_id).allNodes())
        return [name for node in nodes if not (name := node.name()).startswith(PLAN_WRAPPERS)]

    def _ui_executions(self) -> list[Any]:
        # Execution ends reach the status store through the listener bus, asynchronously.
        self._spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()  # type: ignore[attr-defined]
        return self._java_list(self._store.executionsList())

    def _read(self, execution: Any) -> ExecutionRead:
        execution_id = execution.executionId()
        label = execution.description() or UNLABELLED
        completed = execution.completionTime()
        seconds = (
            (completed.get().getTime() - execution.submissionTime()) / 1000 if completed.isDefined() else 0.0
        )
        values = self._jvm.scala.collection.JavaConverters.mapAsJavaMapConverter(
            self._store.executionMetrics(execution_id)
        ).asJava()
        scans = tuple(
            self._scan(label, node, values)
            for node in self._java_list(self._store.planGraph(execution_id).allNodes())
            if SCAN_NODE.match(node.name())
        )
        return ExecutionRead(execution_id, label, seconds, scans)

    def _scan(self, label: str, node: Any, values: Any) -> ScanRead:
        metrics = {
            metric.name(): values.get(metric.accumulatorId()) for metric in self._java_list(node.metrics())
        }
        match = SCAN_NODE.match(node.name())
        return ScanRead(
            label=label,
            table=match.group("table") if match else node.name(),
            rows=metric_number(metrics.get(ROWS_METRIC)),
            bytes=metric_number(metrics.get(BYTES_METRIC)),
        )

    def _java_list(self, scala_seq: Any) -> list[Any]:
        return list(self._jvm.scala.collection.JavaConverters.seqAsJavaListConverter(scala_seq).asJava())


def metric_number(text: str | None) -> int:
    """A summed SQL metric as Spark formats it ("1,234"); 0 when the node never ran."""
    if not text:
        return 0
    digits = text.strip().splitlines()[0].replace(",", "")
    return int(digits) if digits.isdigit() else 0


@dataclass(frozen=True)
class LabelReads:
    """What one label's queries read in all: rows, bytes, and the rows of each table scanned."""

    rows: int = 0
    bytes: int = 0
    rows_by_table: Mapping[str, int] = field(default_factory=dict)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(self.rows_by_table)


def reads_by_label(executions: Iterable[ExecutionRead]) -> dict[str, LabelReads]:
    """Rows, bytes and tables read per label, over the label's executions."""
    totals: dict[str, LabelReads] = {}
    for execution in executions:
        for scan in execution.scans:
            seen = totals.get(scan.label, LabelReads())
            rows_by_table = {**seen.rows_by_table}
            rows_by_table[scan.table] = rows_by_table.get(scan.table, 0) + scan.rows
            totals[scan.label] = LabelReads(seen.rows + scan.rows, seen.bytes + scan.bytes, rows_by_table)
    return totals
