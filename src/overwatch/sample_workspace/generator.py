"""`generate_sample_workspace`: the seeded entry point, and the manifest describing what it wrote."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from overwatch.sample_workspace.accounts import AccountLevelActivity
from overwatch.sample_workspace.audit_log import ACCOUNT_LEVEL_ID, AuditIdentity, AuditLogWriter
from overwatch.sample_workspace.billing import BillWriter
from overwatch.sample_workspace.catalog import CLOUDS, SIZE_PRESETS, WORKSPACE_NAMES
from overwatch.sample_workspace.identifiers import numeric_id
from overwatch.sample_workspace.ledger import LedgerWriter
from overwatch.sample_workspace.serverless import bill_account_usage
from overwatch.sample_workspace.workspace import WorkspaceIdentity, WorkspaceSimulation, WorkspaceSummary

DEFAULT_START_DATE = date(2026, 1, 5)
OUTPUT_FOLDERS = ("audit_logs", "api", "ledger", "warehouse_events", "cluster_logs", "billing")


@dataclass
class SampleWorkspaceManifest:
    seed: int
    start_date: date
    end_date: date  # exclusive
    days: int
    size: str
    account_id: str
    workspaces: list[WorkspaceSummary] = field(default_factory=list)
    billing_records: int = 0
    corrected_billing_records: int = 0
    # Account-level audit events, delivered under audit_logs/workspaceId=0.
    account_audit_events: int = 0
    account_audit_duplicate_lines: int = 0
    account_audit_files: int = 0

    @property
    def start_time(self) -> datetime:
        """Midnight UTC at the start of the first generated day."""
        return datetime.combine(self.start_date, time.min, tzinfo=UTC)

    @property
    def end_time(self) -> datetime:
        """Midnight UTC after the last generated day (exclusive)."""
        return datetime.combine(self.end_date, time.min, tzinfo=UTC)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=date.isoformat) + "\n"


def generate_sample_workspace(
    output_dir: Path,
    *,
    days: int,
    workspace_count: int,
    size: str = "small",
    seed: int = 42,
    start_date: date = DEFAULT_START_DATE,
) -> SampleWorkspaceManifest:
    """Writes audit logs, per-workspace API state, the cost ledger and the account's bill under `output_dir`.

    The same arguments always produce byte-identical files; earlier output in `output_dir` is replaced.
    """
    if size not in SIZE_PRESETS:
        raise ValueError(f"size must be one of {sorted(SIZE_PRESETS)}, not {size!r}")
    if days < 1 or workspace_count < 1:
        raise ValueError("days and workspace_count must be at least 1")
    output_dir = Path(output_dir)
    _clear_previous_output(output_dir)
    identities = workspace_identities(seed, workspace_count)
    manifest = SampleWorkspaceManifest(
        seed=seed,
        start_date=start_date,
        end_date=start_date + timedelta(days=days),
        days=days,
        size=size,
        account_id=identities[0].account_id,
    )
    ledger = LedgerWriter(output_dir / "ledger" / "cluster_intervals.csv")
    bill = BillWriter(output_dir, manifest.account_id, seed, start_date, days)
    simulations = []
    try:
        for identity in identities:
            simulation = WorkspaceSimulation(
                output_dir, identity, SIZE_PRESETS[size], seed, start_date, days, ledger, bill
            )
            manifest.workspaces.append(simulation.run())
            simulations.append(simulation)
        bill_account_usage(bill, identities[0].cloud, seed, start_date, days)
    finally:
        ledger.close()
        bill.close()
    manifest.billing_records = bill.record_count
    manifest.corrected_billing_records = bill.corrected_count
    _write_account_level_events(output_dir, manifest, simulations[0].users)
    (output_dir / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _write_account_level_events(output_dir: Path, manifest: SampleWorkspaceManifest, users: list) -> None:
    """The account console's events under audit_logs/workspaceId=0; people are the first workspace's."""
    identity = AuditIdentity(ACCOUNT_LEVEL_ID, None, manifest.account_id)
    audit = AuditLogWriter(output_dir / "audit_logs", identity, manifest.seed)
    activity = AccountLevelActivity(audit, random.Random(f"account-audit-{manifest.seed}"), users)
    for day in range(manifest.days):
        day_start = manifest.start_time + timedelta(days=day)
        activity.simulate_day(day, int(day_start.timestamp() * 1000))
    audit.close()
    manifest.account_audit_events = audit.event_count
    manifest.account_audit_duplicate_lines = audit.duplicate_count
    manifest.account_audit_files = audit.file_count


def workspace_identities(seed: int, workspace_count: int) -> list[WorkspaceIdentity]:
    generator = random.Random(f"identities-{seed}")
    account_id = str(_uuid_from(generator))
    identities = []
    for index in range(workspace_count):
        name = WORKSPACE_NAMES[index % len(WORKSPACE_NAMES)]
        if index >= len(WORKSPACE_NAMES):
            name = f"{name}-{index // len(WORKSPACE_NAMES) + 1}"
        organization_id = str(numeric_id(generator, 16))
        identities.append(WorkspaceIdentity(organization_id, name, CLOUDS[index % len(CLOUDS)], account_id))
    return identities


def _uuid_from(generator: random.Random) -> str:
    from overwatch.sample_workspace.audit_log import deterministic_uuid

    return deterministic_uuid(generator)


def _clear_previous_output(output_dir: Path) -> None:
    for folder in OUTPUT_FOLDERS:
        shutil.rmtree(output_dir / folder, ignore_errors=True)
    (output_dir / "manifest.json").unlink(missing_ok=True)
    output_dir.mkdir(parents=True, exist_ok=True)
