"""What every loader module is handed: the engine, the target, the workspace (or the account) and the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from overwatch.bronze_tables import ACCOUNT_ORGANIZATION_ID
from overwatch.deployment_config import AccountConfig, WorkspaceConfig
from overwatch.lakehouse import Target

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient
    from pyspark.sql import SparkSession

    from overwatch.bronze_writes import BronzeWrites

# How long the SDK keeps retrying throttled (429) and unavailable (503) answers before giving up.
API_RETRY_TIMEOUT = timedelta(minutes=5)


@dataclass
class LoadContext:
    spark: SparkSession
    target: Target
    workspace: WorkspaceConfig
    run_id: str
    progress: Any = field(default=print)
    # Where the loaders stage bronze rows: the run's (one commit per table per run), or, when a loader
    # is called on its own, writes of that call (see bronze_writes.commit_alone).
    writes: BronzeWrites | None = None

    @property
    def organization_id(self) -> str:
        return self.workspace.organization_id

    @cached_property
    def api(self) -> WorkspaceClient:
        """A databricks-sdk client for the workspace; the token is read from the environment here only."""
        from databricks.sdk import WorkspaceClient
        from databricks.sdk.config import Config

        config = Config(
            host=self.workspace.api_host,
            token=self.workspace.api_token(),
            auth_type="pat",
            retry_timeout_seconds=int(API_RETRY_TIMEOUT.total_seconds()),
        )
        return WorkspaceClient(config=config)

    def report(self, message: str) -> None:
        self.progress(f"[{self.workspace.workspace_name}] {message}")


@dataclass
class AccountLoadContext:
    """What an account-level module is handed: no workspace and no API client, rows under organization "0"."""

    spark: SparkSession
    target: Target
    account: AccountConfig
    run_id: str
    progress: Any = field(default=print)
    # Where the loaders stage bronze rows: the run's (one commit per table per run), or, when a loader
    # is called on its own, writes of that call (see bronze_writes.commit_alone).
    writes: BronzeWrites | None = None

    @property
    def organization_id(self) -> str:
        return ACCOUNT_ORGANIZATION_ID

    def report(self, message: str) -> None:
        self.progress(f"[account] {message}")


# The audit loaders serve both levels: they need only the engine, the run and the organization id.
AuditLoadContext = LoadContext | AccountLoadContext
