"""Fixed vocabularies of a sample workspace: node types per cloud, runtimes, names and size presets.

The node type list is shared with the cost work, so it carries each type's cores and memory as the
clusters list-node-types API reports them, and the DBUs an hour of it bills: the simulation's own
knowledge of Databricks' rates, which the sample bill is computed with (never the project's seeds).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeType:
    node_type_id: str
    num_cores: float
    memory_mb: int
    dbus_per_hour: float


NODE_TYPES_BY_CLOUD: dict[str, tuple[NodeType, ...]] = {
    "aws": (
        NodeType("m5d.large", 2, 8192, 0.34),
        NodeType("i3.xlarge", 4, 31232, 1),
        NodeType("m5d.xlarge", 4, 16384, 0.69),
        NodeType("c5d.2xlarge", 8, 16384, 1.21),
        NodeType("m5d.2xlarge", 8, 32768, 1.37),
        NodeType("r5d.2xlarge", 8, 65536, 1.8),
        NodeType("i3.2xlarge", 8, 62464, 2),
    ),
    "azure": (
        NodeType("Standard_DS3_v2", 4, 14336, 0.75),
        NodeType("Standard_D4ds_v5", 4, 16384, 1),
        NodeType("Standard_DS4_v2", 8, 28672, 1.5),
        NodeType("Standard_D8ds_v5", 8, 32768, 2),
        NodeType("Standard_F8s", 8, 16384, 1),
        NodeType("Standard_E8ds_v4", 8, 65536, 2),
    ),
    "gcp": (
        NodeType("n1-standard-4", 4, 15360, 0.71),
        NodeType("n2-standard-4", 4, 16384, 0.72),
        NodeType("n2-highmem-4", 4, 32768, 0.96),
        NodeType("n2-standard-8", 8, 32768, 1.44),
        NodeType("n2-highmem-8", 8, 65536, 1.92),
    ),
}
CLOUDS = ("aws", "azure", "gcp")
# Types newer than any published catalog (the names are made up): a few clusters run on one, and the
# bill still prices them, so the cost models meet node types their seeds lack.
FUTURE_NODE_TYPES_BY_CLOUD: dict[str, NodeType] = {
    "aws": NodeType("m9d.2xlarge", 8, 32768, 1.6),
    "azure": NodeType("Standard_D8ds_v7", 8, 32768, 2.2),
    "gcp": NodeType("n5-standard-8", 8, 32768, 1.6),
}
ALL_NODE_TYPES: dict[str, NodeType] = {
    node.node_type_id: node
    for node in (
        *(node for nodes in NODE_TYPES_BY_CLOUD.values() for node in nodes),
        *FUTURE_NODE_TYPES_BY_CLOUD.values(),
    )
}

STANDARD_SPARK_VERSIONS = ("12.2.x-scala2.12", "13.3.x-scala2.12", "14.3.x-scala2.12", "15.4.x-scala2.12")
PHOTON_SPARK_VERSIONS = ("13.3.x-photon-scala2.12", "14.3.x-photon-scala2.12")

FIRST_NAMES = (
    "alice", "bruno", "chen", "dana", "emeka", "fatima", "gustav", "hana", "ivan", "julia", "kofi",
    "lena", "mateo", "nadia", "oscar", "priya", "quinn", "rosa", "sven", "tariq", "ursula", "viktor",
)  # fmt: skip
LAST_NAMES = (
    "andersen", "baker", "costa", "dubois", "eriksen", "fischer", "garcia", "haddad", "ito", "jensen",
    "kowalski", "larsen", "moreau", "nakamura", "okafor", "petrov", "rossi", "schmidt", "tanaka", "weber",
)  # fmt: skip
TEAMS = ("data-eng", "analytics", "ml-platform", "finance", "marketing")
WORKSPACE_NAMES = ("analytics-prod", "data-eng-prod", "ml-research", "finance-dev", "marketing-sandbox")
REGIONS_BY_CLOUD = {"aws": "us-west-2", "azure": "westeurope", "gcp": "us-central1"}


@dataclass(frozen=True)
class SizePreset:
    """How busy a workspace is: fleet sizes and the daily job run rate."""

    users: int
    interactive_clusters: int
    jobs: int
    runs_per_job_per_day: int
    instance_pools: int
    sql_warehouses: int


SIZE_PRESETS: dict[str, SizePreset] = {
    "small": SizePreset(
        users=6, interactive_clusters=6, jobs=3, runs_per_job_per_day=2, instance_pools=2, sql_warehouses=1
    ),
    "medium": SizePreset(
        users=15, interactive_clusters=16, jobs=6, runs_per_job_per_day=1, instance_pools=3, sql_warehouses=2
    ),
    "large": SizePreset(
        users=60, interactive_clusters=60, jobs=60, runs_per_job_per_day=5, instance_pools=4, sql_warehouses=4
    ),
}
