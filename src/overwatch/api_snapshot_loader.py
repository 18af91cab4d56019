"""REST API snapshots (clusters, jobs, job runs, pools, warehouses, policies, instance profiles) into bronze.

Each object is stored as the raw JSON the API returned, stamped with the window's `until_time` as its
snapshot time, so re-running a window finds the same keys and adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from overwatch.api_client import ListEndpoint, list_items
from overwatch.bronze_tables import api_snapshot_table, insert_new_rows
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow, epoch_ms

JOB_RUNS_ENDPOINT = ListEndpoint(
    "GET",
    "/api/2.2/jobs/runs/list",
    "runs",
    "run_id",
    (("expand_tasks", "true"), ("limit", 25)),
    pages_by_token=True,
)

SNAPSHOT_ENDPOINTS: dict[str, ListEndpoint] = {
    "clusters": ListEndpoint(
        "GET", "/api/2.1/clusters/list", "clusters", "cluster_id", (("page_size", 100),), pages_by_token=True
    ),
    "jobs": ListEndpoint(
        "GET",
        "/api/2.2/jobs/list",
        "jobs",
        "job_id",
        (("expand_tasks", "true"), ("limit", 100)),
        pages_by_token=True,
    ),
    "instance_pools": ListEndpoint(
        "GET", "/api/2.0/instance-pools/list", "instance_pools", "instance_pool_id"
    ),
    "sql_warehouses": ListEndpoint("GET", "/api/2.0/sql/warehouses", "warehouses", "id"),
    "cluster_policies": ListEndpoint("GET", "/api/2.0/policies/clusters/list", "policies", "policy_id"),
    "instance_profiles": ListEndpoint(
        "GET", "/api/2.0/instance-profiles/list", "instance_profiles", "instance_profile_arn"
    ),
    # Every token of the workspace (admin API): metadata only, the API never returns a token value.
    "tokens": ListEndpoint("GET", "/api/2.0/token-management/tokens", "token_infos", "token_id"),
    "global_init_scripts": ListEndpoint("GET", "/api/2.0/global-init-scripts", "scripts", "script_id"),
}


def load_api_snapshot(context: LoadContext, window: LoadWindow, *, entity: str) -> int:
    """Snapshot one entity of one workspace; returns rows inserted."""
    endpoint = SNAPSHOT_ENDPOINTS[entity]
    items = list_items(context.api, endpoint)
    return _write_snapshot(context, window, entity, endpoint.id_field, endpoint.description, items)


def load_job_runs(context: LoadContext, window: LoadWindow) -> int:
    """Runs that started in the window, and runs still active whenever they started.

    A finished run is listed by the window it started in; a run still going is listed again by every
    later window until it ends, so its latest state is always in the newest snapshot.
    """
    started_in_window = (
        ("start_time_from", epoch_ms(window.from_time)),
        ("start_time_to", epoch_ms(window.until_time) - 1),
    )
    still_active = (("active_only", "true"), ("start_time_to", epoch_ms(window.until_time) - 1))
    runs: dict[str, dict] = {}
    for window_query in (started_in_window, still_active):
        endpoint = JOB_RUNS_ENDPOINT.with_query(window_query)
        runs.update((str(run["run_id"]), run) for run in list_items(context.api, endpoint))
    return _write_snapshot(
        context, window, "job_runs", "run_id", JOB_RUNS_ENDPOINT.description, runs.values()
    )


def _write_snapshot(
    context: LoadContext,
    window: LoadWindow,
    entity: str,
    id_field: str,
    source_request: str,
    items: Iterable[dict],
) -> int:
    from pyspark.sql import functions as F

    rows = [
        (
            context.organization_id,
            window.until_time,
            str(item.get(id_field)),
            json.dumps(item, sort_keys=True),
            source_request,
            context.run_id,
        )
        for item in items
    ]
    context.report(f"{entity}: {len(rows)} objects from {source_request}")
    if not rows:
        return 0
    frame = context.spark.createDataFrame(
        rows,
        "organization_id string, snapshot_time timestamp, entity_id string, raw_json string, "
        "source_request string, load_run_id string",
    ).withColumn("loaded_at", F.current_timestamp())
    return insert_new_rows(context.spark, context.target, api_snapshot_table(entity), frame)
