"""The lines of delivered JSON-lines files, each with its file and 1-based line number: the one read that
the file loaders (warehouse events, the local bill) share before each parses its own columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from overwatch.audit_log_loader import normalized_path

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def read_json_lines(spark: SparkSession, folder: str, report: Callable[[str], None]) -> DataFrame | None:
    """Non-blank lines of every `*.json` file under `folder` (source_file, line_number, raw_record), or
    None, reported, while the folder does not exist yet. Whole-file reads keep exact line numbers."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    try:
        files = (
            spark.read.option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.json")
            .text(folder, wholetext=True)
        )
    except AnalysisException as error:
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            report(f"no folder at {folder} yet")
            return None
        raise
    lines = files.select(
        normalized_path(F.col("_metadata.file_path")).alias("source_file"),
        F.posexplode(F.split("value", "\n")).alias("line_index", "raw_record"),
    ).where(F.trim("raw_record") != "")
    return lines.select(
        "source_file", (F.col("line_index") + 1).cast("bigint").alias("line_number"), "raw_record"
    )
