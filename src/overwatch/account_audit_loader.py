"""Account-level audit events into `audit_log_bronze`, once per deployment, with organization_id "0".

Databricks files events that belong to no workspace (account console, account SCIM API, account
logins, ...) under workspace id 0: delivered under `<audit_log_path>/workspaceId=0/date=.../*.json`, or
as `workspace_id = 0` rows of `system.access.audit`. They are read like a workspace's events, from the
account section of the deployment config, with no API call: there is no workspace "0" to ask.
"""

from __future__ import annotations

from overwatch.audit_log_loader import stage_delivery_files
from overwatch.audit_system_table_loader import stage_audit_table_events
from overwatch.bronze_writes import commit_alone
from overwatch.load_context import AccountLoadContext
from overwatch.run_log import LoadWindow


def load_account_audit_logs(context: AccountLoadContext, window: LoadWindow) -> int:
    """Load the window's account-level audit events from the configured source; returns rows inserted."""
    return commit_alone(context, stage_account_audit_logs, window)


def stage_account_audit_logs(context: AccountLoadContext, window: LoadWindow) -> None:
    """Stage the window's account-level audit events from the configured source."""
    account = context.account
    if account.audit_log_source == "system_table":
        stage_audit_table_events(context, window, account.audit_log_table)
        return
    if not account.audit_log_path:
        raise ValueError("account.audit_log_path is required to load delivered account-level audit logs")
    stage_delivery_files(context, window, account.audit_log_path)
