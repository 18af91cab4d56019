"""`make demo`: the main job end to end on the embedded engine.

Generates a sample workspace, serves its REST API on loopback, lands bronze through the real loaders,
runs `dbt build` of what is new since the last demo (overwatch.model_build) and `dbt docs generate`,
writes the HTML report, and prints row counts per layer and the cost summary.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import yaml

from overwatch.cost_summary import format_cost_summary
from overwatch.dbt_runner import run_dbt
from overwatch.deployment_config import DeploymentConfig, parse_config
from overwatch.fake_api import FakeDatabricksApi
from overwatch.lakehouse import load_target, project_dir, spark_session
from overwatch.layer_summary import count_rows_per_layer, format_summary
from overwatch.model_build import build_models
from overwatch.pipeline import RunSummary, run_loaders
from overwatch.report import write_report
from overwatch.sample_workspace import SampleWorkspaceManifest, generate_sample_workspace

DEMO_TOKEN_VARIABLE = "OVERWATCH_DEMO_API_TOKEN"
DEMO_SEED = 42
# Close to the real API's page sizes (events: up to 500), so paging costs what it costs in production.
DEMO_PAGE_SIZE = 100


def demo_config(manifest: SampleWorkspaceManifest, api_hosts: dict[str, str], sample_dir: Path) -> dict:
    """A deployment config for the sample workspaces, as a user would write one."""
    return {
        "workspaces": [
            {
                "organization_id": workspace.organization_id,
                "workspace_name": workspace.workspace_name,
                "cloud": workspace.cloud,
                "api_host": api_hosts[workspace.organization_id],
                "token_env_var": DEMO_TOKEN_VARIABLE,
                "audit_log_path": str((sample_dir / "audit_logs").resolve()),
                "cluster_log_path": str((sample_dir / "cluster_logs" / workspace.organization_id).resolve()),
                "warehouse_events_path": str((sample_dir / "warehouse_events").resolve()),
            }
            for workspace in manifest.workspaces
        ],
        "dbu_contract_prices": {
            "interactive": 0.55,
            "automated": 0.30,
            "jobs_light": 0.10,
            "sql_compute": 0.22,
            "serverless": 0.70,
            "sql_pro": 0.55,
        },
        "primordial_date": manifest.start_date.isoformat(),
        "max_days_per_run": 60,
        "skip_scopes": [],
        "cluster_usage_ledger_path": str((sample_dir / "ledger" / "cluster_intervals.csv").resolve()),
        # Account-level audit events are delivered beside the workspaces', under workspaceId=0; the sample
        # bill is read through the same loader as system.billing.usage on Databricks.
        "account": {
            "account_id": manifest.account_id,
            "audit_log_path": str((sample_dir / "audit_logs").resolve()),
            "billing_source": "files",
            "billing_path": str((sample_dir / "billing").resolve()),
        },
    }


def serve_and_load(
    manifest: SampleWorkspaceManifest, sample_dir: Path, *, until: datetime | None = None
) -> tuple[DeploymentConfig, RunSummary]:
    """Serve each sample workspace's API on loopback and run the loaders against it."""
    token = secrets.token_urlsafe(24)
    os.environ[DEMO_TOKEN_VARIABLE] = token
    with ExitStack() as servers:
        api_hosts = {}
        for workspace in manifest.workspaces:
            api = FakeDatabricksApi(
                sample_dir / "api" / f"{workspace.organization_id}.sqlite",
                token=token,
                page_size=DEMO_PAGE_SIZE,
            )
            api_hosts[workspace.organization_id] = servers.enter_context(api).host
        raw_config = demo_config(manifest, api_hosts, sample_dir)
        (sample_dir / "deployment.yml").write_text(yaml.safe_dump(raw_config, sort_keys=False))
        config: DeploymentConfig = parse_config(raw_config, "demo")
        target = load_target()
        return config, run_loaders(config, target, spark_session(target), until=until or manifest.end_time)


def run_demo(sample_dir: Path, *, days: int, workspace_count: int, size: str) -> None:
    started = time.monotonic()
    sample_dir = sample_dir if sample_dir.is_absolute() else project_dir() / sample_dir
    shutil.rmtree(sample_dir, ignore_errors=True)
    print(f"1/5 generating a {size} sample workspace: {workspace_count} workspaces x {days} days")
    manifest = generate_sample_workspace(
        sample_dir, days=days, workspace_count=workspace_count, size=size, seed=DEMO_SEED
    )
    print("2/5 landing bronze through the loaders")
    config, summary = serve_and_load(manifest, sample_dir)
    if summary.failed:
        raise SystemExit(f"{len(summary.failed)} loader modules failed; see pipeline_report")
    print(
        "3/5 dbt build of what is new (data tests; unit tests run in make test, as for any production build)"
    )
    dbt_vars = config.dbt_vars(until_time=manifest.end_time)
    build = build_models(dbt_vars, extra_arguments=["--exclude-resource-type", "unit_test"])
    print(f"    {build.describe()}")
    print("4/5 dbt docs generate")
    # The build's vars: the docs and the report show the SQL the build ran, and dbt reuses the build's parse.
    same_vars = ["--vars", json.dumps(dbt_vars)]
    # A full build compiled every model and wrote them to target/manifest.json: the docs site reads that
    # manifest. Compiling all of it again took about 20 s; the catalog alone takes about 5.
    reuse_build = ["--no-compile"] if build.selection.full else []
    run_dbt(["docs", "generate", *same_vars, *reuse_build])
    print("5/5 HTML report from the dashboards' analyses")
    target = load_target()
    report = write_report(spark_session(target), dbt_arguments=same_vars)
    print()
    print(format_summary(count_rows_per_layer(spark_session(target), target)))
    print()
    print(format_cost_summary(report.results))
    print(f"\nreport: {report.path}")
    print(f"docs site: {project_dir() / 'target' / 'index.html'} (`dbt docs serve` to browse it)")
    print(f"demo finished in {time.monotonic() - started:.0f} s")
