"""Audit logs from the `system.access.audit` system table (Databricks) into `audit_log_bronze`.

The system table holds the same events as delivered files, in snake_case columns; they are mapped to
the delivery schema so that silver reads one shape whatever the source. Rows reach the system table
late, so each window re-reads a day before it, and the merge on the event hash adds nothing twice.
Account-level events (workspace_id 0) are read by the account module (`account_audit_loader`), once
per deployment, never by a workspace's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from overwatch.audit_log_loader import audit_bronze_rows
from overwatch.bronze_tables import AUDIT_LOG
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import AuditLoadContext, LoadContext
from overwatch.run_log import LoadWindow

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

LOOKBACK = timedelta(days=1)
# System table columns mapped onto the delivery schema; every other column goes to unparsed_fields.
MAPPED_COLUMNS = (
    "version",
    "audit_level",
    "event_time",
    "event_date",
    "workspace_id",
    "account_id",
    "source_ip_address",
    "user_agent",
    "session_id",
    "user_identity",
    "service_name",
    "action_name",
    "request_id",
    "request_params",
    "response",
)


def load_audit_system_table(context: LoadContext, window: LoadWindow) -> int:
    """Load the window's events of this workspace from the audit system table; returns rows inserted."""
    return commit_alone(context, stage_audit_system_table, window)


def stage_audit_system_table(context: LoadContext, window: LoadWindow) -> None:
    """Stage the window's events of this workspace from the audit system table."""
    stage_audit_table_events(context, window, context.workspace.audit_log_table)


def stage_audit_table_events(context: AuditLoadContext, window: LoadWindow, table_name: str) -> None:
    """Stage the window's events whose workspace_id is the context's organization id from `table_name`
    (shaped as system.access.audit)."""
    from pyspark.sql import functions as F

    start = window.from_time - LOOKBACK
    events = context.spark.table(table_name).where(
        (F.col("workspace_id") == context.organization_id)
        & F.col("event_date").between(F.lit(start.date()), F.lit(window.until_time.date()))
        & (F.col("event_time") >= F.lit(start))
        & (F.col("event_time") < F.lit(window.until_time))
    )
    shaped = events.select(
        _as_delivery_record().alias("record"),
        _unmapped_columns(events).alias("unparsed_fields"),
        F.col("event_date"),
        F.lit(table_name).alias("source_file"),
    )
    staged_writes(context).stage(AUDIT_LOG, audit_bronze_rows(context, shaped))
    context.report(f"audit logs: events of the window staged from {table_name}")


def _json_field(column: str, *names: str) -> Column:
    """A struct field by any of its spellings, read through JSON so a missing one is null, not an error."""
    from pyspark.sql import functions as F

    as_json = F.to_json(F.col(column))
    return F.coalesce(*[F.get_json_object(as_json, f"$.{name}") for name in names])


def _as_delivery_record() -> Column:
    from pyspark.sql import functions as F

    return F.struct(
        F.col("version").alias("version"),
        F.col("audit_level").alias("auditLevel"),
        F.unix_millis("event_time").alias("timestamp"),
        F.col("workspace_id").alias("orgId"),
        F.col("workspace_id").alias("workspaceId"),
        F.lit(None).cast("string").alias("shardName"),
        F.col("account_id").alias("accountId"),
        F.col("source_ip_address").alias("sourceIPAddress"),
        F.col("user_agent").alias("userAgent"),
        F.col("session_id").alias("sessionId"),
        F.struct(
            _json_field("user_identity", "email").alias("email"),
            _json_field("user_identity", "subjectName", "subject_name").alias("subjectName"),
        ).alias("userIdentity"),
        F.col("service_name").alias("serviceName"),
        F.col("action_name").alias("actionName"),
        F.col("request_id").alias("requestId"),
        F.col("request_params").alias("requestParams"),
        F.struct(
            _json_field("response", "statusCode", "status_code").cast("int").alias("statusCode"),
            _json_field("response", "errorMessage", "error_message").alias("errorMessage"),
            _json_field("response", "result").alias("result"),
        ).alias("response"),
    )


def _unmapped_columns(events: DataFrame) -> Column:
    """Columns the delivery schema has no place for (event_id, identity_metadata, ...), kept as strings."""
    from pyspark.sql import functions as F

    others = [field for field in events.schema.fields if field.name not in MAPPED_COLUMNS]
    if not others:
        return F.create_map().cast("map<string, string>")
    entries = []
    for field in others:
        value = F.col(field.name)
        is_nested = field.dataType.typeName() in ("struct", "map", "array")
        entries += [F.lit(field.name), F.to_json(value) if is_nested else value.cast("string")]
    return F.map_filter(F.create_map(*entries), lambda _key, value: value.isNotNull())
