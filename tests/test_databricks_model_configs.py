"""Gold and presentation configs per target, read from manifests dbt writes without a warehouse.

On Databricks, gold tables are Delta with liquid clustering and persisted descriptions, and only the
presentation views grant SELECT to the analysts group. The local Iceberg/Hive catalog has no grants, so
its manifest must configure none (dbt would run `show grants` and fail the build).

`dbt compile --target databricks` runs offline with `--no-introspect --no-populate-cache` for every node
but incremental models: `is_incremental()` asks the warehouse whether the model's table exists, and the
answer decides the SQL (full rebuild or only new rows), so those models need a connection to compile.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from overwatch.dbt_runner import run_dbt
from overwatch.lakehouse import project_dir

DATABRICKS_ENVIRONMENT = {
    "DATABRICKS_HOST": "https://dbc-00000000-0000.cloud.databricks.com",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/0000000000000000",
    "DATABRICKS_TOKEN": "dapi-not-a-real-token",
    "OVERWATCH_CATALOG": "observability",
}
ANALYSTS_GROUP = "cost-analysts"
MAX_CLUSTERING_COLUMNS = 4  # Delta liquid clustering takes at most four keys


def _dbt(arguments: list[str], target_path: Path) -> None:
    project = project_dir()
    outcome = run_dbt(
        [*arguments, "--profiles-dir", str(project), "--target-path", str(target_path), "--no-partial-parse"],
        raise_on_failure=False,
    )
    assert outcome.succeeded, f"dbt {' '.join(arguments)} failed"


@pytest.fixture(scope="module")
def databricks_target_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled for Databricks offline; the analysts group is passed as the bundle passes it."""
    target_path = tmp_path_factory.mktemp("databricks")
    with pytest.MonkeyPatch.context() as environment:
        for name, value in DATABRICKS_ENVIRONMENT.items():
            environment.setenv(name, value)
        _dbt(
            [
                "compile",
                "--target",
                "databricks",
                "--vars",
                json.dumps({"analysts_group": ANALYSTS_GROUP}),
                "--no-introspect",
                "--no-populate-cache",
                "--exclude",
                "config.materialized:incremental",
            ],
            target_path,
        )
    return target_path


@pytest.fixture(scope="module")
def databricks_manifest(databricks_target_path: Path) -> dict:
    return json.loads((databricks_target_path / "manifest.json").read_text())


@pytest.fixture(scope="module")
def local_manifest(project_manifest: dict) -> dict:
    return project_manifest


def _models(manifest: dict, layer: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == "overwatch"
        and node["fqn"][1] == layer
    ]


def test_every_gold_model_is_a_delta_table_clustered_on_its_own_columns(databricks_manifest: dict):
    gold = _models(databricks_manifest, "gold")
    assert gold
    problems = []
    for node in gold:
        config = node["config"]
        clustering = config.get("liquid_clustered_by") or []
        clustering = [clustering] if isinstance(clustering, str) else clustering
        if config["file_format"] != "delta" or config["materialized"] not in ("table", "incremental"):
            problems.append(f"{node['unique_id']}: {config['materialized']} in {config['file_format']}")
        if not clustering or len(clustering) > MAX_CLUSTERING_COLUMNS:
            problems.append(f"{node['unique_id']}: clustered by {clustering}")
        if unknown := set(clustering) - set(node["columns"]):
            problems.append(f"{node['unique_id']}: clustered by undeclared columns {sorted(unknown)}")
    assert problems == []


def test_descriptions_are_persisted_to_unity_catalog(databricks_manifest: dict):
    for layer in ("silver", "gold", "presentation"):
        for node in _models(databricks_manifest, layer):
            assert node["config"]["persist_docs"] == {"relation": True, "columns": True}, node["unique_id"]


def test_analysts_read_presentation_views_only(databricks_manifest: dict):
    presentation = _models(databricks_manifest, "presentation")
    assert presentation
    for node in presentation:
        assert node["config"]["materialized"] == "view"
        assert ANALYSTS_GROUP in node["config"]["grants"].get("select", []), node["unique_id"]
    granted_elsewhere = [
        node["unique_id"]
        for node in databricks_manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["fqn"][1] != "presentation"
        and node["config"].get("grants")
    ]
    assert granted_elsewhere == []


def test_the_local_catalog_is_asked_for_no_grants(local_manifest: dict):
    granted = [node["unique_id"] for node in local_manifest["nodes"].values() if node["config"].get("grants")]
    assert granted == []
    assert {node["config"]["file_format"] for node in _models(local_manifest, "gold")} == {"iceberg"}


def test_gold_and_presentation_compile_for_databricks_without_a_warehouse(databricks_target_path: Path):
    compiled = databricks_target_path / "compiled" / "overwatch" / "models"
    for layer in ("gold", "presentation"):
        sql_files = list((compiled / layer).glob("*/*.sql"))
        assert sql_files, layer
        for sql_file in sql_files:
            assert "`observability`.`overwatch_" in sql_file.read_text(), sql_file.name


def test_shipped_queries_compile_for_databricks_and_read_presentation_views_only(
    databricks_target_path: Path, databricks_manifest: dict
):
    analyses = [node for node in databricks_manifest["nodes"].values() if node["resource_type"] == "analysis"]
    assert analyses
    for analysis in analyses:
        assert (databricks_target_path / "compiled" / "overwatch" / analysis["original_file_path"]).exists()
    exposures = databricks_manifest["exposures"].values()
    assert exposures
    for node in [*analyses, *exposures]:
        parents = node["depends_on"]["nodes"]
        assert parents
        assert all(databricks_manifest["nodes"][parent]["fqn"][1] == "presentation" for parent in parents), (
            node["unique_id"]
        )


def test_the_dashboards_queries_are_the_analyses_compiled_for_databricks(databricks_target_path: Path):
    """The bundle's dashboard runs each analysis as compiled, its views named without catalog and schema
    (the dashboard resource sets them); `python -m overwatch.dashboard` rewrites a stale file."""
    dashboard = json.loads((project_dir() / "dashboards" / "overwatch.lvdash.json").read_text())
    compiled = databricks_target_path / "compiled" / "overwatch" / "analyses"
    qualifier = f"`{DATABRICKS_ENVIRONMENT['OVERWATCH_CATALOG']}`.`overwatch_presentation`."
    for dataset in dashboard["datasets"]:
        sql = (compiled / f"{dataset['name']}.sql").read_text()
        assert qualifier in sql, dataset["name"]
        assert dataset["query"].strip() == sql.replace(qualifier, "").strip(), (
            f"{dataset['name']} is stale in the dashboard: run `python -m overwatch.dashboard`"
        )


def test_the_bundle_passes_the_deployment_configs_dbt_vars_to_dbt(tmp_path: Path):
    """Contract prices, workspace names, personal-data settings and the analysts group reach the dbt
    task through one bundle variable, filled from the deployment config by `overwatch dbt-vars`."""
    bundle_dir = Path(__file__).resolve().parents[1]
    job = yaml.safe_load((bundle_dir / "resources" / "overwatch_job.yml").read_text())["resources"]["jobs"]
    dbt_task = next(task["dbt_task"] for task in job["overwatch"]["tasks"] if "dbt_task" in task)
    arguments = shlex.split(dbt_task["commands"][-1])
    assert arguments[arguments.index("--vars") + 1] == "${var.dbt_vars}"
    variables = yaml.safe_load((bundle_dir / "databricks.yml").read_text())["variables"]
    assert json.loads(variables["dbt_vars"]["default"]) == {"analysts_group": "overwatch-analysts"}

    config = yaml.safe_load((bundle_dir / "config" / "deployment.example.yml").read_text())
    config["analysts_group"] = "finops-readers"
    config["dbu_contract_prices"]["automated"] = 0.123
    config_path = tmp_path / "deployment.yml"
    config_path.write_text(yaml.safe_dump(config))
    printed = subprocess.run(
        [sys.executable, "-m", "overwatch", "dbt-vars", "--config", str(config_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **{workspace["token_env_var"]: "unused" for workspace in config["workspaces"]}},
    )
    # As the job runs it: the printed JSON inside the dbt command's single quotes.
    command = shlex.split(dbt_task["commands"][-1].replace("${var.dbt_vars}", printed.stdout.strip()))
    dbt_vars = json.loads(command[command.index("--vars") + 1])
    assert dbt_vars["analysts_group"] == "finops-readers"
    assert dbt_vars["dbu_contract_prices"]["automated"] == 0.123
    organization_ids = {str(workspace["organization_id"]) for workspace in config["workspaces"]}
    assert set(dbt_vars["workspace_names"]) == organization_ids
