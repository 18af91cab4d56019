"""REST API snapshots (clusters, jobs, pools, warehouses, policies, instance profiles) into bronze.

Each object is stored as the raw JSON the API returned, stamped with the window's `until_time` as its
snapshot time, so re-running a window finds the same keys and adds nothing.
"""

from __future__ import annotations

import json

from overwatch.api_client import ListEndpoint, list_items
from overwatch.bronze_tables import api_snapshot_table, insert_new_rows
from overwatch.load_context import LoadContext
from overwatch.run_log import LoadWindow

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
}


def load_api_snapshot(context: LoadContext, window: LoadWindow, *, entity: str) -> int:
    """Snapshot one entity of one workspace; returns rows inserted."""
    endpoint = SNAPSHOT_ENDPOINTS[entity]
    rows = [
        (
            context.organization_id,
            window.until_time,
            str(item.get(endpoint.id_field)),
            json.dumps(item, sort_keys=True),
            endpoint.description,
            context.run_id,
        )
        for item in list_items(context.api, endpoint)
    ]
    context.report(f"{entity}: {len(rows)} objects from {endpoint.description}")
    table = api_snapshot_table(entity)
    frame = context.spark.createDataFrame(
        rows,
        "organization_id string, snapshot_time timestamp, entity_id string, raw_json string, "
        "source_request string, load_run_id string",
    )
    from pyspark.sql import functions as F

    return insert_new_rows(
        context.spark, context.target, table, frame.withColumn("loaded_at", F.current_timestamp())
    )
