"""A seeded, deterministic sample of Databricks workspaces, for tests, demos and cost reconciliation.

`generate_sample_workspace(output_dir, days=..., workspace_count=..., size=...)` writes:

* `audit_logs/workspaceId=<organization_id>/date=YYYY-MM-DD/auditlogs_<hex>.json`: audit log delivery
  files (JSON lines, the delivery schema, some lines delivered twice);
* `api/<organization_id>.sqlite`: the workspace's REST API state and cluster events, served by
  `overwatch.fake_api` (schema in `overwatch.sample_workspace.api_store`);
* `ledger/cluster_intervals.csv`: what each cluster ran, interval by interval (see
  `overwatch.sample_workspace.ledger`);
* `cluster_logs/<organization_id>/<cluster_id>/eventlog/...`: Spark event logs of the clusters that
  deliver their logs (see `overwatch.sample_workspace.spark_event_logs`);
* `billing/usage/*.json`, `billing/list_prices/*.json`: the account's bill, records of
  `system.billing.usage` and `system.billing.list_prices` computed from what the simulation ran, and
  `billing/expected_net_usage.csv`, its net usage per workspace, day and SKU (see
  `overwatch.sample_workspace.billing`);
* `manifest.json`: the parameters and, per workspace, its identity and what was generated.
"""

from overwatch.sample_workspace.catalog import NODE_TYPES_BY_CLOUD, SIZE_PRESETS, NodeType
from overwatch.sample_workspace.generator import SampleWorkspaceManifest, generate_sample_workspace
from overwatch.sample_workspace.workspace import WorkspaceSummary

__all__ = [
    "NODE_TYPES_BY_CLOUD",
    "SIZE_PRESETS",
    "NodeType",
    "SampleWorkspaceManifest",
    "WorkspaceSummary",
    "generate_sample_workspace",
]
