"""All-purpose clusters: who owns them, how they are configured, and one working day of each.

A cluster's role in the story (predating the audit logs, being edited, crossing midnight, being
permanently deleted) follows from its position in the fleet, so every preset and every seed shows
each case; the times and sizes come from the seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from overwatch.sample_workspace.catalog import (
    FUTURE_NODE_TYPES_BY_CLOUD,
    NODE_TYPES_BY_CLOUD,
    PHOTON_SPARK_VERSIONS,
    STANDARD_SPARK_VERSIONS,
)
from overwatch.sample_workspace.clusters import MINUTE_MS, SimulatedCluster
from overwatch.sample_workspace.identifiers import cluster_id
from overwatch.sample_workspace.jobs import run_beside_notebooks
from overwatch.sample_workspace.spark_event_logs import log_delivery_conf
from overwatch.sample_workspace.workspace_objects import User, cloud_attributes

if TYPE_CHECKING:
    from overwatch.sample_workspace.workspace import WorkspaceSimulation

HOUR_MS = 60 * MINUTE_MS
CLUSTER_KINDS = ("autoscaling", "fixed", "single_node", "pool_backed", "photon")
# Operations are only started this long before the period ends, so each completes inside it.
SAFETY_MARGIN_MS = 20 * MINUTE_MS


@dataclass
class InteractiveClusterPlan:
    index: int
    owner: User
    kind: str
    create_day: int | None  # None: the cluster predates the first generated day
    edit_day: int | None
    delete_day: int | None
    crosses_midnight: bool
    cluster: SimulatedCluster | None = None
    sessions: int = field(default=0)


def plan_fleet(simulation: WorkspaceSimulation) -> list[InteractiveClusterPlan]:
    count, days = simulation.preset.interactive_clusters, simulation.days
    predating = max(2, count // 3)
    plans = []
    for index in range(count):
        create_day = None if index < predating else index % days
        first_day = create_day or 0
        # A cluster older than the audit logs that is deleted before any snapshot sees it has no
        # knowable spec (its costs are flagged unknown); the sample keeps every cluster knowable so the
        # cost reconciliation checks the engine, and unit tests cover the unknown case.
        deletable = create_day is not None and index % 6 == 4
        plans.append(
            InteractiveClusterPlan(
                index=index,
                owner=simulation.users[index % len(simulation.users)],
                kind=CLUSTER_KINDS[index % len(CLUSTER_KINDS)],
                create_day=create_day,
                edit_day=first_day + 1 if index % 4 == 1 and first_day + 1 < days else None,
                delete_day=days - 1 if deletable else None,
                crosses_midnight=index % 6 in (1, 2),
            )
        )
    return plans


def cluster_spec(simulation: WorkspaceSimulation, plan: InteractiveClusterPlan) -> dict[str, Any]:
    generator, cloud = simulation.random, simulation.cloud
    nodes = NODE_TYPES_BY_CLOUD[cloud]
    worker = nodes[generator.randrange(len(nodes))].node_type_id
    driver = nodes[generator.randrange(len(nodes))].node_type_id
    team = simulation.team_of(plan.owner)
    spec: dict[str, Any] = {
        "cluster_name": f"{plan.owner.email.split('@')[0].replace('.', '-')}-{plan.kind.replace('_', '-')}",
        "spark_version": generator.choice(STANDARD_SPARK_VERSIONS),
    }
    if plan.kind == "pool_backed":
        pool_id = simulation.pool_ids[plan.index % len(simulation.pool_ids)]
        spec.update(instance_pool_id=pool_id, driver_instance_pool_id=pool_id)
    elif _runs_on_future_node_type(simulation, plan):
        # Chosen after the draws above, so the rest of the fleet stays as it was.
        future_type = FUTURE_NODE_TYPES_BY_CLOUD[cloud].node_type_id
        spec.update(node_type_id=future_type, driver_node_type_id=future_type)
    else:
        spec.update(node_type_id=worker, driver_node_type_id=driver)
    spec.update(_size(plan.kind, generator.randint(1, 2), generator.randint(4, 8)))
    spec["spark_conf"] = {"spark.databricks.delta.preview.enabled": "true"}
    spec["custom_tags"] = {"team": team}
    if plan.kind == "single_node":
        spec["spark_conf"].update(
            {"spark.databricks.cluster.profile": "singleNode", "spark.master": "local[*, 4]"}
        )
        spec["custom_tags"]["ResourceClass"] = "SingleNode"
    if plan.kind != "pool_backed":
        spec.update(cloud_attributes(cloud))
    if plan.kind == "photon":
        spec["spark_version"] = generator.choice(PHOTON_SPARK_VERSIONS)
    spec["autotermination_minutes"] = generator.choice((30, 60, 120))
    spec["enable_elastic_disk"] = True
    spec["runtime_engine"] = "PHOTON" if plan.kind == "photon" else "STANDARD"
    if plan.index % 2 == 0:
        spec.update(data_security_mode="SINGLE_USER", single_user_name=plan.owner.email)
    else:
        spec["data_security_mode"] = "USER_ISOLATION"
    if plan.index % 3 == 0:
        spec["policy_id"] = simulation.policy_ids[plan.index % len(simulation.policy_ids)]
    spec["cluster_source"] = "UI" if plan.index % 4 else "API"
    if plan.index % 4 == 0:
        spec["cluster_log_conf"] = log_delivery_conf()
    return spec


def _runs_on_future_node_type(simulation: WorkspaceSimulation, plan: InteractiveClusterPlan) -> bool:
    """The fleet's last cluster with node types of its own runs on a type newer than the catalogs."""
    count = simulation.preset.interactive_clusters
    own_node_types = [
        index for index in range(count) if CLUSTER_KINDS[index % len(CLUSTER_KINDS)] != "pool_backed"
    ]
    return plan.index == own_node_types[-1]


def _size(kind: str, min_workers: int, max_workers: int) -> dict[str, Any]:
    if kind == "single_node":
        return {"num_workers": 0}
    if kind == "fixed":
        return {"num_workers": max_workers // 2 + 1}
    return {"autoscale": {"min_workers": min_workers, "max_workers": max_workers}}


def create_predating_clusters(simulation: WorkspaceSimulation, plans: list[InteractiveClusterPlan]) -> None:
    """Clusters that exist before the first day: in the API, without a create audit event."""
    for plan in plans:
        if plan.create_day is None:
            created_ms = simulation.start_ms - simulation.random.randint(3 * 24 * HOUR_MS, 60 * 24 * HOUR_MS)
            plan.cluster = _new_cluster(simulation, plan, created_ms, lifetime_start_ms=simulation.start_ms)


def _new_cluster(
    simulation: WorkspaceSimulation, plan: InteractiveClusterPlan, created_ms: int, lifetime_start_ms: int
) -> SimulatedCluster:
    identifier = cluster_id(simulation.random, created_ms)
    spec = cluster_spec(simulation, plan)
    return SimulatedCluster(
        simulation.outputs, identifier, spec, plan.owner.email, created_ms, lifetime_start_ms
    )


def simulate_day(simulation: WorkspaceSimulation, plan: InteractiveClusterPlan, day: int) -> None:
    day_start = simulation.day_start_ms(day)
    generator = simulation.random
    if plan.cluster is None and plan.create_day != day:
        return
    if plan.cluster is not None and plan.cluster.deleted_time_ms is not None:
        return
    if plan.cluster is not None and plan.edit_day == day:
        _edit(simulation, plan, day_start + 7 * HOUR_MS + generator.randint(0, 20) * MINUTE_MS)
    is_midnight_session = plan.crosses_midnight and (day + plan.index) % 2 == 0
    if is_midnight_session:
        start_ms = day_start + 20 * HOUR_MS + generator.randint(0, 90) * MINUTE_MS
        last_activity_ms = day_start + 25 * HOUR_MS + generator.randint(0, 60) * MINUTE_MS
    else:
        start_ms = day_start + int(7.5 * HOUR_MS) + generator.randint(0, 150) * MINUTE_MS
        last_activity_ms = start_ms + generator.randint(3 * 60, 9 * 60) * MINUTE_MS
    works_today = is_midnight_session or plan.create_day == day or plan.delete_day == day
    works_today = works_today or generator.random() < 0.85
    if works_today:
        _session(simulation, plan, day, start_ms, last_activity_ms)
    if plan.delete_day == day and plan.cluster is not None and not plan.cluster.is_running:
        deleted_at = max(plan.cluster.last_event_ms, day_start + 19 * HOUR_MS) + 10 * MINUTE_MS
        if deleted_at < simulation.horizon_ms:
            plan.cluster.permanently_delete(deleted_at, plan.owner.email)


def _edit(simulation: WorkspaceSimulation, plan: InteractiveClusterPlan, at_ms: int) -> None:
    cluster = plan.cluster
    assert cluster is not None
    if cluster.is_running:
        return
    nodes = NODE_TYPES_BY_CLOUD[simulation.cloud]
    changes: dict[str, Any] = {"spark_version": STANDARD_SPARK_VERSIONS[-1]}
    if "node_type_id" in cluster.spec:
        changes["node_type_id"] = nodes[(plan.index + 3) % len(nodes)].node_type_id
    if cluster.is_autoscaling:
        bounds = cluster.spec["autoscale"]
        changes["autoscale"] = {
            "min_workers": bounds["min_workers"],
            "max_workers": bounds["max_workers"] + 2,
        }
    cluster.edit(max(at_ms, cluster.last_event_ms + MINUTE_MS), plan.owner.email, changes)


def _session(
    simulation: WorkspaceSimulation,
    plan: InteractiveClusterPlan,
    day: int,
    start_ms: int,
    last_activity_ms: int,
) -> None:
    generator = simulation.random
    user = plan.owner.email
    if plan.cluster is None:
        plan.cluster = _new_cluster(simulation, plan, start_ms, lifetime_start_ms=start_ms)
        now = plan.cluster.create(start_ms, user)
    else:
        cluster = plan.cluster
        start_ms = max(start_ms, cluster.last_event_ms + 10 * MINUTE_MS)
        if cluster.is_running or start_ms + SAFETY_MARGIN_MS >= simulation.horizon_ms:
            return
        now = cluster.start(start_ms, user)
    cluster = plan.cluster
    simulation.count_active_cluster(day)
    plan.sessions += 1
    if plan.sessions == 1 and plan.index == 0:
        cluster.pin(now + MINUTE_MS, user)
        now += MINUTE_MS
    if plan.sessions == 1 and plan.index == 1:
        cluster.change_acl(now + 30_000, user, str(simulation.users[-1].user_id))
    notebook = simulation.notebooks.attach(
        now + generator.randint(1, 5) * MINUTE_MS, plan.owner, cluster.cluster_id
    )
    now = _work(simulation, plan, now + 6 * MINUTE_MS, last_activity_ms, notebook)
    _end_session(simulation, plan, now)


def _work(
    simulation: WorkspaceSimulation,
    plan: InteractiveClusterPlan,
    now: int,
    last_activity_ms: int,
    notebook: dict[str, Any],
) -> int:
    """Commands, autoscaling and the odd restart or resize until the user stops; returns the last activity."""
    generator, cluster = simulation.random, plan.cluster
    assert cluster is not None
    restarted = resized = submitted_runs = False
    while True:
        next_ms = now + generator.randint(15, 70) * MINUTE_MS
        if next_ms > last_activity_ms or next_ms + SAFETY_MARGIN_MS >= simulation.horizon_ms:
            return now
        now = next_ms
        simulation.notebooks.run_command(now, plan.owner, cluster.cluster_id, notebook)
        if plan.index % 5 == 3 and not submitted_runs:
            run_beside_notebooks(simulation, cluster, plan.owner, now)
            submitted_runs = True
        if simulation.outputs.spark_event_logs is not None:
            simulation.outputs.spark_event_logs.notebook_command(cluster, now, notebook, plan.owner.email)
        if cluster.is_autoscaling:
            bounds = cluster.spec["autoscale"]
            now = cluster.autoscale_to(
                now + 5000, generator.randint(bounds["min_workers"], bounds["max_workers"])
            )
        elif plan.kind == "fixed" and not resized and generator.random() < 0.3:
            now = cluster.resize_by_user(now + 5000, plan.owner.email, cluster.spec["num_workers"] + 2)
            resized = True
        elif not restarted and generator.random() < 0.15:
            now = cluster.restart(now + 5000, plan.owner.email)
            restarted = True


def _end_session(
    simulation: WorkspaceSimulation, plan: InteractiveClusterPlan, last_activity_ms: int
) -> None:
    cluster = plan.cluster
    assert cluster is not None
    generator = simulation.random
    if generator.random() < 0.2:
        end_ms, user = last_activity_ms + generator.randint(5, 30) * MINUTE_MS, plan.owner.email
    else:
        end_ms, user = last_activity_ms + cluster.spec["autotermination_minutes"] * MINUTE_MS, None
    if end_ms + SAFETY_MARGIN_MS < simulation.horizon_ms:
        cluster.terminate(end_ms, user)
