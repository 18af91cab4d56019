"""The account's bill, computed from what the simulation ran: `billing/`.

Written as the billing system tables would export it, one JSON object a line:

* `billing/usage/usage_<workspace_id>.json` (and `usage_account.json` for the account's own usage and
  for a workspace the deployment does not observe): records of `system.billing.usage`, structs nested
  as the table has them;
* `billing/list_prices/list_prices.json`: records of `system.billing.list_prices` for every SKU billed,
  but one deliberately unpriced SKU;
* `billing/expected_net_usage.csv`: the truth the tests compare with, net usage per workspace, day and
  SKU, summed from the simulation's own usage (never read by the loader).

Usage is billed as Databricks bills it: one record per hour and per cluster, SKU and node type for
classic compute (DBUs from the ledger's running intervals and the catalog's DBU rates per node type),
per hour and warehouse for SQL warehouses (from the warehouse events: clusters running x DBUs per hour
of the size), per hour and run, notebook, pipeline update or endpoint for serverless products. A few
records are billed wrong and corrected a day later by a RETRACTION (the negated original) and a
RESTATEMENT (the right quantity), so corrections net to the truth.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from overwatch.sample_workspace.audit_log import deterministic_uuid
from overwatch.sample_workspace.catalog import ALL_NODE_TYPES

if TYPE_CHECKING:
    from overwatch.sample_workspace.clusters import SimulatedCluster
    from overwatch.sample_workspace.ledger import ClusterCondition

BILLING_FOLDER = "billing"
HOUR_MS = 3_600_000
QUANTUM = Decimal("0.000001")
ACCOUNT_FILE_KEY = "account"
# Region suffixes serverless SKUs carry, for the region each cloud's sample workspaces run in.
REGION_SUFFIX_BY_CLOUD = {"aws": "US_WEST_OREGON", "azure": "EUROPE_WEST", "gcp": "US_CENTRAL"}
# DBUs an hour of a classic Photon cluster bills, per DBU of the same cluster without Photon.
PHOTON_DBU_MULTIPLIER = {"ALL_PURPOSE": Decimal("2.0"), "JOBS": Decimal("2.9"), "DLT": Decimal("2.9")}
# SQL warehouse DBUs an hour per cluster of each size (classic, pro and serverless alike).
WAREHOUSE_DBUS_PER_HOUR = {
    "2X-Small": 4, "X-Small": 6, "Small": 12, "Medium": 24, "Large": 40, "X-Large": 80, "2X-Large": 144,
}  # fmt: skip
# List prices in USD per unit, per SKU without its tier prefix and region suffix, per cloud.
LIST_PRICES_BY_CLOUD: dict[str, dict[str, str]] = {
    cloud: {
        "ALL_PURPOSE_COMPUTE": "0.55",
        "ALL_PURPOSE_COMPUTE_(PHOTON)": "0.55" if cloud == "azure" else "0.65",
        "JOBS_COMPUTE": "0.30" if cloud == "azure" else "0.15",
        "JOBS_COMPUTE_(PHOTON)": "0.30" if cloud == "azure" else "0.20",
        "SQL_COMPUTE": "0.22",
        "SQL_PRO_COMPUTE": "0.69" if cloud == "gcp" else "0.55",
        "SERVERLESS_SQL_COMPUTE": "0.88" if cloud == "gcp" else "0.70",
        "JOBS_SERVERLESS_COMPUTE": "0.45" if cloud == "azure" else "0.37",
        "ALL_PURPOSE_SERVERLESS_COMPUTE": "0.95" if cloud == "azure" else "0.75",
        "DLT_CORE_COMPUTE": "0.30" if cloud == "azure" else "0.20",
        "DLT_ADVANCED_COMPUTE_(PHOTON)": "0.54" if cloud == "azure" else "0.36",
        "SERVERLESS_REAL_TIME_INFERENCE": "0.082" if cloud == "azure" else "0.07",
        "PUBLIC_CONNECTIVITY_DATA_PROCESSED": "0.01",
    }
    for cloud in ("aws", "azure", "gcp")
}
REGIONAL_SKUS = (
    "SERVERLESS_SQL_COMPUTE",
    "JOBS_SERVERLESS_COMPUTE",
    "ALL_PURPOSE_SERVERLESS_COMPUTE",
    "SERVERLESS_REAL_TIME_INFERENCE",
    "PUBLIC_CONNECTIVITY_DATA_PROCESSED",
)
# A product in preview that the price list has not caught up with: billed, never priced.
UNPRICED_SKU = "APPS_PREVIEW_COMPUTE"
PRICES_VALID_FROM = datetime(2025, 1, 1, tzinfo=UTC)
# SKUs whose list price changes on the second generated day: (new list price, promotional price).
REPRICED_ON_THE_SECOND_DAY = {"JOBS_SERVERLESS_COMPUTE": ("0.39", "0.30")}
# Which emitted records (by position, per workspace) are billed wrong and corrected the next day.
CORRECTED_RECORD_POSITIONS = (7, 40, 150)
OVERBILLED_BY = Decimal("1.25")


def sku_name(cloud: str, product: str) -> str:
    """The full SKU: the Premium tier's prefix, and the region for serverless products."""
    suffix = f"_{REGION_SUFFIX_BY_CLOUD[cloud]}" if product in REGIONAL_SKUS else ""
    return f"PREMIUM_{product}{suffix}"


def dbus(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(QUANTUM)


@dataclass
class Usage:
    """Usage of one product in one hour (or part of it), before it becomes a billing record."""

    product: str
    start_ms: int
    end_ms: int
    quantity: Decimal
    billing_origin_product: str
    usage_metadata: dict[str, Any]
    identity_metadata: dict[str, Any] = field(default_factory=dict)
    custom_tags: dict[str, str] = field(default_factory=dict)
    product_features: dict[str, Any] = field(default_factory=dict)
    usage_unit: str = "DBU"
    usage_type: str = "COMPUTE_TIME"


@dataclass(frozen=True)
class JobRunContext:
    """What the bill of a job cluster says about the run it served."""

    job_id: int
    run_id: int
    run_as: str
    job_name: str
    job_tags: dict[str, str]


def hour_slices(start_ms: int, end_ms: int) -> list[tuple[int, int, int]]:
    """(hour start, slice start, slice end) for each clock hour the interval touches."""
    slices = []
    hour = start_ms - start_ms % HOUR_MS
    while hour < end_ms:
        slices.append((hour, max(start_ms, hour), min(end_ms, hour + HOUR_MS)))
        hour += HOUR_MS
    return slices


class BillWriter:
    """The account's bill: every workspace's usage records, the list prices and the truth."""

    def __init__(self, output_dir: Path, account_id: str, seed: int, start: date, days: int) -> None:
        self.folder = output_dir / BILLING_FOLDER
        self.account_id = account_id
        self.random = random.Random(f"billing-{seed}")
        self.first_day = start
        self.last_day = start + timedelta(days=days - 1)
        self._files: dict[str, IO[str]] = {}
        self._emitted: dict[str, int] = defaultdict(int)
        self.truth: dict[tuple[str, str, str, str, str], Decimal] = defaultdict(Decimal)
        self.skus: set[tuple[str, str, str]] = set()
        self.record_count = 0
        self.corrected_count = 0

    def workspace(self, organization_id: str, cloud: str) -> WorkspaceBill:
        return WorkspaceBill(self, organization_id, cloud)

    def write(self, workspace_id: str | None, cloud: str, usage: Usage) -> None:
        """Bill one usage: an ORIGINAL record, or a wrong one and its correction the next day."""
        if usage.quantity == 0:
            return
        file_key = workspace_id or ACCOUNT_FILE_KEY
        usage_day = _day(usage.start_ms)
        sku = sku_name(cloud, usage.product)
        self.truth[
            (workspace_id or "0", workspace_id or "", usage_day.isoformat(), sku, usage.usage_unit)
        ] += usage.quantity
        self.skus.add((cloud, sku, usage.usage_unit))
        self._emitted[file_key] += 1
        # Usage of the last hour of a day is ingested the next day (within the generated period).
        ingestion_day = min(_day(usage.end_ms + HOUR_MS // 2), self.last_day)
        corrected = self._emitted[file_key] in CORRECTED_RECORD_POSITIONS and usage_day < self.last_day
        if not corrected:
            self._write_record(
                file_key, workspace_id, cloud, usage, usage.quantity, "ORIGINAL", ingestion_day
            )
            return
        billed = (usage.quantity * OVERBILLED_BY).quantize(QUANTUM)
        correction_day = usage_day + timedelta(days=1)
        self._write_record(file_key, workspace_id, cloud, usage, billed, "ORIGINAL", ingestion_day)
        self._write_record(file_key, workspace_id, cloud, usage, -billed, "RETRACTION", correction_day)
        self._write_record(
            file_key, workspace_id, cloud, usage, usage.quantity, "RESTATEMENT", correction_day
        )
        self.corrected_count += 1

    def _write_record(
        self,
        file_key: str,
        workspace_id: str | None,
        cloud: str,
        usage: Usage,
        quantity: Decimal,
        record_type: str,
        ingestion_day: date,
    ) -> None:
        record = {
            "record_id": deterministic_uuid(self.random),
            "account_id": self.account_id,
            "workspace_id": workspace_id,
            "sku_name": sku_name(cloud, usage.product),
            "cloud": cloud.upper(),
            "usage_start_time": _iso(usage.start_ms),
            "usage_end_time": _iso(usage.end_ms),
            "usage_date": _day(usage.start_ms).isoformat(),
            "custom_tags": usage.custom_tags,
            "usage_unit": usage.usage_unit,
            # A JSON number with the decimal's digits: the loader reads it into decimal(38, 18) exactly.
            "usage_quantity": float(quantity),
            "usage_metadata": usage.usage_metadata,
            "identity_metadata": usage.identity_metadata,
            "record_type": record_type,
            "ingestion_date": ingestion_day.isoformat(),
            "billing_origin_product": usage.billing_origin_product,
            "product_features": usage.product_features,
            "usage_type": usage.usage_type,
        }
        self._file(file_key).write(json.dumps(record, separators=(",", ":")) + "\n")
        self.record_count += 1

    def _file(self, file_key: str) -> IO[str]:
        if file_key not in self._files:
            path = self.folder / "usage" / f"usage_{file_key}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._files[file_key] = path.open("w", encoding="utf-8")
        return self._files[file_key]

    def close(self) -> None:
        for file in self._files.values():
            file.close()
        self._files.clear()
        self._write_list_prices()
        self._write_truth()

    def _write_list_prices(self) -> None:
        path = self.folder / "list_prices" / "list_prices.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        repriced_at = datetime.combine(self.first_day + timedelta(days=1), time.min, tzinfo=UTC)
        with path.open("w", encoding="utf-8") as file:
            for cloud, sku, unit in sorted(self.skus):
                product = sku.removeprefix("PREMIUM_").removesuffix(f"_{REGION_SUFFIX_BY_CLOUD[cloud]}")
                if product == UNPRICED_SKU:
                    continue
                price = LIST_PRICES_BY_CLOUD[cloud][product]
                prices = [(PRICES_VALID_FROM, None, {"default": price, "effective_list": {"default": price}})]
                if product in REPRICED_ON_THE_SECOND_DAY:
                    # A new list price with a promotion from the second generated day on: type-2 history.
                    new_price, promotional = REPRICED_ON_THE_SECOND_DAY[product]
                    new_pricing = {
                        "default": new_price,
                        "promotional": {"default": promotional},
                        "effective_list": {"default": promotional},
                    }
                    prices = [
                        (PRICES_VALID_FROM, repriced_at, prices[0][2]),
                        (repriced_at, None, new_pricing),
                    ]
                for valid_from, valid_until, pricing in prices:
                    record = {
                        "account_id": self.account_id,
                        "price_start_time": _iso(_epoch_ms(valid_from)),
                        "price_end_time": _iso(_epoch_ms(valid_until)) if valid_until else None,
                        "sku_name": sku,
                        "cloud": cloud.upper(),
                        "currency_code": "USD",
                        "usage_unit": unit,
                        "pricing": pricing,
                    }
                    file.write(json.dumps(record, separators=(",", ":")) + "\n")

    def _write_truth(self) -> None:
        path = self.folder / "expected_net_usage.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(
                ("organization_id", "workspace_id", "usage_date", "sku_name", "usage_unit", "usage_quantity")
            )
            for key in sorted(self.truth):
                writer.writerow((*key, f"{self.truth[key]:f}"))


class WorkspaceBill:
    """One workspace's usage, as the simulation reports what ran."""

    def __init__(self, writer: BillWriter, organization_id: str, cloud: str) -> None:
        self.writer = writer
        self.organization_id = organization_id
        self.cloud = cloud
        self._cluster_dbus: dict[str, dict[tuple[int, str, str], float]] = defaultdict(
            lambda: defaultdict(float)
        )
        self._job_runs: dict[str, JobRunContext] = {}

    def add(self, usage: Usage) -> None:
        self.writer.write(self.organization_id, self.cloud, usage)

    # --- classic clusters: from the ledger's intervals ---------------------------------------------

    def job_cluster_started(self, cluster_id: str, context: JobRunContext) -> None:
        self._job_runs[cluster_id] = context

    def cluster_interval(
        self, cluster: SimulatedCluster, start_ms: int, end_ms: int, condition: ClusterCondition
    ) -> None:
        if not condition.is_running or end_ms <= start_ms:
            return
        driver = ALL_NODE_TYPES[condition.driver_node_type_id].dbus_per_hour
        workers = 0 if condition.is_single_node else condition.current_num_workers
        dbus_per_hour = driver + workers * ALL_NODE_TYPES[condition.node_type_id].dbus_per_hour
        product = "JOBS_COMPUTE" if condition.cluster_type == "job" else "ALL_PURPOSE_COMPUTE"
        if condition.is_photon:
            dbus_per_hour *= float(PHOTON_DBU_MULTIPLIER[product.removesuffix("_COMPUTE")])
            product += "_(PHOTON)"
        hourly = self._cluster_dbus[cluster.cluster_id]
        for hour, slice_start, slice_end in hour_slices(start_ms, end_ms):
            hourly[(hour, product, condition.node_type_id)] += (
                (slice_end - slice_start) / HOUR_MS * dbus_per_hour
            )

    def cluster_finished(self, cluster: SimulatedCluster) -> None:
        hourly = self._cluster_dbus.pop(cluster.cluster_id, {})
        job_run = self._job_runs.pop(cluster.cluster_id, None)
        tags = dict(cluster.spec.get("custom_tags") or {})
        metadata: dict[str, Any] = {"cluster_id": cluster.cluster_id}
        identity: dict[str, Any] = {}
        if job_run is not None:
            tags |= job_run.job_tags
            metadata |= {
                "job_id": str(job_run.job_id),
                "job_run_id": str(job_run.run_id),
                "job_name": job_run.job_name,
            }
            identity = {"run_as": job_run.run_as}
        if cluster.spec.get("instance_pool_id"):
            metadata["instance_pool_id"] = cluster.spec["instance_pool_id"]
        origin = "JOBS" if cluster.cluster_type == "job" else "ALL_PURPOSE"
        for (hour, product, node_type), quantity in sorted(hourly.items()):
            is_photon = product.endswith("_(PHOTON)")
            features = {"is_serverless": False, "is_photon": is_photon}
            if origin == "JOBS":
                features["jobs_tier"] = "CLASSIC"
            self.add(
                Usage(
                    product,
                    hour,
                    hour + HOUR_MS,
                    dbus(quantity),
                    origin,
                    metadata | {"node_type": node_type},
                    identity,
                    tags,
                    features,
                )
            )

    # --- SQL warehouses: from their state events ---------------------------------------------------

    def warehouse_run(
        self,
        warehouse: dict[str, Any],
        events: list[tuple[str, int, int]],
        size_before: str,
        resized_at_ms: int | None,
    ) -> None:
        """Bill the clusters running between consecutive events, at the size in force at each moment."""
        product, tier = _warehouse_product(warehouse)
        hourly: dict[int, float] = defaultdict(float)
        for (_, start_ms, clusters), (_, end_ms, _) in itertools.pairwise(events):
            if clusters == 0:
                continue
            cuts = sorted(
                {
                    start_ms,
                    end_ms,
                    *([resized_at_ms] if resized_at_ms and start_ms < resized_at_ms < end_ms else []),
                }
            )
            for piece_start, piece_end in itertools.pairwise(cuts):
                resized = resized_at_ms is not None and piece_start >= resized_at_ms
                size = warehouse["cluster_size"] if resized else size_before
                for hour, slice_start, slice_end in hour_slices(piece_start, piece_end):
                    hourly[hour] += (
                        (slice_end - slice_start) / HOUR_MS * clusters * WAREHOUSE_DBUS_PER_HOUR[size]
                    )
        tags = {tag["key"]: tag["value"] for tag in (warehouse.get("tags") or {}).get("custom_tags", [])}
        for hour, quantity in sorted(hourly.items()):
            self.add(
                Usage(
                    product,
                    hour,
                    hour + HOUR_MS,
                    dbus(quantity),
                    "SQL",
                    {"warehouse_id": warehouse["id"]},
                    {"owned_by": warehouse["creator_name"]},
                    tags,
                    {"sql_tier": tier, "is_serverless": product.startswith("SERVERLESS"), "is_photon": True},
                )
            )

    # --- serverless and other products: usage over an interval at a rate ---------------------------

    def metered(self, usage: Usage, dbus_per_hour: float) -> None:
        """Bill `usage`'s interval hour by hour at `dbus_per_hour` (usage.quantity is ignored)."""
        for hour, slice_start, slice_end in hour_slices(usage.start_ms, usage.end_ms):
            quantity = dbus((slice_end - slice_start) / HOUR_MS * dbus_per_hour)
            self.add(
                Usage(
                    usage.product,
                    hour,
                    hour + HOUR_MS,
                    quantity,
                    usage.billing_origin_product,
                    usage.usage_metadata,
                    usage.identity_metadata,
                    usage.custom_tags,
                    usage.product_features,
                    usage.usage_unit,
                    usage.usage_type,
                )
            )


def _warehouse_product(warehouse: dict[str, Any]) -> tuple[str, str]:
    if warehouse.get("enable_serverless_compute"):
        return "SERVERLESS_SQL_COMPUTE", "PRO"
    if warehouse.get("warehouse_type") == "CLASSIC":
        return "SQL_COMPUTE", "CLASSIC"
    return "SQL_PRO_COMPUTE", "PRO"


def _day(at_ms: int) -> date:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).date()


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
