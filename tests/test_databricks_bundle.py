"""The Databricks Asset Bundle, validated offline with Databricks' own bundle models (databricks-bundles).

The dashboard's serialized file is checked against the Lakeview dashboard models of databricks-labs-lsql:
reading it and writing it back must give the same JSON, so no key is one Lakeview does not have.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job
from databricks.labs.lsql.lakeview.model import Dashboard as LakeviewDashboard

PROJECT_DIR = Path(__file__).resolve().parents[1]
VARIABLE_REFERENCE = re.compile(r"\$\{var\.([a-z_]+)\}")


@pytest.fixture(scope="module")
def bundle() -> dict:
    root = yaml.safe_load((PROJECT_DIR / "databricks.yml").read_text())
    for pattern in root.get("include", []):
        for path in sorted(PROJECT_DIR.glob(pattern)):
            resources = yaml.safe_load(path.read_text())["resources"]
            for kind, items in resources.items():
                root.setdefault("resources", {}).setdefault(kind, {}).update(items)
    return root


@pytest.fixture(scope="module")
def job(bundle: dict) -> dict:
    return bundle["resources"]["jobs"]["overwatch"]


def test_every_job_matches_the_databricks_job_schema(bundle: dict):
    for job_definition in bundle["resources"]["jobs"].values():
        Job.from_dict(job_definition)  # raises on any field the Jobs API does not have


def test_every_variable_used_is_declared(bundle: dict):
    text = (PROJECT_DIR / "databricks.yml").read_text() + "".join(
        path.read_text() for path in (PROJECT_DIR / "resources").glob("*.yml")
    )
    assert set(VARIABLE_REFERENCE.findall(text)) <= set(bundle["variables"])


def test_dbt_runs_after_the_loaders(job: dict):
    tasks = {task["task_key"]: task for task in job["tasks"]}
    assert {dependency["task_key"] for dependency in tasks["build_models"]["depends_on"]} == {"load_bronze"}
    for task in tasks.values():
        assert {dependency["task_key"] for dependency in task.get("depends_on", [])} <= set(tasks)


def test_the_loaders_task_calls_the_packaged_command(job: dict):
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    wheel_task = next(task["python_wheel_task"] for task in job["tasks"] if "python_wheel_task" in task)
    assert wheel_task["package_name"] == project["name"].replace("-", "_")
    assert wheel_task["entry_point"] in project["scripts"]
    assert wheel_task["parameters"][:1] == ["load"]


def test_the_dbt_task_finds_the_project_and_its_profile(job: dict):
    dbt_task = next(task["dbt_task"] for task in job["tasks"] if "dbt_task" in task)
    project_dir = (PROJECT_DIR / "resources" / dbt_task["project_directory"]).resolve()
    assert (project_dir / "dbt_project.yml").exists()
    profiles = yaml.safe_load((project_dir / dbt_task["profiles_directory"] / "profiles.yml").read_text())
    dbt_project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    target = dbt_task["commands"][-1].split("--target ")[1]
    assert profiles[dbt_project["profile"]]["outputs"][target]["type"] == "databricks"


@pytest.fixture(scope="module")
def dashboards(bundle: dict) -> dict[str, dict]:
    """Each dashboard resource with its serialized file (paths are relative to resources/)."""
    return {
        name: json.loads((PROJECT_DIR / "resources" / resource["file_path"]).read_text())
        for name, resource in bundle["resources"]["dashboards"].items()
    }


def charted_analyses() -> list[str]:
    properties = yaml.safe_load((PROJECT_DIR / "analyses" / "_analyses.yml").read_text())
    return [entry["name"] for entry in properties["analyses"] if entry["config"]["meta"].get("chart")]


def test_every_dashboard_matches_the_databricks_dashboard_schema(bundle: dict):
    assert bundle["resources"]["dashboards"]
    for resource in bundle["resources"]["dashboards"].values():
        Dashboard.from_dict(resource)  # raises on any field the bundle's dashboard resource does not have
        assert resource["warehouse_id"] == "${var.warehouse_id}"
        # The queries name views alone: the target's catalog and presentation schema must be set.
        assert resource["dataset_catalog"] == "${var.catalog}"
        assert resource["dataset_schema"] == "${var.schema}_presentation"


def test_every_dashboard_file_is_a_lakeview_dashboard(dashboards: dict[str, dict]):
    for serialized in dashboards.values():
        assert LakeviewDashboard.from_dict(serialized).as_dict() == serialized


def test_the_dashboard_draws_every_charted_analysis_from_its_own_dataset(dashboards: dict[str, dict]):
    for serialized in dashboards.values():
        datasets = {dataset["name"] for dataset in serialized["datasets"]}
        assert sorted(datasets) == sorted(charted_analyses())
        widgets = [item["widget"] for page in serialized["pages"] for item in page["layout"]]
        assert sorted(widget["name"] for widget in widgets) == sorted(datasets)
        for widget in widgets:
            query = widget["queries"][0]["query"]
            assert query["datasetName"] in datasets
            fields = {field["name"] for field in query["fields"]}
            encoded = {encoding["fieldName"] for encoding in widget["spec"]["encodings"].values()}
            assert encoded == fields, widget["name"]


def test_dashboard_widgets_do_not_overlap(dashboards: dict[str, dict]):
    for serialized in dashboards.values():
        cells = []
        for page in serialized["pages"]:
            for item in page["layout"]:
                position = item["position"]
                assert position["x"] + position["width"] <= 6  # Lakeview's canvas is six columns wide
                cells += [
                    (page["name"], position["x"] + column, position["y"] + row)
                    for column in range(position["width"])
                    for row in range(position["height"])
                ]
        assert len(cells) == len(set(cells))
