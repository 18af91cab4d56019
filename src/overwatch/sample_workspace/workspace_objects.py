"""The slow-changing objects of a workspace: users, policies, instance profiles, pools and warehouses."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from overwatch.sample_workspace.catalog import FIRST_NAMES, LAST_NAMES, NODE_TYPES_BY_CLOUD, REGIONS_BY_CLOUD
from overwatch.sample_workspace.identifiers import hex_id, instance_pool_id, numeric_id


@dataclass(frozen=True)
class User:
    email: str
    user_id: int


def make_users(generator: random.Random, count: int) -> list[User]:
    users: list[User] = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        users.append(User(f"{first}.{last}@example.com", numeric_id(generator, 15)))
    return users


def cloud_attributes(cloud: str) -> dict[str, Any]:
    """The cloud-specific attributes block a cluster or pool carries, keyed as the API names it."""
    if cloud == "aws":
        zone = f"{REGIONS_BY_CLOUD['aws']}a"
        attributes = {"first_on_demand": 1, "availability": "SPOT_WITH_FALLBACK", "zone_id": zone}
        return {"aws_attributes": {**attributes, "spot_bid_price_percent": 100, "ebs_volume_count": 0}}
    if cloud == "azure":
        attributes = {"first_on_demand": 1, "availability": "ON_DEMAND_AZURE", "spot_bid_max_price": -1}
        return {"azure_attributes": attributes}
    return {"gcp_attributes": {"use_preemptible_executors": False, "availability": "ON_DEMAND_GCP"}}


def make_policy(generator: random.Random, name: str, creator: str, created_ms: int, max_workers: int) -> dict:
    definition = {
        "autotermination_minutes": {"type": "range", "maxValue": 120, "defaultValue": 60},
        "autoscale.max_workers": {"type": "range", "maxValue": max_workers, "defaultValue": 4},
        "custom_tags.team": {"type": "unlimited", "isOptional": False},
    }
    return {
        "policy_id": hex_id(generator).upper(),
        "name": name,
        "definition": json.dumps(definition),
        "creator_user_name": creator,
        "created_at_timestamp": created_ms,
        "is_default": False,
    }


def make_instance_profile(organization_id: str, name: str) -> dict:
    account = organization_id[:12]
    return {
        "instance_profile_arn": f"arn:aws:iam::{account}:instance-profile/{name}",
        "is_meta_instance_profile": False,
    }


def make_instance_pool(
    generator: random.Random, cloud: str, name: str, creator: User, created_ms: int, node_index: int
) -> dict:
    nodes = NODE_TYPES_BY_CLOUD[cloud]
    pool_id = instance_pool_id(generator, created_ms)
    attributes = cloud_attributes(cloud)
    for block in attributes.values():
        block.pop("first_on_demand", None)
    return {
        "instance_pool_id": pool_id,
        "instance_pool_name": name,
        "node_type_id": nodes[node_index % len(nodes)].node_type_id,
        "min_idle_instances": 1,
        "max_capacity": 40,
        "idle_instance_autotermination_minutes": 30,
        "enable_elastic_disk": True,
        "preloaded_spark_versions": [],
        "custom_tags": {"team": "data-eng"},
        **attributes,
        "disk_spec": {},
        "default_tags": {
            "Vendor": "Databricks",
            "DatabricksInstancePoolCreatorId": str(creator.user_id),
            "DatabricksInstancePoolId": pool_id,
        },
        "state": "ACTIVE",
        "stats": {"used_count": 0, "idle_count": 1, "pending_used_count": 0, "pending_idle_count": 0},
        "status": {},
    }


def make_sql_warehouse(generator: random.Random, host: str, name: str, creator: User, size_name: str) -> dict:
    warehouse_id = hex_id(generator)
    path = f"/sql/1.0/warehouses/{warehouse_id}"
    return {
        "id": warehouse_id,
        "name": name,
        "cluster_size": size_name,
        "min_num_clusters": 1,
        "max_num_clusters": 2,
        "auto_stop_mins": 30,
        "auto_resume": True,
        "creator_name": creator.email,
        "creator_id": creator.user_id,
        "spot_instance_policy": "COST_OPTIMIZED",
        "enable_photon": True,
        "enable_serverless_compute": False,
        "warehouse_type": "PRO",
        "channel": {"name": "CHANNEL_NAME_CURRENT"},
        "tags": {},
        "state": "STOPPED",
        "num_clusters": 0,
        "num_active_sessions": 0,
        "jdbc_url": f"jdbc:spark://{host}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath={path};",
        "odbc_params": {"hostname": host, "path": path, "port": 443, "protocol": "https"},
        "health": {"status": "HEALTHY"},
    }
