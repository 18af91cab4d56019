"""Known cluster running intervals (a usage ledger CSV) into `cluster_usage_reference_bronze`.

Locally the sample workspace's ledger is the ground truth the cost reconciliation compares with;
in production that role falls to `system.billing.usage`.
"""

from __future__ import annotations

from overwatch.bronze_tables import CLUSTER_USAGE_REFERENCE
from overwatch.bronze_writes import commit_alone, staged_writes
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow, epoch_ms

LEDGER_SCHEMA = (
    "organization_id string, cluster_id string, interval_start_ms bigint, interval_end_ms bigint, "
    "is_running boolean, current_num_workers int, target_num_workers int, driver_node_type_id string, "
    "node_type_id string, is_photon boolean, is_single_node boolean, cluster_type string, sku string"
)


def load_cluster_usage_reference(context: LoadContext, window: LoadWindow, *, ledger_path: str) -> int:
    """Land the intervals of this workspace that start inside the window; returns rows inserted."""
    return commit_alone(context, stage_cluster_usage_reference, window, ledger_path=ledger_path)


def stage_cluster_usage_reference(context: LoadContext, window: LoadWindow, *, ledger_path: str) -> None:
    """Stage the intervals of this workspace that start inside the window."""
    from pyspark.sql import functions as F

    start_ms = epoch_ms(window.from_time)
    end_ms = epoch_ms(window.until_time)
    ledger = context.spark.read.csv(ledger_path, header=True, schema=LEDGER_SCHEMA, mode="FAILFAST")
    rows = ledger.where(
        (F.col("organization_id") == context.organization_id)
        & (F.col("interval_start_ms") >= start_ms)
        & (F.col("interval_start_ms") < end_ms)
    ).select(
        "*",
        F.lit(ledger_path).alias("source_file"),
        F.lit(context.run_id).alias("load_run_id"),
        F.current_timestamp().alias("loaded_at"),
    )
    staged_writes(context).stage(CLUSTER_USAGE_REFERENCE, rows)
    context.report("cluster usage reference: the window's intervals staged")
