"""The deployment config: one YAML file describing the workspaces to observe and how.

Invalid config fails fast, before anything is loaded, with every bad field named by its path
(for example `workspaces[1].cloud`).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from overwatch.run_log import epoch_ms


class ConfigError(ValueError):
    """The deployment config cannot be used; the message names each offending field."""


class Scope(StrEnum):
    """A loader module that a deployment may skip."""

    AUDIT_LOGS = "audit_logs"
    CLUSTERS = "clusters"
    JOBS = "jobs"
    JOB_RUNS = "job_runs"
    INSTANCE_POOLS = "instance_pools"
    SQL_WAREHOUSES = "sql_warehouses"
    CLUSTER_POLICIES = "cluster_policies"
    INSTANCE_PROFILES = "instance_profiles"
    TOKENS = "tokens"
    GLOBAL_INIT_SCRIPTS = "global_init_scripts"
    CLUSTER_EVENTS = "cluster_events"
    CLUSTER_USAGE_REFERENCE = "cluster_usage_reference"
    WAREHOUSE_EVENTS = "warehouse_events"
    SQL_QUERY_HISTORY = "sql_query_history"
    SPARK_EVENTS = "spark_events"
    # Account-level modules: run once per load run, not per workspace.
    BILLING_USAGE = "billing_usage"
    LIST_PRICES = "list_prices"
    ACCOUNT_AUDIT_LOGS = "account_audit_logs"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Price = Annotated[float, Field(ge=0)]
# Node type ids become SQL string literals in the cost models: letters, digits and the few marks cloud
# node type names use (Azure has "Standard_NC16as_T4_v3 (beta)"), never a quote.
NodeTypeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-() ]*$")]


class WorkspaceDbuContractPrices(StrictModel):
    """A workspace's own contract prices in USD per DBU; a SKU left out takes the account-wide price."""

    interactive: Price | None = None
    automated: Price | None = None
    jobs_light: Price | None = None
    sql_compute: Price | None = None
    serverless: Price | None = None
    sql_pro: Price | None = None


class WorkspaceConfig(StrictModel):
    organization_id: Annotated[str, Field(pattern=r"^[0-9]+$", description="Databricks workspace id")]
    workspace_name: Annotated[str, Field(min_length=1)]
    cloud: Literal["aws", "azure", "gcp"]
    api_host: Annotated[str, Field(pattern=r"^https?://[^\s/]+", description="workspace URL")]
    token_env_var: Annotated[
        str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="variable holding the API token")
    ]
    audit_log_source: Literal["files", "system_table"] = "files"
    audit_log_path: str | None = Field(
        default=None, description="folder holding workspaceId=<id>/date=YYYY-MM-DD/*.json delivery files"
    )
    audit_log_table: str = Field(
        default="system.access.audit",
        description="audit system table read when audit_log_source is 'system_table'",
    )
    warehouse_events_path: str | None = Field(
        default=None,
        description="folder holding workspaceId=<id>/*.json files of SQL warehouse events shaped as "
        "system.compute.warehouse_events (the sample workspace's); when unset, the system table is read "
        "on Databricks and the module skips the workspace locally",
    )
    warehouse_events_table: str = Field(
        default="system.compute.warehouse_events",
        description="SQL warehouse events system table read when warehouse_events_path is unset",
    )
    cluster_log_path: str | None = Field(
        default=None,
        description="cluster log delivery root holding <cluster_id>/eventlog/<driver>/<spark_context_id>/"
        "eventlog* Spark event logs; without it the spark_events module skips the workspace",
    )
    dbu_contract_prices: WorkspaceDbuContractPrices | None = Field(
        default=None,
        description="this workspace's contract prices per SKU; each SKU not set takes the account-wide price",
    )
    vm_prices: dict[NodeTypeId, Price] = Field(
        default_factory=dict,
        description="this workspace's VM price in USD per hour by node type, over the account-wide "
        "vm_prices and the seeds' list price",
    )

    @field_validator("organization_id")
    @classmethod
    def _not_the_account(cls, organization_id: str) -> str:
        # Databricks files account-level events under workspace id 0: it names no workspace with an API.
        if int(organization_id) == 0:
            raise ValueError("organization_id 0 is the account level: configure it under `account:`")
        return organization_id

    @model_validator(mode="after")
    def _delivered_files_need_a_path(self) -> WorkspaceConfig:
        if self.audit_log_source == "files" and not self.audit_log_path:
            raise ValueError("audit_log_path is required when audit_log_source is 'files'")
        return self

    def api_token(self) -> str:
        """The token, read from the environment at the moment it is needed and never stored."""
        token = os.environ.get(self.token_env_var)
        if not token:
            raise ConfigError(
                f"workspace {self.organization_id}: environment variable {self.token_env_var} is not set"
            )
        return token


class DbuContractPrices(StrictModel):
    """Contract price in USD per DBU for each SKU."""

    interactive: Price
    automated: Price
    jobs_light: Price
    sql_compute: Price
    serverless: Price
    # Pro SQL warehouses bill their own SKU (classic ones bill sql_compute, serverless ones serverless);
    # the list price stands in for configs written before the SKU was priced.
    sql_pro: Price = 0.55


class AccountConfig(StrictModel):
    """What is observed once for the whole account rather than per workspace: account-level audit events
    and the bill, loaded once per run under organization_id "0" (no workspace API)."""

    account_id: str | None = Field(default=None, description="Databricks account id")
    audit_log_source: Literal["files", "system_table"] = "files"
    audit_log_path: str | None = Field(
        default=None,
        description="audit log delivery root holding workspaceId=0/date=YYYY-MM-DD/*.json, the account-level "
        "events; without it (and with audit_log_source 'files') account-level audit events are not loaded",
    )
    audit_log_table: str = Field(
        default="system.access.audit",
        description="audit system table whose workspace_id 0 rows are read when audit_log_source is "
        "'system_table'",
    )
    billing_source: Literal["system_tables", "files"] = Field(
        default="system_tables",
        description="where the bill is read: the billing system tables (Databricks), or JSON-lines files of "
        "the same columns under billing_path (the sample workspace's)",
    )
    billing_path: str | None = Field(
        default=None,
        description="folder holding usage/*.json and list_prices/*.json, one record of "
        "system.billing.usage / system.billing.list_prices per line; read when billing_source is 'files'",
    )
    billing_usage_table: str = Field(
        default="system.billing.usage", description="billable usage system table"
    )
    list_prices_table: str = Field(
        default="system.billing.list_prices", description="list prices system table"
    )
    billing_lookback_days: Annotated[int, Field(ge=0, le=60)] = Field(
        default=3,
        description="ingestion days re-read before each window, so that late records, retractions and "
        "restatements arrive",
    )

    @property
    def loads_audit_logs(self) -> bool:
        return self.audit_log_source == "system_table" or bool(self.audit_log_path)

    @model_validator(mode="after")
    def _billing_files_need_a_path(self) -> AccountConfig:
        if self.billing_source == "files" and not self.billing_path:
            raise ValueError("billing_path is required when billing_source is 'files'")
        return self


class PersonalDataConfig(StrictModel):
    """How presentation views treat personal data (emails, user names, user ids, IP addresses)."""

    expose_views: bool = Field(
        default=False,
        description="create the views about people (accountLogin, accountMod); off unless turned on",
    )
    mask: bool = Field(
        default=True,
        description="presentation views show a SHA-256 hash of each email, user name, user id and IP "
        "address instead of the value (still countable and joinable, no longer readable)",
    )


class DeploymentConfig(StrictModel):
    workspaces: Annotated[list[WorkspaceConfig], Field(min_length=1)]
    dbu_contract_prices: DbuContractPrices
    vm_prices: dict[NodeTypeId, Price] = Field(
        default_factory=dict,
        description="account-wide VM price in USD per hour by node type, over the seeds' list price",
    )
    primordial_date: date
    max_days_per_run: Annotated[int, Field(ge=1, le=366)] = 30
    skip_scopes: list[Scope] = Field(default_factory=list)
    personal_data: PersonalDataConfig = Field(default_factory=PersonalDataConfig)
    analysts_group: Annotated[str, Field(min_length=1)] = Field(
        default="overwatch-analysts",
        description="group granted SELECT on the presentation views on Databricks, nothing else",
    )
    cluster_usage_ledger_path: str | None = Field(
        default=None,
        description="CSV of known cluster running intervals (the sample workspace's ledger), the "
        "reference the cost reconciliation compares with where system.billing.usage is not read",
    )
    account: AccountConfig | None = Field(
        default=None,
        description="account-level sources (account audit events, the bill), loaded once per run; none are "
        "loaded without this section",
    )

    @field_validator("workspaces")
    @classmethod
    def _organization_ids_are_unique(cls, workspaces: list[WorkspaceConfig]) -> list[WorkspaceConfig]:
        seen: set[str] = set()
        for workspace in workspaces:
            if workspace.organization_id in seen:
                raise ValueError(f"organization_id {workspace.organization_id} is listed twice")
            seen.add(workspace.organization_id)
        return workspaces

    def runs_scope(self, scope: Scope) -> bool:
        return scope not in self.skip_scopes

    def dbt_vars(self, until_time: datetime | None = None) -> dict:
        """What the models need to know of the deployment and the load, passed to dbt as `--vars`."""
        dbt_vars: dict = {
            "workspace_names": {
                workspace.organization_id: workspace.workspace_name for workspace in self.workspaces
            },
            "workspace_clouds": {workspace.organization_id: workspace.cloud for workspace in self.workspaces},
            "dbu_contract_prices": self.dbu_contract_prices.model_dump(),
            "workspace_dbu_contract_prices": self._workspace_dbu_contract_prices(),
            "vm_prices": dict(self.vm_prices),
            "workspace_vm_prices": {
                workspace.organization_id: dict(workspace.vm_prices)
                for workspace in self.workspaces
                if workspace.vm_prices
            },
            "personal_data_expose_views": self.personal_data.expose_views,
            "personal_data_mask": self.personal_data.mask,
            "analysts_group": self.analysts_group,
        }
        if until_time is not None:
            # States still open at the end of the loaded window end there until a later run closes them.
            dbt_vars["until_time_ms"] = epoch_ms(until_time)
        return dbt_vars

    def _workspace_dbu_contract_prices(self) -> dict[str, dict[str, float]]:
        """The SKUs each workspace prices itself, by organization_id; the models fall back SKU by SKU."""
        prices: dict[str, dict[str, float]] = {}
        for workspace in self.workspaces:
            own = (
                workspace.dbu_contract_prices.model_dump(exclude_none=True)
                if workspace.dbu_contract_prices
                else {}
            )
            if own:
                prices[workspace.organization_id] = own
        return prices


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def parse_config(raw: object, source: str = "config") -> DeploymentConfig:
    try:
        return DeploymentConfig.model_validate(raw)
    except ValidationError as error:
        problems = [f"  {_field_path(item['loc'])}: {item['msg']}" for item in error.errors()]
        raise ConfigError(f"invalid deployment config {source}:\n" + "\n".join(problems)) from None


def load_config(path: Path) -> DeploymentConfig:
    if not path.exists():
        raise ConfigError(f"deployment config {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"deployment config {path} is not valid YAML: {error}") from None
    return parse_config(raw, str(path))
