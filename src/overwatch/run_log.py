"""The run log (`pipeline_report`): one row per workspace, module and run, and the watermarks it gives.

A module's next window starts at the `until_time` of its own last successful run (or the primordial
date), so a failed module is retried from where it stood while the others move on. A run's rows are
written once, after every bronze table has committed (bronze_writes): a run killed before that leaves
no watermark claiming rows that were not committed.
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

    def watermarks(self) -> dict[tuple[str, str], datetime]:
        """Every (organization_id, module_name)'s last good until_time, read in one query."""
        from pyspark.sql import functions as F

        rows = (
            self._spark.table(self._table)
            .where(F.col("status") == SUCCEEDED)
            .groupBy("organization_id", "module_name")
            .agg(F.max("until_time").alias("until_time"))
            .collect()
        )
        return {(row.organization_id, row.module_name): as_utc(row.until_time) for row in rows}

    def last_good_until(self, organization_id: str, module_name: str) -> datetime | None:
        return self.watermarks().get((organization_id, module_name))

    def next_window(
        self,
        organization_id: str,
        module_name: str,
        *,
        primordial_date: date,
        requested_until: datetime,
        max_days: int,
    ) -> LoadWindow:
        last_good_until = self.last_good_until(organization_id, module_name)
        return self.window_from(last_good_until, primordial_date, requested_until, max_days)

    @staticmethod
    def window_from(
        last_good_until: datetime | None, primordial_date: date, requested_until: datetime, max_days: int
    ) -> LoadWindow:
        """The window after a module's last good until_time (or from the primordial date)."""
        from_time = last_good_until or start_of_day(primordial_date)
        until_time = min(requested_until, from_time + timedelta(days=max_days))
        return LoadWindow(from_time, max(from_time, until_time))

    def record(self, run: ModuleRun) -> None:
        self.record_all([run])

    def record_all(self, runs: list[ModuleRun]) -> None:
        """Append the runs' rows in one commit (a run id is new each run, so nothing to merge)."""
        from pyspark.sql import Row

        if not runs:
            return
        rows = [
            Row(
                organization_id=run.organization_id,
                run_id=run.run_id,
                module_name=run.module_name,
                from_time=run.window.from_time,
                until_time=run.window.until_time,
                status=run.status,
                rows_written=run.rows_written,
                error_message=run.error_message[:ERROR_TEXT_LIMIT] if run.error_message else None,
                started_at=run.started_at,
                finished_at=run.finished_at,
            )
            for run in runs
        ]
        self._spark.createDataFrame(rows, schema=PIPELINE_REPORT.columns).writeTo(self._table).append()
