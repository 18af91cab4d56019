"""Audit log delivery files: `audit_logs/workspaceId=<id>/date=YYYY-MM-DD/auditlogs_<hex>.json`.

Account-level events are delivered the same way under `workspaceId=0` (ACCOUNT_LEVEL, orgId "0").

Lines are written as events are produced; a date's files stay open while later simulated work can
still land on that date (sessions and runs crossing midnight) and are closed once the simulation has
moved past it. Delivery is at-least-once, so a fixed share of lines is delivered again, later, in the
last file of the same date.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

# Files per date: a delivery file covers a quarter of the day.
HOURS_PER_FILE = 6
# One line in this many is delivered twice.
REDELIVERY_ONE_IN = 40
SYSTEM_USER = "System-User"
# The workspace id Databricks files account-level events under.
ACCOUNT_LEVEL_ID = "0"
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SDK_USER_AGENT = "databricks-sdk-py/0.40.0 python/3.11.7 os/linux auth/pat"
JOBS_USER_AGENT = "JobLauncher"


@dataclass(frozen=True)
class AuditIdentity:
    """Who the account knows this workspace as, stamped on every line."""

    organization_id: str
    shard_name: str | None
    account_id: str


def request_params(values: dict[str, Any]) -> dict[str, str]:
    """Audit requestParams hold strings only; nested values arrive JSON-encoded, as in real logs."""
    encoded: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, str):
            encoded[key] = value
        elif isinstance(value, (int, float)):
            encoded[key] = str(value)
        else:
            encoded[key] = json.dumps(value, separators=(",", ":"))
    return encoded


def deterministic_uuid(generator: random.Random) -> str:
    return str(uuid.UUID(int=generator.getrandbits(128), version=4))


def date_of(timestamp_ms: int) -> date:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC).date()


class AuditLogWriter:
    """Streams one workspace's audit events into its delivery folder."""

    def __init__(self, root: Path, identity: AuditIdentity, seed: int) -> None:
        self.folder = root / f"workspaceId={identity.organization_id}"
        self.identity = identity
        self.seed = seed
        self.random = random.Random(f"audit-{seed}-{identity.organization_id}")
        self._open_files: dict[tuple[date, int], IO[str]] = {}
        self._redelivered: dict[date, list[str]] = {}
        self._finished_before = date.min
        self.event_count = 0
        self.duplicate_count = 0
        self.file_count = 0

    def emit(
        self,
        timestamp_ms: int,
        service_name: str,
        action_name: str,
        email: str,
        params: dict[str, Any],
        *,
        result: str | None = None,
        user_agent: str = BROWSER_USER_AGENT,
        source_ip: str = "10.10.20.30",
        status_code: int = 200,
        error_message: str | None = None,
    ) -> None:
        event = {
            "version": "2.0",
            "auditLevel": self.audit_level,
            "timestamp": timestamp_ms,
            "orgId": self.identity.organization_id,
            "shardName": self.identity.shard_name,
            "accountId": self.identity.account_id,
            "sourceIPAddress": source_ip,
            "userAgent": user_agent,
            "sessionId": deterministic_uuid(self.random),
            "userIdentity": {"email": email},
            "serviceName": service_name,
            "actionName": action_name,
            "requestId": deterministic_uuid(self.random),
            "requestParams": request_params(params),
            "response": {"statusCode": status_code, "errorMessage": error_message, "result": result},
        }
        self._write(timestamp_ms, json.dumps(event, separators=(",", ":")))

    @property
    def audit_level(self) -> str:
        return "ACCOUNT_LEVEL" if self.identity.organization_id == ACCOUNT_LEVEL_ID else "WORKSPACE_LEVEL"

    def close_dates_before(self, day: date) -> None:
        """Finish every date earlier than `day`: nothing later in the simulation lands there."""
        for open_date in sorted({key[0] for key in self._open_files} | set(self._redelivered)):
            if open_date < day:
                self._finish_date(open_date)
        self._finished_before = max(self._finished_before, day)

    def close(self) -> None:
        self.close_dates_before(date.max)

    def _write(self, timestamp_ms: int, line: str) -> None:
        event_date = date_of(timestamp_ms)
        if event_date < self._finished_before:
            raise ValueError(f"audit event dated {event_date} after that date's files were closed")
        hour = (timestamp_ms // 3_600_000) % 24
        self._file(event_date, hour // HOURS_PER_FILE).write(line + "\n")
        self.event_count += 1
        if self.random.randrange(REDELIVERY_ONE_IN) == 0:
            self._redelivered.setdefault(event_date, []).append(line)

    def _file(self, event_date: date, part: int) -> IO[str]:
        key = (event_date, part)
        if key not in self._open_files:
            name = hashlib.sha256(
                f"{self.seed}/{self.identity.organization_id}/{event_date}/{part}".encode()
            ).hexdigest()[:32]
            path = self.folder / f"date={event_date.isoformat()}" / f"auditlogs_{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._open_files[key] = path.open("w", encoding="utf-8", newline="\n")
            self.file_count += 1
        return self._open_files[key]

    def _finish_date(self, event_date: date) -> None:
        lines = self._redelivered.pop(event_date, [])
        if lines:
            last_part = max(part for day, part in self._open_files if day == event_date)
            self._file(event_date, last_part).write("".join(line + "\n" for line in lines))
            self.duplicate_count += len(lines)
        for key in sorted(key for key in self._open_files if key[0] == event_date):
            self._open_files.pop(key).close()
