"""The account's bill into `billing_usage_bronze` and `list_prices_bronze`.

The bill is account-wide, so these modules run once per load run and keep every record: those of
every workspace (configured here or not) and the account's own (no workspace: organization_id "0").

Each table has two readers and one landing path. On Databricks (`billing_source: system_tables`) the
reader is `spark.table` on `system.billing.usage` / `system.billing.list_prices`; elsewhere
(`billing_source: files`, the sample workspace's bill) it is `spark.read` of JSON-lines files of the
same columns under `billing_path` (`usage/*.json`, `list_prices/*.json`). Both hand the same columns to
`_land`, which turns structs into JSON text (so fields Databricks adds land unchanged), sends a record
that cannot be billed (unparseable, or without record_id, sku_name, usage_quantity, usage_start_time or
ingestion_date) to `bronze_quarantine` with its reason, and merges the rest insert-only on the key.

Usage records reach the table late and are corrected by retractions and restatements under new
record_ids, ingested on later days: each window re-reads `billing_lookback_days` ingestion dates
before it, and the merge adds nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from overwatch.bronze_tables import (
    ACCOUNT_ORGANIZATION_ID,
    BILLING_USAGE,
    LIST_PRICES,
    QUARANTINE,
    BronzeTable,
)
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.json_lines import read_json_lines
from overwatch.load_context import AccountLoadContext
from overwatch.run_log import LoadWindow

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

USAGE_FOLDER = "usage"
LIST_PRICES_FOLDER = "list_prices"
MALFORMED_LINE = "malformed JSON: the line is not one complete JSON object"

# The system tables' columns; nested ones are read as JSON text (see `_as_json_text`).
USAGE_SCHEMA = (
    "record_id string, account_id string, workspace_id string, sku_name string, cloud string, "
    "usage_start_time timestamp, usage_end_time timestamp, usage_date date, "
    "custom_tags map<string, string>, usage_unit string, usage_quantity decimal(38, 18), "
    "usage_metadata string, identity_metadata string, record_type string, ingestion_date date, "
    "billing_origin_product string, product_features string, usage_type string"
)
LIST_PRICES_SCHEMA = (
    "account_id string, price_start_time timestamp, price_end_time timestamp, sku_name string, "
    "cloud string, currency_code string, usage_unit string, pricing string"
)
JSON_TEXT_COLUMNS = ("usage_metadata", "identity_metadata", "product_features", "pricing")


@dataclass(frozen=True)
class BillFeed:
    """One of the bill's two tables: where it comes from and what a landable record needs."""

    source_name: str
    table: BronzeTable
    schema: str
    folder: str
    required_fields: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        # A name is a word followed by its type; commas inside types (decimal(38, 18)) start no name.
        return tuple(re.findall(r"(?:^|, )([a-z_]+) ", self.schema))


USAGE_FEED = BillFeed(
    "billing_usage",
    BILLING_USAGE,
    USAGE_SCHEMA,
    USAGE_FOLDER,
    # ingestion_date places the record in a window; without it the look-back could never pick it up.
    ("record_id", "sku_name", "usage_quantity", "usage_start_time", "ingestion_date"),
)
LIST_PRICES_FEED = BillFeed(
    "list_prices",
    LIST_PRICES,
    LIST_PRICES_SCHEMA,
    LIST_PRICES_FOLDER,
    ("sku_name", "cloud", "currency_code", "usage_unit", "price_start_time", "pricing"),
)


def load_billing_usage(context: AccountLoadContext, window: LoadWindow) -> int:
    """Land the usage records ingested in the window or its look-back; returns rows inserted."""
    return commit_alone(context, stage_billing_usage, window)


def stage_billing_usage(context: AccountLoadContext, window: LoadWindow) -> None:
    """Stage the usage records ingested in the window or its look-back."""
    from pyspark.sql import functions as F

    first_day, last_day = ingestion_days(window, context.account.billing_lookback_days)
    in_window = (F.col("ingestion_date") >= F.lit(first_day)) & (F.col("ingestion_date") <= F.lit(last_day))
    records = _read(context, USAGE_FEED, context.account.billing_usage_table, in_window)
    if records is not None:
        _land(context, USAGE_FEED, records, in_window)


def load_list_prices(context: AccountLoadContext, window: LoadWindow) -> int:
    """Land every list price not landed yet (the table is small and prices are rarely added)."""
    return commit_alone(context, stage_list_prices, window)


def stage_list_prices(context: AccountLoadContext, window: LoadWindow) -> None:
    """Stage every list price (the table is small and prices are rarely added); the merge keeps new ones."""
    from pyspark.sql import functions as F

    records = _read(context, LIST_PRICES_FEED, context.account.list_prices_table, F.lit(True))
    if records is not None:
        _land(context, LIST_PRICES_FEED, records, F.lit(True))


def ingestion_days(window: LoadWindow, lookback_days: int) -> tuple[date, date]:
    """First and last ingestion date a window reads: its own days and the look-back before them."""
    # until_time is exclusive: a window ending at midnight does not read that day's ingestion.
    last_day = (window.until_time - timedelta(microseconds=1)).date()
    return window.from_time.date() - timedelta(days=lookback_days), last_day


# --- readers: each returns the feed's columns plus source, source_file, line_number, raw_record,
# --- and is_parsed (false for a line that is not one JSON object) ---------------------------------


def _read(
    context: AccountLoadContext, feed: BillFeed, table_name: str, in_window: Column
) -> DataFrame | None:
    if context.account.billing_source == "files":
        return _read_files(context, feed)
    if context.target.is_local:
        context.report(f"{feed.source_name}: no {table_name} locally (set billing_source: files); skipped")
        return None
    return _read_system_table(context, feed, table_name, in_window)


def _read_system_table(
    context: AccountLoadContext, feed: BillFeed, table_name: str, in_window: Column
) -> DataFrame:
    from pyspark.sql import functions as F

    table = context.spark.table(table_name).where(in_window)
    raw_record = F.to_json(F.struct(*[F.col(name) for name in table.columns]))
    return table.select(
        *[
            _as_json_text(table, name) if name in JSON_TEXT_COLUMNS else _column(table, name)
            for name in feed.columns
        ],
        F.lit(table_name).alias("source"),
        F.lit(table_name).alias("source_file"),
        # A table row has no line: the quarantine key takes a hash of the record instead.
        F.xxhash64(raw_record).alias("line_number"),
        raw_record.alias("raw_record"),
        F.lit(True).alias("is_parsed"),
    )


def _read_files(context: AccountLoadContext, feed: BillFeed) -> DataFrame | None:
    from pyspark.sql import functions as F

    folder = f"{(context.account.billing_path or '').rstrip('/')}/{feed.folder}"
    lines = read_json_lines(
        context.spark, folder, lambda message: context.report(f"{feed.source_name}: {message}")
    )
    if lines is None:
        return None
    # A nested object read into a string field comes back as its JSON text, unknown fields included.
    parsed = lines.select(
        F.from_json("raw_record", feed.schema).alias("record"),
        F.col("source_file").alias("source"),
        "source_file",
        "line_number",
        "raw_record",
        F.from_json("raw_record", "map<string, string>").isNotNull().alias("is_parsed"),
    )
    return parsed.select("record.*", "source", "source_file", "line_number", "raw_record", "is_parsed")


def _column(frame: DataFrame, name: str) -> Column:
    from pyspark.sql import functions as F

    return F.col(name) if name in frame.columns else F.lit(None).alias(name)


def _as_json_text(frame: DataFrame, name: str) -> Column:
    """A struct column as JSON text (the system table's shape), or the text itself when read as such."""
    from pyspark.sql import functions as F

    if name not in frame.columns:
        return F.lit(None).cast("string").alias(name)
    if frame.schema[name].dataType.typeName() == "string":
        return F.col(name)
    return F.to_json(F.col(name)).alias(name)


# --- the one landing path ---------------------------------------------------------------------------


def _land(context: AccountLoadContext, feed: BillFeed, records: DataFrame, in_window: Column) -> None:
    from pyspark.sql import functions as F

    missing = F.array_compact(
        F.array(*[F.when(F.col(name).isNull(), F.lit(name)) for name in feed.required_fields])
    )
    reason = F.when(~F.col("is_parsed"), F.lit(MALFORMED_LINE)).when(
        F.size(missing) > 0,
        F.concat(F.lit("missing or mistyped required field(s): "), F.array_join(missing, ", ")),
    )
    writes = staged_writes(context)
    # Read once for the two tables it feeds.
    checked = writes.cache(records.withColumn("reason", reason))
    writes.stage(QUARANTINE, _quarantine_rows(context, feed, checked))
    landable = checked.where(F.col("reason").isNull() & in_window)
    writes.stage(feed.table, _bronze_rows(context, feed, landable))
    context.report(f"{feed.source_name}: records staged")


def _quarantine_rows(context: AccountLoadContext, feed: BillFeed, checked: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return checked.where(F.col("reason").isNotNull()).select(
        F.lit(ACCOUNT_ORGANIZATION_ID).alias("organization_id"),
        F.lit(feed.source_name).alias("source"),
        "source_file",
        "line_number",
        "raw_record",
        "reason",
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("quarantined_at"),
    )


def _bronze_rows(context: AccountLoadContext, feed: BillFeed, landable: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    # A record of no workspace is the account's own.
    organization_id = (
        F.coalesce(F.col("workspace_id"), F.lit(ACCOUNT_ORGANIZATION_ID))
        if "workspace_id" in feed.columns
        else F.lit(ACCOUNT_ORGANIZATION_ID)
    )
    return landable.select(
        organization_id.alias("organization_id"),
        *feed.columns,
        "source",
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("loaded_at"),
    ).select(*feed.table.column_names)
