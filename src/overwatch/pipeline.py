"""One load run: every workspace, every module, each from its own watermark.

Modules run in dependency order (cluster events follow the clusters seen in the audit logs and the
clusters snapshot). A module that fails is recorded as FAILED with its error and the run goes on;
its watermark stays, so the next run retries its window while the others advance. Account-level
modules (the deployment's `account:` section) run once per run, after the workspaces', under
organization_id "0" with watermarks of their own.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from overwatch.account_audit_loader import load_account_audit_logs
from overwatch.api_snapshot_loader import load_api_snapshot, load_job_runs
from overwatch.audit_log_loader import load_audit_logs
from overwatch.audit_system_table_loader import load_audit_system_table
from overwatch.billing_loader import load_billing_usage, load_list_prices
from overwatch.bronze_tables import API_SNAPSHOT_ENTITIES, create_bronze_tables
from overwatch.cluster_events_loader import load_cluster_events
from overwatch.cluster_usage_reference_loader import load_cluster_usage_reference
from overwatch.deployment_config import DeploymentConfig, Scope, WorkspaceConfig
from overwatch.lakehouse import Target
from overwatch.load_context import AccountLoadContext, LoadContext
from overwatch.query_history_loader import load_query_history
from overwatch.run_log import FAILED, SUCCEEDED, LoadWindow, ModuleRun, RunLog, utc_now
from overwatch.spark_event_log_loader import load_spark_event_logs
from overwatch.warehouse_events_loader import load_warehouse_events

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ModuleLoader = Callable[[LoadContext, LoadWindow], int]
AccountModuleLoader = Callable[[AccountLoadContext, LoadWindow], int]


def modules_to_run(config: DeploymentConfig) -> list[tuple[Scope, ModuleLoader]]:
    """The deployment's modules in dependency order: cluster events read the audit log and the
    clusters snapshot of the same window."""
    modules: list[tuple[Scope, ModuleLoader]] = [
        (Scope.AUDIT_LOGS, _load_audit_logs_from_configured_source),
        *((Scope(entity), partial(load_api_snapshot, entity=entity)) for entity in API_SNAPSHOT_ENTITIES),
        (Scope.JOB_RUNS, load_job_runs),
        (Scope.WAREHOUSE_EVENTS, load_warehouse_events),
        (Scope.SQL_QUERY_HISTORY, load_query_history),
        (Scope.CLUSTER_EVENTS, load_cluster_events),
        (Scope.SPARK_EVENTS, load_spark_event_logs),
    ]
    if config.cluster_usage_ledger_path:
        reference_loader = partial(load_cluster_usage_reference, ledger_path=config.cluster_usage_ledger_path)
        modules.append((Scope.CLUSTER_USAGE_REFERENCE, reference_loader))
    return [(scope, loader) for scope, loader in modules if config.runs_scope(scope)]


def account_modules_to_run(config: DeploymentConfig) -> list[tuple[Scope, AccountModuleLoader]]:
    """The account-level modules the deployment's `account:` section configures, run once per run."""
    account = config.account
    if account is None:
        return []
    modules: list[tuple[Scope, AccountModuleLoader]] = []
    if account.loads_audit_logs:
        modules.append((Scope.ACCOUNT_AUDIT_LOGS, load_account_audit_logs))
    modules += [(Scope.BILLING_USAGE, load_billing_usage), (Scope.LIST_PRICES, load_list_prices)]
    return [(scope, loader) for scope, loader in modules if config.runs_scope(scope)]


def _load_audit_logs_from_configured_source(context: LoadContext, window: LoadWindow) -> int:
    if context.workspace.audit_log_source == "system_table":
        return load_audit_system_table(context, window)
    return load_audit_logs(context, window)


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    module_runs: tuple[ModuleRun, ...]

    @property
    def failed(self) -> tuple[ModuleRun, ...]:
        return tuple(run for run in self.module_runs if run.status == FAILED)


def new_run_id() -> str:
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run_loaders(
    config: DeploymentConfig,
    target: Target,
    spark: SparkSession,
    *,
    until: datetime | None = None,
    progress: Callable[[str], None] = print,
) -> RunSummary:
    """Load every workspace's modules up to `until` (default: now) and record each in the run log."""
    run_id = new_run_id()
    create_bronze_tables(spark, target)
    run_log = RunLog(spark, target)
    requested_until = until or utc_now()
    progress(f"load run {run_id}: up to {requested_until:%Y-%m-%d %H:%M} UTC")
    module_runs = []
    for workspace in config.workspaces:
        context = LoadContext(spark, target, workspace, run_id, progress)
        for scope, loader in modules_to_run(config):
            module_run = _run_if_due(run_log, config, requested_until, context, scope, loader)
            module_runs += [module_run] if module_run else []
    if config.account is not None:
        account_context = AccountLoadContext(spark, target, config.account, run_id, progress)
        for scope, account_loader in account_modules_to_run(config):
            module_run = _run_if_due(run_log, config, requested_until, account_context, scope, account_loader)
            module_runs += [module_run] if module_run else []
    return RunSummary(run_id, tuple(module_runs))


def _run_if_due(
    run_log: RunLog,
    config: DeploymentConfig,
    requested_until: datetime,
    context: LoadContext | AccountLoadContext,
    scope: Scope,
    loader: Callable,
) -> ModuleRun | None:
    """Run the module over its next window and record it, or return None when it is up to date."""
    window = run_log.next_window(
        context.organization_id,
        scope.value,
        primordial_date=config.primordial_date,
        requested_until=requested_until,
        max_days=config.max_days_per_run,
    )
    if window.is_empty:
        context.report(f"{scope.value}: up to date")
        return None
    module_run = _run_module(context, scope, loader, window)
    run_log.record(module_run)
    return module_run


def _run_module(
    context: LoadContext | AccountLoadContext, scope: Scope, loader: Callable, window: LoadWindow
) -> ModuleRun:
    started_at = utc_now()
    try:
        rows = loader(context, window)
        status, error = SUCCEEDED, None
    except Exception as failure:  # a failed module must not stop the others; its error goes to the run log
        workspace = context.workspace if isinstance(context, LoadContext) else None
        rows, status, error = 0, FAILED, _error_text(failure, workspace)
        context.report(f"{scope.value}: FAILED: {error.splitlines()[0] if error else ''}")
    return ModuleRun(
        organization_id=context.organization_id,
        run_id=context.run_id,
        module_name=scope.value,
        window=window,
        status=status,
        rows_written=rows,
        error_message=error,
        started_at=started_at,
        finished_at=utc_now(),
    )


def _error_text(failure: BaseException, workspace: WorkspaceConfig | None) -> str:
    """The error and its trace, with the workspace token blanked should any library have echoed it
    (account-level modules hold no token)."""
    text = "".join(traceback.format_exception_only(type(failure), failure)).strip()
    text += "\n" + "".join(traceback.format_tb(failure.__traceback__)[-5:])
    if workspace is None:
        return text
    try:
        token = workspace.api_token()
    except Exception:
        return text
    return text.replace(token, "***") if token else text
