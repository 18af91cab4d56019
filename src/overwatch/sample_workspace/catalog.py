"""Fixed vocabularies of a sample workspace: node types per cloud, runtimes, names and size presets.

The node type list is shared with the cost work, so it carries each type's cores and memory as the
clusters list-node-types API reports them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeType:
    node_type_id: str
    num_cores: float
    memory_mb: int


NODE_TYPES_BY_CLOUD: dict[str, tuple[NodeType, ...]] = {
    "aws": (
        NodeType("m5d.large", 2, 8192),
        NodeType("i3.xlarge", 4, 31232),
        NodeType("m5d.xlarge", 4, 16384),
        NodeType("c5d.2xlarge", 8, 16384),
        NodeType("m5d.2xlarge", 8, 32768),
        NodeType("r5d.2xlarge", 8, 65536),
        NodeType("i3.2xlarge", 8, 62464),
    ),
    "azure": (
        NodeType("Standard_DS3_v2", 4, 14336),
        NodeType("Standard_D4ds_v5", 4, 16384),
        NodeType("Standard_DS4_v2", 8, 28672),
        NodeType("Standard_D8ds_v5", 8, 32768),
        NodeType("Standard_F8s", 8, 16384),
        NodeType("Standard_E8ds_v4", 8, 65536),
    ),
    "gcp": (
        NodeType("n1-standard-4", 4, 15360),
        NodeType("n2-standard-4", 4, 16384),
        NodeType("n2-highmem-4", 4, 32768),
        NodeType("n2-standard-8", 8, 32768),
        NodeType("n2-highmem-8", 8, 65536),
    ),
}
CLOUDS = ("aws", "azure", "gcp")

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
