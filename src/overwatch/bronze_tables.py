"""The bronze tables: their columns, keys, creation and the idempotent write into them.

Every bronze row carries `organization_id` (the workspace id), where it came from (`source_file` or
`source_request`) and the `load_run_id` of the run that landed it. Writes are `merge ... when not
matched then insert` on each table's natural key, so re-running a window, or resuming a run killed
half-way, adds nothing that is already there. The same SQL runs on Iceberg (locally) and Delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from overwatch.lakehouse import Target

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


# Account-level rows belong to no workspace: account audit events (which Databricks files under
# workspace id 0), the bill's records of no workspace and the list prices all carry 0.
ACCOUNT_ORGANIZATION_ID = "0"
MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class DayLayout:
    """Rows laid out by the day of a time column, for tables with no date column of their own: reads and
    merges filtered on the column then skip other days' files at any age of the lake. Iceberg's hidden
    partitioning locally (a day transform, no column added; epoch-millisecond columns by their day's
    first millisecond), liquid clustering on Delta."""

    column: str
    epoch_ms: bool = False

    @property
    def iceberg_transform(self) -> str:
        return f"truncate({MS_PER_DAY}, {self.column})" if self.epoch_ms else f"days({self.column})"


@dataclass(frozen=True)
class BronzeTable:
    name: str
    columns: str
    key_columns: tuple[str, ...]
    partition_column: str | None = None
    day_layout: DayLayout | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(line.strip().split()[0] for line in self.columns.strip().splitlines() if line.strip())


AUDIT_LOG_COLUMNS = """
    organization_id string,
    date date,
    version string,
    auditLevel string,
    timestamp bigint,
    orgId string,
    workspaceId string,
    shardName string,
    accountId string,
    sourceIPAddress string,
    userAgent string,
    sessionId string,
    userIdentity struct<email: string, subjectName: string>,
    serviceName string,
    actionName string,
    requestId string,
    requestParams map<string, string>,
    response struct<statusCode: int, errorMessage: string, result: string>,
    unparsed_fields map<string, string>,
    hash_key bigint,
    source_file string,
    load_run_id string,
    loaded_at timestamp
"""

API_SNAPSHOT_COLUMNS = """
    organization_id string,
    snapshot_time timestamp,
    entity_id string,
    raw_json string,
    source_request string,
    load_run_id string,
    loaded_at timestamp
"""

# At-least-once delivery repeats an event within its own date folder, so the date joins the key
# (and lets the merge prune partitions).
AUDIT_LOG = BronzeTable(
    "audit_log_bronze", AUDIT_LOG_COLUMNS, ("organization_id", "date", "hash_key"), partition_column="date"
)

CLUSTER_EVENTS = BronzeTable(
    "cluster_events_bronze",
    """
    organization_id string,
    cluster_id string,
    type string,
    timestamp bigint,
    details string,
    raw_json string,
    source_request string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("organization_id", "cluster_id", "type", "timestamp"),
    day_layout=DayLayout("timestamp", epoch_ms=True),
)

CLUSTER_USAGE_REFERENCE = BronzeTable(
    "cluster_usage_reference_bronze",
    """
    organization_id string,
    cluster_id string,
    interval_start_ms bigint,
    interval_end_ms bigint,
    is_running boolean,
    current_num_workers int,
    target_num_workers int,
    driver_node_type_id string,
    node_type_id string,
    is_photon boolean,
    is_single_node boolean,
    cluster_type string,
    sku string,
    source_file string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("organization_id", "cluster_id", "interval_start_ms"),
    day_layout=DayLayout("interval_start_ms", epoch_ms=True),
)

QUARANTINE = BronzeTable(
    "bronze_quarantine",
    """
    organization_id string,
    source string,
    source_file string,
    line_number bigint,
    raw_record string,
    reason string,
    load_run_id string,
    quarantined_at timestamp
    """,
    ("organization_id", "source", "source_file", "line_number"),
)

FILE_TRACKER = BronzeTable(
    "bronze_file_tracker",
    """
    organization_id string,
    source string,
    file_path string,
    file_size bigint,
    modification_time timestamp,
    record_count bigint,
    quarantined_count bigint,
    load_run_id string,
    loaded_at timestamp
    """,
    ("organization_id", "source", "file_path"),
)

# One row per line of a Spark event log, kept as written: event schemas drift across Spark versions, so
# silver parses `event_json`. Keyed by position (Spark context, log segment, line), never by content:
# identical lines are distinct events; a rolled file re-reading what the live file held adds nothing.
SPARK_EVENTS = BronzeTable(
    "spark_events_bronze",
    """
    organization_id string,
    cluster_id string,
    spark_context_id string,
    event string,
    event_time_ms bigint,
    event_json string,
    event_hash bigint,
    source_file string,
    line_number bigint,
    log_segment string,
    load_run_id string,
    loaded_at timestamp,
    event_date date
    """,
    ("organization_id", "cluster_id", "spark_context_id", "log_segment", "line_number"),
    partition_column="event_date",
)

PIPELINE_REPORT = BronzeTable(
    "pipeline_report",
    """
    organization_id string,
    run_id string,
    module_name string,
    from_time timestamp,
    until_time timestamp,
    status string,
    rows_written bigint,
    error_message string,
    started_at timestamp,
    finished_at timestamp
    """,
    ("organization_id", "run_id", "module_name"),
)

API_SNAPSHOT_ENTITIES = (
    "clusters",
    "jobs",
    "instance_pools",
    "sql_warehouses",
    "cluster_policies",
    "instance_profiles",
    "tokens",
    "global_init_scripts",
)


def api_snapshot_table(entity: str) -> BronzeTable:
    return BronzeTable(
        f"{entity}_snapshot_bronze",
        API_SNAPSHOT_COLUMNS,
        ("organization_id", "entity_id", "snapshot_time"),
        day_layout=DayLayout("snapshot_time"),
    )


JOB_RUNS = api_snapshot_table("job_runs")

# SQL warehouse state changes, in the columns of system.compute.warehouse_events.
WAREHOUSE_EVENTS = BronzeTable(
    "warehouse_events_bronze",
    """
    organization_id string,
    account_id string,
    workspace_id string,
    warehouse_id string,
    event_type string,
    cluster_count int,
    event_time timestamp,
    source_file string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("organization_id", "warehouse_id", "event_type", "event_time"),
    day_layout=DayLayout("event_time"),
)

# One row per version of a query as the query history API listed it: a query still running when
# listed lands again, under its final status and end time, once a later load sees it finished.
SQL_QUERY_HISTORY = BronzeTable(
    "sql_query_history_bronze",
    """
    organization_id string,
    query_id string,
    warehouse_id string,
    status string,
    is_final boolean,
    query_start_time_ms bigint,
    query_end_time_ms bigint,
    raw_json string,
    source_request string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("organization_id", "query_id", "status", "query_end_time_ms"),
    day_layout=DayLayout("query_start_time_ms", epoch_ms=True),
)

# One row per record of system.billing.usage (originals, retractions and restatements alike, each
# under its own record_id). Structs are kept as JSON text, so fields Databricks adds land unchanged.
BILLING_USAGE = BronzeTable(
    "billing_usage_bronze",
    """
    organization_id string,
    account_id string,
    workspace_id string,
    record_id string,
    sku_name string,
    cloud string,
    usage_start_time timestamp,
    usage_end_time timestamp,
    usage_date date,
    custom_tags map<string, string>,
    usage_unit string,
    usage_quantity decimal(38, 18),
    usage_metadata string,
    identity_metadata string,
    record_type string,
    ingestion_date date,
    billing_origin_product string,
    product_features string,
    usage_type string,
    source string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("record_id",),
    partition_column="usage_date",
)

# One row per record of system.billing.list_prices: a SKU's price from price_start_time on.
LIST_PRICES = BronzeTable(
    "list_prices_bronze",
    """
    organization_id string,
    account_id string,
    price_start_time timestamp,
    price_end_time timestamp,
    sku_name string,
    cloud string,
    currency_code string,
    usage_unit string,
    pricing string,
    source string,
    load_run_id string,
    loaded_at timestamp
    """,
    ("account_id", "cloud", "sku_name", "currency_code", "usage_unit", "price_start_time"),
)

ALL_TABLES = (
    AUDIT_LOG,
    CLUSTER_EVENTS,
    CLUSTER_USAGE_REFERENCE,
    SPARK_EVENTS,
    QUARANTINE,
    FILE_TRACKER,
    PIPELINE_REPORT,
    *(api_snapshot_table(entity) for entity in API_SNAPSHOT_ENTITIES),
    JOB_RUNS,
    WAREHOUSE_EVENTS,
    SQL_QUERY_HISTORY,
    BILLING_USAGE,
    LIST_PRICES,
)


def create_bronze_tables(spark: SparkSession, target: Target) -> None:
    """Create the bronze schema and every bronze table that does not exist yet, and give an existing
    table the day layout it lacks (a lake from before the layout).

    One listing of the schema decides what to create: a run over existing tables issues no `create`,
    where a `create table if not exists` per table costs a catalog round trip and a metadata read each.
    Only the tables with a day layout have theirs read."""
    catalog_prefix = f"`{target.catalog}`." if target.catalog else ""
    schema = f"{catalog_prefix}`{target.bronze_schema}`"
    existing = _existing_tables(spark, schema)
    if not existing:
        spark.sql(f"create schema if not exists {schema}")
    for table in ALL_TABLES:
        if table.name not in existing:
            spark.sql(
                f"create table if not exists {target.bronze_table(table.name)} ({table.columns}) "
                f"using {target.table_format} {_layout_clause(table, target)}"
            )
        elif table.day_layout is not None:
            _add_missing_day_layout(spark, target, table, table.day_layout)


def _layout_clause(table: BronzeTable, target: Target) -> str:
    if table.partition_column:
        return f"partitioned by ({table.partition_column})"
    if table.day_layout is None:
        return ""
    if target.table_format == "iceberg":
        return f"partitioned by ({table.day_layout.iceberg_transform})"
    return f"cluster by ({table.day_layout.column})"


def _add_missing_day_layout(
    spark: SparkSession, target: Target, table: BronzeTable, layout: DayLayout
) -> None:
    """Add the day layout to a table created without it. Metadata only: files already written keep
    theirs (each load run wrote its own, so min/max statistics still skip most of them); new rows are
    laid out by day."""
    qualified = target.bronze_table(table.name)
    if target.table_format == "iceberg":
        rows = spark.sql(f"describe table {qualified}").collect()
        partitioned = any(row.col_name.startswith("Part ") for row in rows)
        if not partitioned:
            spark.sql(f"alter table {qualified} add partition field {layout.iceberg_transform}")
        return
    detail = spark.sql(f"describe detail {qualified}").first()
    if detail is None or not detail.asDict().get("clusteringColumns"):
        spark.sql(f"alter table {qualified} cluster by ({layout.column})")


def _existing_tables(spark: SparkSession, schema: str) -> set[str]:
    """Names of the schema's tables (lower case, temporary views left out); none if it does not exist
    (Iceberg's Hive catalog lists a missing namespace as empty, Unity Catalog raises)."""
    from pyspark.errors import AnalysisException

    try:
        rows = spark.sql(f"show tables in {schema}").collect()
    except AnalysisException as error:
        if "SCHEMA_NOT_FOUND" in str(error) or "NoSuchNamespace" in str(error) or "not found" in str(error):
            return set()
        raise
    return {row.tableName.lower() for row in rows if not row.asDict().get("isTemporary", False)}


def insert_new_rows(spark: SparkSession, target: Target, table: BronzeTable, rows: DataFrame) -> int:
    """Merge `rows` into `table` in one commit, inserting only keys not already present; returns rows
    inserted, read from the commit's own metrics. Loaders stage their rows instead (bronze_writes)."""
    from overwatch.bronze_writes import BronzeWrites, Owner

    writes = BronzeWrites(spark, target, run_id="")
    owner = Owner("", "insert_new_rows")
    with writes.staging_for(owner):
        writes.stage(table, rows)
    result = writes.commit(lambda _message: None)
    if owner in result.failures:
        raise result.failures[owner]
    return result.added_by_table.get(table.name, 0)
