"""The Databricks Asset Bundle, validated offline with Databricks' own bundle models (databricks-bundles)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from databricks.bundles.jobs import Job

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
