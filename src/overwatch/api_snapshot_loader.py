"""REST API snapshots (clusters, jobs, job runs, pools, warehouses, policies, instance profiles) into bronze.

Each object is stored as the raw JSON the API returned, stamped with the window's `until_time` as its
snapshot time, so re-running a window finds the same keys and adds nothing. An item that cannot be keyed
(not a JSON object, no id; a job run whose run_id is not an integer) goes to `bronze_quarantine` with its
position in the listing and the reason, so every listed item lands in one of the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from overwatch.api_client import ListEndpoint, list_items
from overwatch.bronze_tables import QUARANTINE, api_snapshot_table
from overwatch.bronze_writes import commit_alone, staged_writes
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
    return commit_alone(context, stage_api_snapshot, window, entity=entity)


def stage_api_snapshot(context: LoadContext, window: LoadWindow, *, entity: str) -> None:
    """Stage a snapshot of one entity of one workspace."""
    endpoint = SNAPSHOT_ENDPOINTS[entity]
    items = list_items(context.api, endpoint)
    _stage_snapshot(context, window, entity, endpoint.id_field, endpoint.description, items)


def load_job_runs(context: LoadContext, window: LoadWindow) -> int:
    """Land the window's job runs (see `stage_job_runs`); returns rows inserted."""
    return commit_alone(context, stage_job_runs, window)


def stage_job_runs(context: LoadContext, window: LoadWindow) -> None:
    """Runs that started in the window, and runs still active whenever they started.

    A finished run is listed by the window it started in; a run still going is listed again by every
    later window until it ends, so its latest state is always in the newest snapshot.
    """
    started_in_window = (
        ("start_time_from", epoch_ms(window.from_time)),
        ("start_time_to", epoch_ms(window.until_time) - 1),
    )
    still_active = (("active_only", "true"), ("start_time_to", epoch_ms(window.until_time) - 1))
    listed = [
        run
        for window_query in (started_in_window, still_active)
        for run in list_items(context.api, JOB_RUNS_ENDPOINT.with_query(window_query))
    ]
    stage_listed_job_runs(context, window, listed)


def write_job_runs(context: LoadContext, window: LoadWindow, listed: list[object]) -> int:
    """Land job runs as listed (a run listed by both queries once); returns rows inserted."""
    return commit_alone(context, stage_listed_job_runs, window, listed)


def stage_listed_job_runs(context: LoadContext, window: LoadWindow, listed: list[object]) -> None:
    """Stage job runs as listed (a run listed by both queries once).

    The run_id keys a run in silver (a bigint), so a run without an integer run_id is quarantined.
    """
    _stage_snapshot(
        context, window, "job_runs", "run_id", JOB_RUNS_ENDPOINT.description, listed, integer_id=True
    )


def rejection_reason(item: object, id_field: str, *, integer_id: bool = False) -> str | None:
    """Why a listed item cannot be landed as a snapshot row; None when it can."""
    if not isinstance(item, dict):
        return f"not a JSON object: {type(item).__name__}"
    identifier = item.get(id_field)
    if identifier is None or identifier == "":
        return f"no {id_field}"
    if integer_id and not _is_integer(identifier):
        return f"{id_field} is not an integer: {identifier!r}"
    return None


def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _stage_snapshot(
    context: LoadContext,
    window: LoadWindow,
    entity: str,
    id_field: str,
    source_request: str,
    items: Iterable[object],
    *,
    integer_id: bool = False,
) -> None:
    from pyspark.sql import functions as F

    # A run listed by both job-run queries lands once, as last listed (its latest state).
    rows: dict[str, tuple] = {}
    rejected = []
    for position, item in enumerate(items, start=1):
        reason = rejection_reason(item, id_field, integer_id=integer_id)
        if reason is not None:
            rejected.append((position, json.dumps(item, sort_keys=True), reason))
            continue
        entity_id = str(item[id_field])  # type: ignore[index]
        raw_json = json.dumps(item, sort_keys=True)
        rows[entity_id] = (
            context.organization_id,
            window.until_time,
            entity_id,
            raw_json,
            source_request,
            context.run_id,
        )
    _quarantine(context, window, entity, source_request, rejected)
    context.report(f"{entity}: {len(rows)} objects from {source_request}, {len(rejected)} quarantined")
    if not rows:
        return
    frame = context.spark.createDataFrame(
        list(rows.values()),
        "organization_id string, snapshot_time timestamp, entity_id string, raw_json string, "
        "source_request string, load_run_id string",
    ).withColumn("loaded_at", F.current_timestamp())
    staged_writes(context).stage(api_snapshot_table(entity), frame)


def _quarantine(
    context: LoadContext,
    window: LoadWindow,
    entity: str,
    source_request: str,
    rejected: list[tuple[int, str, str]],
) -> None:
    """Items that cannot be keyed, under their request and window (re-listing a window adds nothing)."""
    if not rejected:
        return
    from pyspark.sql import functions as F

    listing = f"{source_request} until {window.until_time.isoformat()}"
    frame = context.spark.createDataFrame(
        [
            (context.organization_id, entity, listing, position, raw, reason, context.run_id)
            for position, raw, reason in rejected
        ],
        "organization_id string, source string, source_file string, line_number bigint, raw_record string, "
        "reason string, load_run_id string",
    ).withColumn("quarantined_at", F.current_timestamp())
    staged_writes(context).stage(QUARANTINE, frame)
