"""Ground truth for cost reconciliation: `ledger/cluster_intervals.csv`.

One row per interval during which a cluster's running state, worker counts and node types are
constant. A cluster's rows tile its lifetime in the generated period, from its creation (or the first
generated day, for clusters that predate it) to its permanent deletion (or the period's end). Each
boundary is the timestamp of the cluster event that changed something (or of the permanentDelete
audit event), so the intervals can be rebuilt from the cluster events alone:

* CREATING and STARTING start running with 0 current workers and the requested size as target;
* RUNNING, RESIZING and UPSIZE_COMPLETED set the counts they report (a downsize reports the smaller
  count at once: released nodes stop billing when the RESIZING event is logged);
* RESTARTING keeps the counts; EDITED changes node types only (clusters are edited while terminated);
* TERMINATING stops running, with 0 workers.
"""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import IO

LEDGER_COLUMNS = (
    "organization_id",
    "cluster_id",
    "interval_start_ms",
    "interval_end_ms",
    "is_running",
    "current_num_workers",
    "target_num_workers",
    "driver_node_type_id",
    "node_type_id",
    "is_photon",
    "is_single_node",
    "cluster_type",
    "sku",
)


@dataclass(frozen=True)
class ClusterCondition:
    """What a cluster bills for while nothing changes."""

    is_running: bool
    current_num_workers: int
    target_num_workers: int
    driver_node_type_id: str
    node_type_id: str
    is_photon: bool
    is_single_node: bool
    cluster_type: str

    @property
    def sku(self) -> str:
        return "interactive" if self.cluster_type == "interactive" else "automated"


class LedgerWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(LEDGER_COLUMNS)
        self.row_count = 0

    def write(
        self, organization_id: str, cluster_id: str, start_ms: int, end_ms: int, condition: ClusterCondition
    ) -> None:
        if end_ms <= start_ms:
            return
        values = astuple(condition)
        running, current, target, driver_type, worker_type, photon, single_node, cluster_type = values
        self._csv.writerow(
            (
                organization_id,
                cluster_id,
                start_ms,
                end_ms,
                _flag(running),
                current,
                target,
                driver_type,
                worker_type,
                _flag(photon),
                _flag(single_node),
                cluster_type,
                condition.sku,
            )
        )
        self.row_count += 1

    def close(self) -> None:
        self._file.close()


def _flag(value: bool) -> str:
    return "true" if value else "false"
