"""Audit logs from delivered JSON-lines files into `audit_log_bronze`.

Files follow the delivery layout `<audit_log_path>/workspaceId=<id>/date=YYYY-MM-DD/*.json`; account-level
events are delivered under `workspaceId=0` and loaded once per deployment by the account module
(`account_audit_loader`) with organization_id "0". Each file is loaded once (`bronze_file_tracker`);
every line lands either in bronze or, with its file, line number and reason, in `bronze_quarantine`, so
a bad line never stops the rest of its file. Delivery is at-least-once: repeated events are dropped on a
hash of every top-level field of the event, as Overwatch's `hashKey` did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from overwatch.bronze_tables import AUDIT_LOG, FILE_TRACKER, QUARANTINE
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import AuditLoadContext, LoadContext
from overwatch.run_log import LoadWindow

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

SOURCE_NAME = "audit_logs"
# Files read per Spark job: bounds driver memory for the file list and executor memory for wholetext.
FILES_PER_BATCH = 500

# Top-level fields of the delivery schema, typed; anything else is kept in `unparsed_fields`.
# requestParams is a map of strings: its keys differ by service and action and drift over time.
AUDIT_RECORD_FIELDS = (
    ("version", "string"),
    ("auditLevel", "string"),
    ("timestamp", "bigint"),
    ("orgId", "string"),
    ("workspaceId", "string"),
    ("shardName", "string"),
    ("accountId", "string"),
    ("sourceIPAddress", "string"),
    ("userAgent", "string"),
    ("sessionId", "string"),
    ("userIdentity", "struct<email: string, subjectName: string>"),
    ("serviceName", "string"),
    ("actionName", "string"),
    ("requestId", "string"),
    ("requestParams", "map<string, string>"),
    ("response", "struct<statusCode: int, errorMessage: string, result: string>"),
)
AUDIT_RECORD_SCHEMA = ", ".join(f"{name} {data_type}" for name, data_type in AUDIT_RECORD_FIELDS)
KNOWN_FIELDS = tuple(name for name, _ in AUDIT_RECORD_FIELDS)
REQUIRED_FIELDS = ("timestamp", "serviceName", "actionName")


def load_audit_logs(context: LoadContext, window: LoadWindow) -> int:
    """Load the workspace's not-yet-loaded delivery files dated before the window's end; returns rows
    inserted."""
    return commit_alone(context, stage_audit_logs, window)


def stage_audit_logs(context: LoadContext, window: LoadWindow) -> None:
    """Stage the workspace's not-yet-loaded delivery files dated before the window's end."""
    stage_delivery_files(context, window, context.workspace.audit_log_path or "")


def stage_delivery_files(context: AuditLoadContext, window: LoadWindow, audit_log_path: str) -> None:
    """Stage the files of `<audit_log_path>/workspaceId=<context's organization_id>` not loaded yet and
    dated before the window's end: their events, quarantined lines and file trackers."""
    folder = f"{audit_log_path.rstrip('/')}/workspaceId={context.organization_id}"
    new_files = _new_delivery_files(context, window, folder)
    context.report(f"audit logs: {len(new_files)} new files")
    for batch_start in range(0, len(new_files), FILES_PER_BATCH):
        _stage_batch(context, new_files[batch_start : batch_start + FILES_PER_BATCH])


def normalized_path(path: Column) -> Column:
    """One spelling per file, whichever Spark API reported it (`file:/x`, `file:///x`)."""
    from pyspark.sql import functions as F

    return F.regexp_replace(path, "^file:/+", "file:/")


def date_from_path(path: Column) -> Column:
    """The delivery date, from the `date=YYYY-MM-DD` folder of the file's path."""
    from pyspark.sql import functions as F

    return F.to_date(F.regexp_extract(path, r"date=(\d{4}-\d{2}-\d{2})", 1))


def _list_delivery_files(context: AuditLoadContext, folder: str) -> DataFrame | None:
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    try:
        # binaryFile lists path, size and time without reading the content when content is not selected.
        listing = (
            context.spark.read.format("binaryFile")
            .option("pathGlobFilter", "*.json")
            .option("recursiveFileLookup", "true")
            .load(folder)
            .select("path", "length", "modificationTime")
        )
    except AnalysisException as error:
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return None
        raise
    return listing.select(
        normalized_path(F.col("path")).alias("file_path"),
        F.col("length").alias("file_size"),
        F.col("modificationTime").alias("modification_time"),
        date_from_path(F.col("path")).alias("delivery_date"),
    )


def _new_delivery_files(context: AuditLoadContext, window: LoadWindow, folder: str) -> list[dict]:
    from pyspark.sql import functions as F

    listing = _list_delivery_files(context, folder)
    if listing is None:
        context.report(f"audit logs: no delivery folder at {folder} yet")
        return []
    already_loaded = (
        context.spark.table(context.target.bronze_table(FILE_TRACKER.name))
        .where((F.col("organization_id") == context.organization_id) & (F.col("source") == SOURCE_NAME))
        .select("file_path")
    )
    new_files = (
        listing.where(F.col("delivery_date") < F.lit(window.until_time.date()))
        .join(already_loaded, "file_path", "left_anti")
        .orderBy("file_path")
    )
    return [row.asDict() for row in new_files.collect()]


def _read_lines(context: AuditLoadContext, paths: list[str]) -> DataFrame:
    """One row per non-blank line with its 1-based line number: whole files keep line numbers exact."""
    from pyspark.sql import functions as F

    files = context.spark.read.text(paths, wholetext=True)
    lines = files.select(
        normalized_path(F.col("_metadata.file_path")).alias("source_file"),
        F.posexplode(F.split("value", "\n")).alias("line_index", "raw_line"),
    )
    return lines.select(
        "source_file",
        (F.col("line_index") + 1).alias("line_number"),
        F.regexp_replace("raw_line", "\r$", "").alias("raw_record"),
    ).where(F.trim("raw_record") != "")


def _rejection_reason(all_fields: Column, record: Column) -> Column:
    from pyspark.sql import functions as F

    missing = F.array_compact(
        F.array(*[F.when(record[name].isNull(), F.lit(name)) for name in REQUIRED_FIELDS])
    )
    return (
        F.when(all_fields.isNull(), F.lit("malformed JSON: the line is not one complete JSON object"))
        .when(
            F.size(missing) > 0,
            F.concat(
                F.lit("missing or mistyped required field(s): "),
                F.array_join(missing, ", "),
            ),
        )
        .otherwise(F.lit(None))
    )


def _parse(lines: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    known = F.array(*[F.lit(name) for name in KNOWN_FIELDS])
    all_fields = F.from_json("raw_record", "map<string, string>")
    record = F.from_json("raw_record", AUDIT_RECORD_SCHEMA)
    return lines.select(
        "*",
        record.alias("record"),
        F.map_filter(all_fields, lambda key, _value: ~F.array_contains(known, key)).alias("unparsed_fields"),
        _rejection_reason(all_fields, record).alias("rejection_reason"),
    )


def event_hash(organization_id: str) -> Column:
    """The event's identity: every top-level field, known or not, so events that differ only in
    workspace, audit level or user agent stay apart while a redelivered copy hashes the same.

    Fields are hashed as one JSON object whose keys name them: a null field then cannot make two events
    with the same values in other fields collide, as hashing a list of nullable columns would."""
    from pyspark.sql import functions as F

    every_field = F.struct(
        *[F.col(f"record.{name}").alias(name) for name in KNOWN_FIELDS],
        # Map keys keep the order of the line; sorting them makes the hash independent of it.
        F.array_sort(F.map_entries(F.col("unparsed_fields"))).alias("unparsed_fields"),
    )
    return F.xxhash64(F.lit(organization_id), F.to_json(every_field))


def audit_bronze_rows(context: AuditLoadContext, events: DataFrame) -> DataFrame:
    """Bronze rows from events shaped as `record` (the delivery schema), `unparsed_fields`,
    `event_date` and `source_file`, whichever source they were read from."""
    from pyspark.sql import functions as F

    columns = {
        "organization_id": F.lit(context.organization_id),
        "date": F.col("event_date"),
        **{name: F.col(f"record.{name}") for name in KNOWN_FIELDS},
        "unparsed_fields": F.col("unparsed_fields"),
        "hash_key": event_hash(context.organization_id),
        "source_file": F.col("source_file"),
        "load_run_id": F.lit(context.run_id),
        "loaded_at": F.current_timestamp(),
    }
    return events.select(*[expression.alias(name) for name, expression in columns.items()])


def _accepted_events(context: AuditLoadContext, parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    accepted = parsed.where(F.col("rejection_reason").isNull()).withColumn(
        "event_date", date_from_path(F.col("source_file"))
    )
    return audit_bronze_rows(context, accepted)


def _quarantine_rows(context: AuditLoadContext, parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return parsed.where(F.col("rejection_reason").isNotNull()).select(
        F.lit(context.organization_id).alias("organization_id"),
        F.lit(SOURCE_NAME).alias("source"),
        "source_file",
        "line_number",
        "raw_record",
        F.col("rejection_reason").alias("reason"),
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("quarantined_at"),
    )


def _tracker_rows(context: AuditLoadContext, batch: list[dict], parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    counts = parsed.groupBy(F.col("source_file").alias("file_path")).agg(
        F.count_if(F.col("rejection_reason").isNull()).alias("record_count"),
        F.count_if(F.col("rejection_reason").isNotNull()).alias("quarantined_count"),
    )
    files = context.spark.createDataFrame(
        [(item["file_path"], item["file_size"], item["modification_time"]) for item in batch],
        "file_path string, file_size bigint, modification_time timestamp",
    )
    return files.join(counts, "file_path", "left").select(
        F.lit(context.organization_id).alias("organization_id"),
        F.lit(SOURCE_NAME).alias("source"),
        "file_path",
        "file_size",
        "modification_time",
        F.coalesce("record_count", F.lit(0)).cast("bigint").alias("record_count"),
        F.coalesce("quarantined_count", F.lit(0)).cast("bigint").alias("quarantined_count"),
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("loaded_at"),
    )


def _stage_batch(context: AuditLoadContext, batch: list[dict]) -> None:
    writes = staged_writes(context)
    # Read and parsed once for the three tables; the commit writes the tracker last, so a run killed
    # before it re-reads the files and the merges make that re-read add nothing.
    parsed = writes.cache(_parse(_read_lines(context, [item["file_path"] for item in batch])))
    writes.stage(AUDIT_LOG, _accepted_events(context, parsed))
    writes.stage(QUARANTINE, _quarantine_rows(context, parsed))
    writes.stage(FILE_TRACKER, _tracker_rows(context, batch, parsed))
