"""Spark event logs from cluster log delivery into `spark_events_bronze`.

Databricks delivers a cluster's event logs to
`<cluster_log_path>/<cluster_id>/eventlog/<driver host>/<spark_context_id>/eventlog*`: the live
`eventlog` and rolled `eventlog-YYYY-MM-DD--HH-MM.gz` files. The cluster and Spark context come from
the path; any other file can be loaded with them named (`load_spark_event_log_files`): a single-file
Spark log (`<app id>[.<codec>][.inprogress]`) or a rolling one (the `eventlog_v2_<app id>` folder,
whose `events_<n>_<app id>[.<codec>]` files are read and whose `appstatus_<app id>` is not an event).
Plain files and every codec Spark or Databricks writes (`.gz`, `.zstd`, `.lz4`, `.snappy`, `.lzf`:
spark_event_log_codecs) are read; plain files by Spark's text reader, split across tasks, compressed
files each decoded whole in one task.

Each line is kept as written (`event_json`): event schemas drift between Spark versions (Overwatch's
merged schema broke on `AccumulatorUpdates`, `Parent IDs`, `Updated Blocks`), so nothing here depends
on a field's type; only the event name and its own time are read, as strings. A line that is not a
JSON object with an `Event` goes to `bronze_quarantine` with file, line number and reason; the rest of
its file loads. A file that cannot be read at all (an unknown extension, bytes that are not its codec,
a stream cut short) is one quarantine row (line 0, the reason) and is not tracked, so the next run
tries it again; none of its lines land until all of them can.

Events are identified by position, never by content: two identical lines are two events (Spark
repeats some, e.g. accumulator updates). An event's key is its Spark context, its log segment and
its line number there. A segment is the run of lines one file holds for good: for Spark's own files,
the file's name (without `.inprogress`). Databricks instead renames: its live `eventlog` is rolled
into `eventlog-<time>.gz` and a new, empty `eventlog` starts, so the rolled file repeats line for line
what earlier loads may have read from the live file. Both therefore get the same segment: the name of
the newest rolled file before them in their folder (`eventlog after eventlog-<time>.gz`, or plain
`eventlog` before the first roll); a rolled file's lines land only where the live file had not yet
reached them. This needs a rolled file to stay in its folder until the file rolled after it has been
loaded (a deleted predecessor would make a later rolled file look like an earlier segment).

Each file is tracked with its size: a file that grew since it was loaded (the live `eventlog` of a
running cluster) is read again and only lines at new positions land. A file the reader before this one
tracked with every line quarantined and none loaded, in a codec now read (it read `.zstd` and the other
Spark codecs as text), is read again, its old quarantine rows replaced by the true ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from overwatch.audit_log_loader import normalized_path
from overwatch.bronze_tables import FILE_TRACKER, QUARANTINE, SPARK_EVENTS
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow
from overwatch.spark_event_log_codecs import (
    CHUNK_READERS,
    PLAIN,
    UnreadableEventLog,
    codec_of,
    decoded_lines,
    file_name,
    log_name,
    unknown_codec_reason,
)

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, Row

SOURCE_NAME = "spark_event_logs"
# Files read per Spark job: bounds the driver's file list and the size of one merge.
FILES_PER_BATCH = 200
# The live and rolled files, and Spark's rolling layout where a cluster enables it.
DELIVERY_GLOBS = ("*/eventlog/*/*/eventlog*", "*/eventlog/*/*/eventlog_v2_*/events_*")
DELIVERY_PATH_PATTERN = r"/([^/]+)/eventlog/([^/]+)/([^/]+)/(?:eventlog_v2_[^/]+/events_[^/]*|eventlog[^/]*)$"
DATABRICKS_LIVE_LOG = "eventlog"
DATABRICKS_ROLLED_LOG = re.compile(r"^eventlog-\d{4}-\d{2}-\d{2}--\d{2}-\d{2}")
SPARK_CODECS = ("zstd", "lz4", "snappy", "lzf")
# Line 0 of a quarantined file: the file as a whole.
WHOLE_FILE_LINE = 0
LINES_SCHEMA = "source_file string, line_number bigint, raw_record string, read_error string"
PLAUSIBLE_EPOCH_MS = (946_684_800_000, 4_102_444_800_000)  # 2000-01-01 to 2100-01-01

# The few fields read at load time, all as text: a string field accepts any JSON value, so no type
# drift can fail a line. Where an event has its own time, the most specific comes first; a task's
# Finish Time is 0 until it ends, and so is no time.
EVENT_TIME_FIELDS = (
    "Timestamp",
    "`Completion Time`",
    "`Submission Time`",
    "time",
    "`Task Info`.`Finish Time`",
    "`Task Info`.`Launch Time`",
    "`Stage Info`.`Completion Time`",
    "`Stage Info`.`Submission Time`",
)
EVENT_FIELDS_SCHEMA = (
    "Event string, Timestamp string, `Completion Time` string, `Submission Time` string, time string, "
    "`Task Info` struct<`Launch Time`: string, `Finish Time`: string>, "
    "`Stage Info` struct<`Submission Time`: string, `Completion Time`: string>, "
    "_corrupt_record string"
)


@dataclass(frozen=True)
class EventLogFile:
    """One event log file and the Spark context it belongs to."""

    path: str
    cluster_id: str
    spark_context_id: str


def load_spark_event_logs(context: LoadContext, window: LoadWindow) -> int:
    """Load every delivered event log file last written before the window's end that is new or has
    grown since it was loaded; returns events inserted."""
    return commit_alone(context, stage_spark_event_logs, window)


def stage_spark_event_logs(context: LoadContext, window: LoadWindow) -> None:
    """Stage every delivered event log file last written before the window's end that is new or has
    grown since it was loaded."""
    root = (context.workspace.cluster_log_path or "").rstrip("/")
    if not root:
        context.report("spark event logs: no cluster_log_path configured, skipped")
        return
    statuses = [status for glob in DELIVERY_GLOBS for status in _file_statuses(context, f"{root}/{glob}")]
    # Every rolled file names a segment, also those written after the window (see the module's doc).
    rolled = _rolled_logs_by_folder(statuses)
    delivered = []
    for status in statuses:
        match = re.search(DELIVERY_PATH_PATTERN, status["file_path"])
        if match and status["modification_time"] < window.until_time:
            delivered.append({**status, "cluster_id": match.group(1), "spark_context_id": match.group(3)})
    if not delivered:
        context.report(
            f"spark event logs: no event logs under {root} before {window.until_time:%Y-%m-%d %H:%M}"
        )
    _stage_new_files(context, _with_log_segments(delivered, rolled))


def load_spark_event_log_files(context: LoadContext, files: list[EventLogFile]) -> int:
    """Load event log files outside the delivery layout (Spark history server logs, test fixtures),
    each with its cluster and Spark context named; a rolling log's `eventlog_v2_<app id>` folder stands
    for its `events_*` files. Returns events inserted."""
    return commit_alone(context, _stage_event_log_files, files)


def _stage_event_log_files(context: LoadContext, files: list[EventLogFile]) -> None:
    listed = []
    for item in files:
        statuses = _file_statuses(context, item.path) or _file_statuses(
            context, f"{item.path.rstrip('/')}/events_*"
        )
        if not statuses:
            raise FileNotFoundError(f"event log file {item.path} does not exist")
        listed += [
            {**status, "cluster_id": item.cluster_id, "spark_context_id": item.spark_context_id}
            for status in statuses
        ]
    folders = {_folder(item["read_path"]) for item in listed if _is_databricks_log(item["file_path"])}
    siblings = [status for folder in folders for status in _file_statuses(context, f"{folder}/eventlog-*")]
    _stage_new_files(context, _with_log_segments(listed, _rolled_logs_by_folder(siblings)))


def _folder(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[0]


def _is_databricks_log(path: str) -> bool:
    name = file_name(path)
    return name == DATABRICKS_LIVE_LOG or DATABRICKS_ROLLED_LOG.match(name) is not None


def _rolled_logs_by_folder(statuses: list[dict]) -> dict[str, list[str]]:
    rolled: dict[str, list[str]] = {}
    for status in statuses:
        if DATABRICKS_ROLLED_LOG.match(file_name(status["file_path"])):
            rolled.setdefault(_folder(status["file_path"]), []).append(file_name(status["file_path"]))
    return rolled


def log_segment(path: str, rolled_in_folder: list[str]) -> str:
    """The run of lines a file holds for good (see the module's doc): a Databricks live or rolled log's
    segment starts after the newest rolled file before it; any other file is its own segment."""
    if not _is_databricks_log(path):
        return log_name(path)
    name = file_name(path)
    earlier = [rolled for rolled in rolled_in_folder if name == DATABRICKS_LIVE_LOG or rolled < name]
    return f"{DATABRICKS_LIVE_LOG} after {max(earlier)}" if earlier else DATABRICKS_LIVE_LOG


def _with_log_segments(listed: list[dict], rolled: dict[str, list[str]]) -> list[dict]:
    return [
        {
            **item,
            "codec": codec_of(item["file_path"]),
            "log_segment": log_segment(item["file_path"], rolled.get(_folder(item["file_path"]), [])),
        }
        for item in listed
    ]


def _file_statuses(context: LoadContext, pattern: str) -> list[dict]:
    """Files matching a path or glob, listed through Hadoop's file system on the driver: no Spark job,
    whatever the store (local, DBFS, S3, ADLS)."""
    jvm = context.spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(pattern)
    statuses = path.getFileSystem(context.spark.sparkContext._jsc.hadoopConfiguration()).globStatus(path)
    return [
        {
            # Spark reads by the plain path but reports lines' files by URI (`%20` for a space), the
            # spelling kept everywhere else: tracker, bronze, quarantine.
            "read_path": status.getPath().toString(),
            "file_path": re.sub("^file:/+", "file:/", status.getPath().toUri().toString()),
            "file_size": status.getLen(),
            "modification_time": datetime.fromtimestamp(status.getModificationTime() / 1000, UTC),
        }
        for status in (statuses or [])
        if status.isFile()
    ]


def _stage_new_files(context: LoadContext, listed: list[dict]) -> None:
    new_files = _new_or_grown_files(context, listed)
    context.report(f"spark event logs: {len(new_files)} new or grown files")
    for batch_start in range(0, len(new_files), FILES_PER_BATCH):
        _stage_batch(context, new_files[batch_start : batch_start + FILES_PER_BATCH])


def _new_or_grown_files(context: LoadContext, listed: list[dict]) -> list[dict]:
    from pyspark.sql import functions as F

    tracked = {
        row.file_path: row
        for row in context.spark.table(context.target.bronze_table(FILE_TRACKER.name))
        .where((F.col("organization_id") == context.organization_id) & (F.col("source") == SOURCE_NAME))
        .select("file_path", "file_size", "record_count", "quarantined_count")
        .collect()
    }
    new_files = []
    for item in listed:
        known = tracked.get(item["file_path"])
        misread = known is not None and _misread_by_the_text_reader(item["codec"], known)
        if known is None or known.file_size != item["file_size"] or misread:
            new_files.append({**item, "tracked_size": known and known.file_size, "misread": misread})
    return sorted(new_files, key=lambda item: item["file_path"])


def _misread_by_the_text_reader(codec: str, tracked: Row) -> bool:
    """A Spark-codec file the earlier reader read as text: every "line" of it quarantined, none loaded.
    (A file this reader finds all bad looks the same and is re-read each run, adding nothing.)"""
    return codec in SPARK_CODECS and tracked.record_count == 0 and tracked.quarantined_count > 0


def _read_lines(context: LoadContext, batch: list[dict]) -> DataFrame:
    """One row per non-blank line with its exact 1-based line number (`LINES_SCHEMA`), and one row with
    `read_error` (line 0) for each file that cannot be read, instead of any of its lines."""
    plain = [item for item in batch if item["codec"] == PLAIN]
    compressed = [item for item in batch if item["codec"] in CHUNK_READERS and item["codec"] != PLAIN]
    unknown = [item for item in batch if item["codec"] not in CHUNK_READERS]
    frames = [
        context.spark.createDataFrame(
            [
                (item["file_path"], WHOLE_FILE_LINE, None, unknown_codec_reason(item["codec"]))
                for item in unknown
            ],
            LINES_SCHEMA,
        )
    ]
    if plain:
        frames.append(_plain_lines(context, plain))
    if compressed:
        frames.append(_decoded_lines(context, compressed))
    lines = frames[0]
    for frame in frames[1:]:
        lines = lines.unionByName(frame)
    return lines


def _decoded_lines(context: LoadContext, compressed: list[dict]) -> DataFrame:
    """Compressed files, each read whole by one task and decoded in Python (the codecs are not
    Hadoop's): all of a file's lines, or its one read error."""
    # binaryFile names a file as the listing's plain path does (a space stays a space); the rows take
    # the URI spelling every other table keeps.
    uri_of = {item["read_path"]: item["file_path"] for item in compressed}
    contents = context.spark.read.format("binaryFile").load(list(uri_of)).select("path", "content")
    rows = contents.rdd.flatMap(lambda row: _file_rows(uri_of.get(row.path, row.path), bytes(row.content)))
    return context.spark.createDataFrame(rows, LINES_SCHEMA)


def _file_rows(source_file: str, content: bytes) -> list[tuple]:
    try:
        # Decoded to the end before any line is kept: a file cut half-way lands whole or not at all.
        return [(source_file, number, line, None) for number, line in decoded_lines(source_file, content)]
    except UnreadableEventLog as error:
        return [(source_file, WHOLE_FILE_LINE, None, str(error))]


def _plain_lines(context: LoadContext, batch: list[dict]) -> DataFrame:
    """Plain files by Spark's text reader, without holding a whole file in one value.

    Rows of one file split (a plain file read in parallel) are contiguous in one Spark partition and
    so carry consecutive ids; a line's number is its id's offset in its split plus the lines of the
    file's earlier splits.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    raw = context.spark.read.text([item["read_path"] for item in batch]).select(
        normalized_path(F.col("_metadata.file_path")).alias("source_file"),
        F.col("_metadata.file_block_start").alias("block_start"),
        F.monotonically_increasing_id().alias("row_id"),
        F.col("value").alias("raw_record"),
    )
    splits = raw.groupBy("source_file", "block_start").agg(
        F.min("row_id").alias("first_row_id"), F.count(F.lit(1)).alias("split_lines")
    )
    earlier_splits = Window.partitionBy("source_file").orderBy("block_start")
    split_offsets = splits.select(
        "source_file",
        "block_start",
        "first_row_id",
        F.coalesce(
            F.sum("split_lines").over(earlier_splits.rowsBetween(Window.unboundedPreceding, -1)), F.lit(0)
        ).alias("lines_before"),
    )
    numbered = raw.join(F.broadcast(split_offsets), ["source_file", "block_start"]).select(
        "source_file",
        (F.col("row_id") - F.col("first_row_id") + F.col("lines_before") + 1).alias("line_number"),
        "raw_record",
        F.lit(None).cast("string").alias("read_error"),
    )
    return numbered.where(F.trim("raw_record") != "")


def _event_time_ms() -> Column:
    from pyspark.sql import functions as F

    # A field of the same name that is not an epoch time in milliseconds (a duration, seconds) is no time.
    low, high = PLAUSIBLE_EPOCH_MS
    times = [F.expr(f"try_cast(fields.{name} as bigint)") for name in EVENT_TIME_FIELDS]
    return F.coalesce(*[F.when(time_ms.between(low, high), time_ms) for time_ms in times])


def _utc_date(epoch_ms: Column) -> Column:
    """The UTC date of an epoch time, whatever the session's time zone."""
    from pyspark.sql import functions as F

    return F.date_add(F.lit("1970-01-01").cast("date"), F.floor(epoch_ms / 86_400_000).cast("int"))


def _parse(lines: DataFrame, files: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    # A syntax error nulls every field and keeps the line as `_corrupt_record`; a field of another type
    # than expected (a nested object turned array) nulls that field only, and the event still loads.
    fields = F.from_json("raw_record", EVENT_FIELDS_SCHEMA, {"columnNameOfCorruptRecord": "_corrupt_record"})
    event = F.col("fields.Event")
    rejection = (
        F.when(F.col("read_error").isNotNull(), F.concat(F.lit("unreadable file: "), F.col("read_error")))
        # Never expected: the listing and the reader spell the file differently. Kept, not dropped.
        .when(F.col("spark_context_id").isNull(), F.lit("no Spark context known for the file"))
        .when(event.isNotNull() & (F.trim(event) != ""), F.lit(None))
        .when(
            F.col("fields._corrupt_record").isNotNull(),
            F.lit("malformed JSON: the line is not one complete JSON object"),
        )
        .otherwise(F.lit("no Event field: not a Spark listener event"))
    )
    with_fields = lines.join(F.broadcast(files), "source_file", "left").withColumn("fields", fields)
    return with_fields.select(
        "source_file",
        "line_number",
        "raw_record",
        "cluster_id",
        "spark_context_id",
        "log_segment",
        "modification_time",
        event.alias("event"),
        _event_time_ms().alias("event_time_ms"),
        rejection.alias("rejection_reason"),
        F.col("read_error").isNotNull().alias("unreadable"),
    )


def _bronze_rows(context: LoadContext, parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    file_time_ms = F.expr("unix_millis(modification_time)")
    event_date = F.coalesce(_utc_date(F.col("event_time_ms")), _utc_date(file_time_ms))
    return parsed.where(F.col("rejection_reason").isNull()).select(
        F.lit(context.organization_id).alias("organization_id"),
        "cluster_id",
        "spark_context_id",
        "event",
        "event_time_ms",
        F.col("raw_record").alias("event_json"),
        F.xxhash64("raw_record").alias("event_hash"),
        "source_file",
        "line_number",
        "log_segment",
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("loaded_at"),
        event_date.alias("event_date"),
    )


def _quarantine_rows(context: LoadContext, parsed: DataFrame) -> DataFrame:
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


def _files_frame(context: LoadContext, batch: list[dict]) -> DataFrame:
    return context.spark.createDataFrame(
        [
            (
                item["file_path"],
                item["file_size"],
                item["modification_time"],
                item["cluster_id"],
                item["spark_context_id"],
                item["log_segment"],
            )
            for item in batch
        ],
        "source_file string, file_size bigint, modification_time timestamp, cluster_id string, "
        "spark_context_id string, log_segment string",
    )


def _tracker_rows(context: LoadContext, files: DataFrame, parsed: DataFrame) -> DataFrame:
    """One row per file read to its end; an unreadable file stays untracked, so it is tried again."""
    from pyspark.sql import functions as F

    counts = parsed.groupBy("source_file").agg(
        F.count_if(F.col("rejection_reason").isNull()).alias("record_count"),
        F.count_if(F.col("rejection_reason").isNotNull()).alias("quarantined_count"),
        F.max(F.col("unreadable").cast("int")).alias("unreadable"),
    )
    return (
        files.join(counts, "source_file", "left")
        .where(F.coalesce("unreadable", F.lit(0)) == 0)
        .select(
            F.lit(context.organization_id).alias("organization_id"),
            F.lit(SOURCE_NAME).alias("source"),
            F.col("source_file").alias("file_path"),
            "file_size",
            "modification_time",
            F.coalesce("record_count", F.lit(0)).cast("bigint").alias("record_count"),
            F.coalesce("quarantined_count", F.lit(0)).cast("bigint").alias("quarantined_count"),
            F.lit(context.run_id).alias("load_run_id"),
            F.current_timestamp().alias("loaded_at"),
        )
    )


def _sql_paths(paths: list[str]) -> str:
    return ", ".join("'" + path.replace("'", "''") + "'" for path in paths)


def _stage_batch(context: LoadContext, batch: list[dict]) -> None:
    """Stage a batch's events, quarantined lines and trackers, read and parsed once for all three.

    A file read again (grown, or misread by the earlier reader) replaces its tracker row; a misread
    file's quarantine rows, which the earlier reader's text reading made up, are replaced by the true
    ones, and those with no true counterpart deleted, in the same commit. The commit writes the tracker
    last: a run killed before it re-reads the files, and the merges make that re-read add nothing."""
    from pyspark.sql import functions as F

    writes = staged_writes(context)
    files = _files_frame(context, batch)
    parsed = writes.cache(_parse(_read_lines(context, batch), files))
    writes.stage(SPARK_EVENTS, _bronze_rows(context, parsed))
    read_again = [item["file_path"] for item in batch if item.get("tracked_size") is not None]
    misread = [item["file_path"] for item in batch if item.get("misread")]
    where = f"organization_id = '{context.organization_id}' and source = '{SOURCE_NAME}'"
    quarantine = _quarantine_rows(context, parsed)
    if misread:
        writes.stage(QUARANTINE, quarantine, replacing=F.col("source_file").isin(misread))
        writes.delete_unmatched(QUARANTINE, f"{where} and source_file in ({_sql_paths(misread)})")
    else:
        writes.stage(QUARANTINE, quarantine)
    trackers = _tracker_rows(context, files, parsed)
    if read_again:
        writes.stage(FILE_TRACKER, trackers, replacing=F.col("file_path").isin(read_again))
        # A file read again that is now unreadable loses its tracker row, so the next run tries it.
        writes.delete_unmatched(FILE_TRACKER, f"{where} and file_path in ({_sql_paths(read_again)})")
    else:
        writes.stage(FILE_TRACKER, trackers)
