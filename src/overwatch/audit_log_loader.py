"""Audit logs from delivered JSON-lines files into `audit_log_bronze`.

Files follow the delivery layout `<audit_log_path>/workspaceId=<id>/date=YYYY-MM-DD/*.json`; account-level
events are delivered under `workspaceId=0` and loaded once per deployment by the account module
(`account_audit_loader`) with organization_id "0". Each file is loaded once (`bronze_file_tracker`);
every line lands either in bronze or, with its file, line number and reason, in `bronze_quarantine`, so
a bad line never stops the rest of its file. Delivery is at-least-once: repeated events are dropped on a
hash of every top-level field of the event, as Overwatch's `hashKey` did.
"""

from __future__ import annotations

import re
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
MALFORMED = "malformed JSON: the line is not one complete JSON object"
MISSING = "missing or mistyped required field(s): "
DATE_FOLDER = r"date=(\d{4}-\d{2}-\d{2})"
DATE_FOLDER_PATTERN = re.compile(DATE_FOLDER)
# A file's path in one spelling, as the tracker keeps it (Spark writes `file:/x` or `file:///x`): the
# scheme's slashes matched by FILE_SCHEME become FILE_SCHEME_SPELLING, in Python, Column and SQL alike.
FILE_SCHEME, FILE_SCHEME_SPELLING = "^file:/+", "file:/"
FILE_PATH = f"regexp_replace(_metadata.file_path, '{FILE_SCHEME}', '{FILE_SCHEME_SPELLING}')"


def _sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


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
    files = _delivery_files(context, folder)
    if files is None:
        context.report(f"audit logs: no delivery folder at {folder} yet")
        return
    new_files = _new_delivery_files(context, window, files)
    context.report(f"audit logs: {len(new_files)} new files")
    for batch_start in range(0, len(new_files), FILES_PER_BATCH):
        _stage_batch(context, files, new_files[batch_start : batch_start + FILES_PER_BATCH])


def normalized_path(path: Column) -> Column:
    """One spelling per file, whichever Spark API reported it (`file:/x`, `file:///x`)."""
    from pyspark.sql import functions as F

    return F.regexp_replace(path, FILE_SCHEME, FILE_SCHEME_SPELLING)


def _normalized_path_text(path: str) -> str:
    return re.sub(FILE_SCHEME, FILE_SCHEME_SPELLING, path)


def _delivery_files(context: AuditLoadContext, folder: str) -> DataFrame | None:
    """Every `*.json` file under the folder, one row per file (its whole text), or None without the
    folder. Nothing is read yet: the listing is the driver's, and a filter on the file's path prunes
    the files a later query reads."""
    from pyspark.errors import AnalysisException

    try:
        return (
            context.spark.read.option("pathGlobFilter", "*.json")
            .option("recursiveFileLookup", "true")
            .text(folder, wholetext=True)
        )
    except AnalysisException as error:
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return None
        raise


def _new_delivery_files(context: AuditLoadContext, window: LoadWindow, files: DataFrame) -> list[str]:
    """Paths of the listed files dated before the window's end that no tracker row names, sorted."""
    from pyspark.sql import functions as F

    until = window.until_time.date().isoformat()
    candidates = sorted(
        {
            path
            for path in map(_normalized_path_text, files.inputFiles())
            if (match := DATE_FOLDER_PATTERN.search(path)) and match.group(1) < until
        }
    )
    if not candidates:
        return []
    # The paths the tracker holds for this organization, collected: one path per file loaded, where
    # joining the listing on the executors would ship every listed path there and back, with a job.
    tracked = (
        context.spark.table(context.target.bronze_table(FILE_TRACKER.name))
        .where((F.col("organization_id") == context.organization_id) & (F.col("source") == SOURCE_NAME))
        .select("file_path")
        .collect()
    )
    return sorted(set(candidates) - {row.file_path for row in tracked})


def _parsed_files(files: DataFrame, paths: list[str]) -> DataFrame:
    """One row per file of `paths`: its path, size, time, delivery date and its non-blank lines, each
    parsed (1-based line number, raw text, record, unparsed fields, rejection reason). Lines stay in
    their file's row, so each file's counts need no shuffle and a file of blank lines still has a row.
    Written as SQL: one call per projection instead of one per function."""
    wanted = files.where(f"{FILE_PATH} in ({', '.join(_sql_text(path) for path in paths)})")
    lines = wanted.selectExpr(
        f"{FILE_PATH} as source_file",
        "_metadata.file_size as file_size",
        "_metadata.file_modification_time as modification_time",
        "filter(transform(split(value, '\\n'), (raw, index) -> named_struct('line_number',"
        " cast(index + 1 as bigint), 'raw_record', regexp_replace(raw, '\\r$', ''))),"
        " line -> trim(line.raw_record) != '') as lines",
    )
    read = lines.selectExpr(
        "*",
        "transform(lines, line -> named_struct('line_number', line.line_number,"
        " 'raw_record', line.raw_record,"
        f" 'record', from_json(line.raw_record, {_sql_text(AUDIT_RECORD_SCHEMA)}),"
        " 'all_fields', from_json(line.raw_record, 'map<string, string>'))) as read_lines",
    )
    return read.selectExpr(
        "source_file",
        "file_size",
        "modification_time",
        f"to_date(regexp_extract(source_file, {_sql_text(DATE_FOLDER)}, 1)) as event_date",
        "transform(read_lines, line -> named_struct('line_number', line.line_number,"
        " 'raw_record', line.raw_record, 'record', line.record,"
        f" 'unparsed_fields', {_UNPARSED_FIELDS}, 'rejection_reason', {_REJECTION_REASON})) as lines",
    )


# SQL over one read line (`line`: its record and all its fields as a map of strings).
_KNOWN = ", ".join(_sql_text(name) for name in KNOWN_FIELDS)
_UNPARSED_FIELDS = f"map_filter(line.all_fields, (key, value) -> not array_contains(array({_KNOWN}), key))"
_MISSING = "array_compact(array({}))".format(
    ", ".join(f"if(line.record.{name} is null, {_sql_text(name)}, null)" for name in REQUIRED_FIELDS)
)
_REJECTION_REASON = (
    f"case when line.all_fields is null then {_sql_text(MALFORMED)}"
    f" when size({_MISSING}) > 0 then concat({_sql_text(MISSING)}, array_join({_MISSING}, ', ')) end"
)


def event_hash(organization_id: str) -> str:
    """SQL of the event's identity: every top-level field, known or not, so events that differ only in
    workspace, audit level or user agent stay apart while a redelivered copy hashes the same.

    Fields are hashed as one JSON object whose keys name them: a null field then cannot make two events
    with the same values in other fields collide, as hashing a list of nullable columns would. Map keys
    keep the order of the line; sorting them makes the hash independent of it."""
    fields = ", ".join(f"{_sql_text(name)}, record.{name}" for name in KNOWN_FIELDS)
    every_field = f"named_struct({fields}, 'unparsed_fields', array_sort(map_entries(unparsed_fields)))"
    return f"xxhash64({_sql_text(organization_id)}, to_json({every_field}))"


def audit_bronze_rows(context: AuditLoadContext, events: DataFrame) -> DataFrame:
    """Bronze rows from events shaped as `record` (the delivery schema), `unparsed_fields`,
    `event_date` and `source_file`, whichever source they were read from."""
    return events.selectExpr(
        f"{_sql_text(context.organization_id)} as organization_id",
        "event_date as date",
        *[f"record.{name} as {name}" for name in KNOWN_FIELDS],
        "unparsed_fields",
        f"{event_hash(context.organization_id)} as hash_key",
        "source_file",
        f"{_sql_text(context.run_id)} as load_run_id",
        "current_timestamp() as loaded_at",
    )


def _lines(parsed: DataFrame, accepted: bool) -> DataFrame:
    """The accepted (or the rejected) lines of the parsed files, one row each."""
    test = "is null" if accepted else "is not null"
    return parsed.selectExpr(
        "source_file", "event_date", f"inline(filter(lines, line -> line.rejection_reason {test}))"
    )


def _quarantine_rows(context: AuditLoadContext, parsed: DataFrame) -> DataFrame:
    return _lines(parsed, accepted=False).selectExpr(
        f"{_sql_text(context.organization_id)} as organization_id",
        f"{_sql_text(SOURCE_NAME)} as source",
        "source_file",
        "line_number",
        "raw_record",
        "rejection_reason as reason",
        f"{_sql_text(context.run_id)} as load_run_id",
        "current_timestamp() as quarantined_at",
    )


def _tracker_rows(context: AuditLoadContext, parsed: DataFrame) -> DataFrame:
    return parsed.selectExpr(
        f"{_sql_text(context.organization_id)} as organization_id",
        f"{_sql_text(SOURCE_NAME)} as source",
        "source_file as file_path",
        "file_size",
        "modification_time",
        "cast(size(filter(lines, line -> line.rejection_reason is null)) as bigint) as record_count",
        "cast(size(filter(lines, line -> line.rejection_reason is not null)) as bigint) as quarantined_count",
        f"{_sql_text(context.run_id)} as load_run_id",
        "current_timestamp() as loaded_at",
    )


def _stage_batch(context: AuditLoadContext, files: DataFrame, batch: list[str]) -> None:
    writes = staged_writes(context)
    # Read and parsed once for the three tables; the commit writes the tracker last, so a run killed
    # before it re-reads the files and the merges make that re-read add nothing. Quarantine and tracker
    # keys hold the file's path, so no other staged row can share them: their merges need no dedup.
    parsed = writes.cache(_parsed_files(files, batch))
    writes.stage(AUDIT_LOG, audit_bronze_rows(context, _lines(parsed, accepted=True)))
    writes.stage(QUARANTINE, _quarantine_rows(context, parsed), unique_keys=True)
    writes.stage(FILE_TRACKER, _tracker_rows(context, parsed), unique_keys=True)
