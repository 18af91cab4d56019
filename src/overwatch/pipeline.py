"""One load run: every workspace, every module, each from its own watermark, then one commit per table.

Modules run in dependency order (cluster events follow the clusters seen in the audit logs and the
clusters snapshot, staged earlier in the same run). Each module stages its rows (bronze_writes); once
every workspace's modules and the account-level ones (the deployment's `account:` section, run once per
run under organization_id "0" with watermarks of their own) have staged, each bronze table gets one
merge of every module's rows, and then the run log gets its rows in one append. A module that fails,
while staging or in its table's commit, is recorded as FAILED with its error and the run goes on; its
watermark stays, so the next run retries its window while the others advance. A run killed before the
run log is written advances no watermark: the next run reads the same windows again and the insert-only
merges add only what was not committed.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from overwatch.account_audit_loader import stage_account_audit_logs
from overwatch.api_snapshot_loader import stage_api_snapshot, stage_job_runs
from overwatch.audit_log_loader import stage_audit_logs
from overwatch.audit_system_table_loader import stage_audit_system_table
from overwatch.billing_loader import stage_billing_usage, stage_list_prices
from overwatch.bronze_tables import API_SNAPSHOT_ENTITIES, create_bronze_tables
from overwatch.bronze_writes import BronzeWrites, CommitResult, Owner
from overwatch.cluster_events_loader import stage_cluster_events
from overwatch.cluster_usage_reference_loader import stage_cluster_usage_reference
from overwatch.deployment_config import DeploymentConfig, Scope, WorkspaceConfig
from overwatch.lakehouse import Target
from overwatch.load_context import AccountLoadContext, LoadContext
from overwatch.query_history_loader import stage_query_history
from overwatch.run_log import FAILED, SUCCEEDED, LoadWindow, ModuleRun, RunLog, utc_now
from overwatch.spark_event_log_loader import stage_spark_event_logs
from overwatch.warehouse_events_loader import stage_warehouse_events

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# A module stages its window's rows into the run's writes (context.writes); the run commits them.
ModuleLoader = Callable[[LoadContext, LoadWindow], None]
AccountModuleLoader = Callable[[AccountLoadContext, LoadWindow], None]


def modules_to_run(config: DeploymentConfig) -> list[tuple[Scope, ModuleLoader]]:
    """The deployment's modules in dependency order: cluster events read the audit log and the
    clusters snapshot of the same window."""
    modules: list[tuple[Scope, ModuleLoader]] = [
        (Scope.AUDIT_LOGS, _stage_audit_logs_from_configured_source),
        *((Scope(entity), partial(stage_api_snapshot, entity=entity)) for entity in API_SNAPSHOT_ENTITIES),
        (Scope.JOB_RUNS, stage_job_runs),
        (Scope.WAREHOUSE_EVENTS, stage_warehouse_events),
        (Scope.SQL_QUERY_HISTORY, stage_query_history),
        (Scope.CLUSTER_EVENTS, stage_cluster_events),
        (Scope.SPARK_EVENTS, stage_spark_event_logs),
    ]
    if config.cluster_usage_ledger_path:
        reference_loader = partial(
            stage_cluster_usage_reference, ledger_path=config.cluster_usage_ledger_path
        )
        modules.append((Scope.CLUSTER_USAGE_REFERENCE, reference_loader))
    return [(scope, loader) for scope, loader in modules if config.runs_scope(scope)]


def account_modules_to_run(config: DeploymentConfig) -> list[tuple[Scope, AccountModuleLoader]]:
    """The account-level modules the deployment's `account:` section configures, run once per run."""
    account = config.account
    if account is None:
        return []
    modules: list[tuple[Scope, AccountModuleLoader]] = []
    if account.loads_audit_logs:
        modules.append((Scope.ACCOUNT_AUDIT_LOGS, stage_account_audit_logs))
    modules += [(Scope.BILLING_USAGE, stage_billing_usage), (Scope.LIST_PRICES, stage_list_prices)]
    return [(scope, loader) for scope, loader in modules if config.runs_scope(scope)]


def _stage_audit_logs_from_configured_source(context: LoadContext, window: LoadWindow) -> None:
    if context.workspace.audit_log_source == "system_table":
        stage_audit_system_table(context, window)
    else:
        stage_audit_logs(context, window)


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    module_runs: tuple[ModuleRun, ...]

    @property
    def failed(self) -> tuple[ModuleRun, ...]:
        return tuple(run for run in self.module_runs if run.status == FAILED)


@dataclass(frozen=True)
class _StagedModule:
    """A module that staged its window (or failed to), waiting for the run's commit."""

    context: LoadContext | AccountLoadContext
    scope: Scope
    window: LoadWindow
    started_at: datetime
    failure: BaseException | None

    @property
    def owner(self) -> Owner:
        return Owner(self.context.organization_id, self.scope.value)


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
    """Load every workspace's modules up to `until` (default: now): stage them all, commit each bronze
    table once, then record every module in the run log in one append."""
    run_id = new_run_id()
    create_bronze_tables(spark, target)
    run_log = RunLog(spark, target)
    watermarks = run_log.watermarks()
    writes = BronzeWrites(spark, target, run_id)
    requested_until = until or utc_now()
    progress(f"load run {run_id}: up to {requested_until:%Y-%m-%d %H:%M} UTC")
    staged: list[_StagedModule] = []
    for workspace in config.workspaces:
        context = LoadContext(spark, target, workspace, run_id, progress, writes=writes)
        for scope, loader in modules_to_run(config):
            staged += _stage_if_due(watermarks, config, requested_until, context, scope, loader)
    if config.account is not None:
        account_context = AccountLoadContext(spark, target, config.account, run_id, progress, writes=writes)
        for scope, account_loader in account_modules_to_run(config):
            staged += _stage_if_due(
                watermarks, config, requested_until, account_context, scope, account_loader
            )
    committed = writes.commit(progress)
    committed_at = utc_now()
    module_runs = tuple(_module_run(module, committed, committed_at) for module in staged)
    run_log.record_all(list(module_runs))
    return RunSummary(run_id, module_runs)


def _stage_if_due(
    watermarks: dict[tuple[str, str], datetime],
    config: DeploymentConfig,
    requested_until: datetime,
    context: LoadContext | AccountLoadContext,
    scope: Scope,
    loader: Callable,
) -> list[_StagedModule]:
    """Stage the module's next window, or nothing when it is up to date."""
    from_time = watermarks.get((context.organization_id, scope.value))
    window = RunLog.window_from(from_time, config.primordial_date, requested_until, config.max_days_per_run)
    if window.is_empty:
        context.report(f"{scope.value}: up to date")
        return []
    started_at = utc_now()
    writes = context.writes
    assert writes is not None
    try:
        with writes.staging_for(Owner(context.organization_id, scope.value)):
            loader(context, window)
        failure = None
    except Exception as error:  # a failed module must not stop the others; its error goes to the run log
        failure = error
        context.report(f"{scope.value}: FAILED: {str(error).splitlines()[0] if str(error) else error!r}")
    return [_StagedModule(context, scope, window, started_at, failure)]


def _module_run(module: _StagedModule, committed: CommitResult, committed_at: datetime) -> ModuleRun:
    """The module's run log row: its rows are those the run's commit added for it; it failed if its
    staging or its tables' commit did. It finished when its rows were committed."""
    failure = module.failure or committed.failures.get(module.owner)
    workspace = module.context.workspace if isinstance(module.context, LoadContext) else None
    return ModuleRun(
        organization_id=module.context.organization_id,
        run_id=module.context.run_id,
        module_name=module.scope.value,
        window=module.window,
        status=FAILED if failure else SUCCEEDED,
        rows_written=0 if failure else committed.inserted.get(module.owner, 0),
        error_message=_error_text(failure, workspace) if failure else None,
        started_at=module.started_at,
        finished_at=committed_at,
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
