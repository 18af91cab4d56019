"""The run log (`pipeline_report`): one row per workspace, module and run, and the watermarks it gives.

A module's next window starts at the `until_time` of its own last successful run (or the primordial
date), so a failed module is retried from where it stood while the others move on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from overwatch.bronze_tables import PIPELINE_REPORT
from overwatch.lakehouse import Target

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
ERROR_TEXT_LIMIT = 4000


@dataclass(frozen=True)
class LoadWindow:
    """Half-open interval [from_time, until_time) of event time a module loads (timezone-aware, UTC)."""

    from_time: datetime
    until_time: datetime

    @property
    def is_empty(self) -> bool:
        return self.from_time >= self.until_time


@dataclass(frozen=True)
class ModuleRun:
    organization_id: str
    run_id: str
    module_name: str
    window: LoadWindow
    status: str
    rows_written: int
    error_message: str | None
    started_at: datetime
    finished_at: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds, the unit of the API's and the audit log's timestamps."""
    return int(moment.timestamp() * 1000)


def as_utc(value: datetime) -> datetime:
    """PySpark hands timestamps back as naive local time; astimezone() reads naive values that way."""
    return value.astimezone(UTC)


class RunLog:
    def __init__(self, spark: SparkSession, target: Target) -> None:
        self._spark = spark
        self._target = target
        self._table = target.bronze_table(PIPELINE_REPORT.name)

    def last_good_until(self, organization_id: str, module_name: str) -> datetime | None:
        row = (
            self._spark.table(self._table)
            .where(
                f"organization_id = '{organization_id}' and module_name = '{module_name}' "
                f"and status = '{SUCCEEDED}'"
            )
            .agg({"until_time": "max"})
            .first()
        )
        return as_utc(row[0]) if row and row[0] else None

    def next_window(
        self,
        organization_id: str,
        module_name: str,
        *,
        primordial_date: date,
        requested_until: datetime,
        max_days: int,
    ) -> LoadWindow:
        from_time = self.last_good_until(organization_id, module_name) or start_of_day(primordial_date)
        until_time = min(requested_until, from_time + timedelta(days=max_days))
        return LoadWindow(from_time, max(from_time, until_time))

    def record(self, run: ModuleRun) -> None:
        from pyspark.sql import Row

        error = run.error_message[:ERROR_TEXT_LIMIT] if run.error_message else None
        row = Row(
            organization_id=run.organization_id,
            run_id=run.run_id,
            module_name=run.module_name,
            from_time=run.window.from_time,
            until_time=run.window.until_time,
            status=run.status,
            rows_written=run.rows_written,
            error_message=error,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )
        # A run id is new each run, so its rows are appended rather than merged.
        self._spark.createDataFrame([row], schema=PIPELINE_REPORT.columns).writeTo(self._table).append()
