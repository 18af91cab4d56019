"""SQL warehouse state events into `warehouse_events_bronze`, in the columns of
`system.compute.warehouse_events`.

On Databricks the system table is read; where a workspace names `warehouse_events_path` (the sample
workspace), JSON-lines files of the same columns under `<path>/workspaceId=<id>/` are read instead, and
a line that is not a complete event goes to `bronze_quarantine` with its file, line and reason. Events
reach the system table late, so each window re-reads a day before it; the merge adds nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from overwatch.bronze_tables import QUARANTINE, WAREHOUSE_EVENTS
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.json_lines import read_json_lines
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SOURCE_NAME = "warehouse_events"
LOOKBACK = timedelta(days=1)
EVENT_SCHEMA = (
    "account_id string, workspace_id string, warehouse_id string, event_type string, "
    "cluster_count int, event_time timestamp"
)
EVENT_SCHEMA_COLUMNS = tuple(field.split()[0] for field in EVENT_SCHEMA.split(", "))
REQUIRED_FIELDS = ("warehouse_id", "event_type", "event_time")
MALFORMED_LINE = "malformed JSON: the line is not one complete JSON object"


def load_warehouse_events(context: LoadContext, window: LoadWindow) -> int:
    """Load this workspace's warehouse events of the window (and the day before); returns rows inserted."""
    return commit_alone(context, stage_warehouse_events, window)


def stage_warehouse_events(context: LoadContext, window: LoadWindow) -> None:
    """Stage this workspace's warehouse events of the window (and the day before)."""
    from pyspark.sql import functions as F

    events = _events_from_source(context)
    if events is None:
        return
    in_window = events.where(
        (F.col("event_time") >= F.lit(window.from_time - LOOKBACK))
        & (F.col("event_time") < F.lit(window.until_time))
    ).select(
        F.lit(context.organization_id).alias("organization_id"),
        "account_id",
        "workspace_id",
        "warehouse_id",
        "event_type",
        F.col("cluster_count").cast("int").alias("cluster_count"),
        "event_time",
        "source_file",
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("loaded_at"),
    )
    staged_writes(context).stage(WAREHOUSE_EVENTS, in_window)
    context.report("warehouse events: the window's events staged")


def _events_from_source(context: LoadContext) -> DataFrame | None:
    from pyspark.sql import functions as F

    if context.workspace.warehouse_events_path:
        return _events_from_files(context)
    if context.target.is_local:
        context.report("warehouse events: no warehouse_events_path and no system table locally; skipped")
        return None
    table_name = context.workspace.warehouse_events_table
    return (
        context.spark.table(table_name)
        .where(F.col("workspace_id") == context.organization_id)
        .select(*EVENT_SCHEMA_COLUMNS, F.lit(table_name).alias("source_file"))
    )


def _events_from_files(context: LoadContext) -> DataFrame | None:
    """Parsed events of the workspace's files; bad lines are quarantined on the way."""
    from pyspark.sql import functions as F

    root = (context.workspace.warehouse_events_path or "").rstrip("/")
    folder = f"{root}/workspaceId={context.organization_id}"
    lines = read_json_lines(
        context.spark, folder, lambda message: context.report(f"warehouse events: {message}")
    )
    if lines is None:
        return None
    parsed = lines.select(
        "source_file",
        "line_number",
        "raw_record",
        F.from_json("raw_record", EVENT_SCHEMA).alias("event"),
        F.from_json("raw_record", "map<string, string>").alias("all_fields"),
    )
    missing = F.array_compact(
        F.array(*[F.when(F.col(f"event.{name}").isNull(), F.lit(name)) for name in REQUIRED_FIELDS])
    )
    reason = F.when(
        F.col("all_fields").isNull(), F.lit("malformed JSON: the line is not one complete JSON object")
    ).when(
        F.size(missing) > 0,
        F.concat(F.lit("missing or mistyped required field(s): "), F.array_join(missing, ", ")),
    )
    # Read once for the two tables it feeds.
    checked = staged_writes(context).cache(parsed.withColumn("reason", reason))
    quarantined = checked.where(F.col("reason").isNotNull()).select(
        F.lit(context.organization_id).alias("organization_id"),
        F.lit(SOURCE_NAME).alias("source"),
        "source_file",
        "line_number",
        "raw_record",
        "reason",
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("quarantined_at"),
    )
    staged_writes(context).stage(QUARANTINE, quarantined)
    return checked.where(F.col("reason").isNull()).select("event.*", "source_file")
