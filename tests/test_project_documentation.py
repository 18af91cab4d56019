"""What analysts read on the docs site: every model, source and column described, every key tested."""

from __future__ import annotations

KEY_TESTS = {"unique", "unique_combination_of_columns", "dbt_utils_unique_combination_of_columns"}


def project_nodes(manifest: dict, resource_types: set[str]) -> list[dict]:
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    return [
        node
        for node in nodes
        if node["resource_type"] in resource_types and node["package_name"] == "overwatch"
    ]


def test_every_model_snapshot_and_source_is_described(project_manifest: dict):
    undescribed = [
        node["unique_id"]
        for node in project_nodes(project_manifest, {"model", "snapshot", "source", "seed"})
        if not node["description"].strip()
    ]
    assert undescribed == []


def test_every_documented_column_is_described_and_models_document_columns(project_manifest: dict):
    problems = []
    for node in project_nodes(project_manifest, {"model", "snapshot", "source", "seed"}):
        if not node["columns"]:
            problems.append(f"{node['unique_id']}: no columns documented")
        problems += [
            f"{node['unique_id']}.{name}"
            for name, column in node["columns"].items()
            if not column["description"].strip()
        ]
    assert problems == []


def test_column_descriptions_fit_the_metastore(project_manifest: dict):
    """Descriptions become column comments on Databricks (persist_docs); a Hive metastore keeps 256."""
    too_long = [
        f"{node['unique_id']}.{name} ({len(column['description'])})"
        for node in project_nodes(project_manifest, {"model", "snapshot", "seed"})
        for name, column in node["columns"].items()
        if len(column["description"]) > 256
    ]
    assert too_long == []


def test_every_model_has_a_test_on_its_key(project_manifest: dict):
    tested = set()
    for node in project_manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") in KEY_TESTS:
            tested.update(node["depends_on"]["nodes"])
    # Presentation views re-expose a gold model whose key is tested; their contract keeps the shape.
    models = [
        node["unique_id"]
        for node in project_nodes(project_manifest, {"model"})
        if "/presentation/" not in node["original_file_path"]
    ]
    untested = [model for model in models if model not in tested]
    assert untested == []


def test_gold_and_presentation_models_enforce_contracts(project_manifest: dict):
    unenforced = [
        node["unique_id"]
        for node in project_nodes(project_manifest, {"model"})
        if ("/gold/" in node["original_file_path"] or "/presentation/" in node["original_file_path"])
        and not node["config"]["contract"]["enforced"]
    ]
    assert unenforced == []
