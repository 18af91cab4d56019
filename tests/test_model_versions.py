"""A new version of a gold model re-points its presentation view with no edit to the view.

The presentation model reads `ref('<gold model>')` without a version, which dbt resolves to the latest
version (the highest, as `latest_version` is not pinned). The test copies the dbt project, adds a
`cluster` v2, parses (no Spark needed) and reads the lineage from the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
PROJECT_ENTRIES = ("models", "macros", "snapshots", "seeds", "docs", "tests/dbt", "dbt_project.yml")
PROFILE_FILES = ("profiles.yml", "profiles.yml.example")
PRESENTATION_FILES = (
    "models/presentation/compute/cluster_presentation.sql",
    "models/presentation/compute/cluster_presentation.yml",
)
PRESENTATION_NODE = "model.overwatch.cluster_presentation"


def _copy_project(destination: Path) -> Path:
    for entry in PROJECT_ENTRIES:
        source = PROJECT_DIR / entry
        if source.is_dir():
            shutil.copytree(source, destination / entry)
        elif source.is_file():
            shutil.copy2(source, destination / entry)
    for file_name in PROFILE_FILES:
        if (PROJECT_DIR / file_name).exists():
            shutil.copy2(PROJECT_DIR / file_name, destination / "profiles.yml")
            break
    return destination


def _parse(project: Path) -> dict:
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "local",
            "--target-path",
            str(project / "target"),
            "--no-partial-parse",
        ]
    )
    assert outcome.success, outcome.exception
    return json.loads((project / "target" / "manifest.json").read_text())


def _presentation_parents(manifest: dict) -> list[str]:
    return manifest["nodes"][PRESENTATION_NODE]["depends_on"]["nodes"]


def _add_cluster_v2(project: Path) -> None:
    gold = project / "models" / "gold" / "compute"
    shutil.copy2(gold / "cluster_v1.sql", gold / "cluster_v2.sql")
    properties_path = gold / "cluster.yml"
    properties = yaml.safe_load(properties_path.read_text())
    (cluster,) = (model for model in properties["models"] if model["name"] == "cluster")
    cluster["versions"].append({"v": 2})
    properties_path.write_text(yaml.safe_dump(properties, sort_keys=False))


def _digest(project: Path, relative_paths: tuple[str, ...]) -> dict[str, str]:
    return {path: hashlib.sha256((project / path).read_bytes()).hexdigest() for path in relative_paths}


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # The local profile renders these; parse never starts Spark, so any values do.
    monkeypatch.setenv("OVERWATCH_LAKE_DIR", str(tmp_path / "lake"))
    monkeypatch.setenv("OVERWATCH_ICEBERG_JAR", str(tmp_path / "iceberg.jar"))
    monkeypatch.delenv("OVERWATCH_TARGET", raising=False)
    return _copy_project(tmp_path / "project")


def test_presentation_follows_the_latest_gold_version(project_copy: Path):
    presentation_before = _digest(project_copy, PRESENTATION_FILES)

    manifest = _parse(project_copy)
    assert "model.overwatch.cluster.v1" in _presentation_parents(manifest)

    _add_cluster_v2(project_copy)
    manifest = _parse(project_copy)

    parents = _presentation_parents(manifest)
    assert "model.overwatch.cluster.v2" in parents
    assert "model.overwatch.cluster.v1" not in parents
    assert manifest["nodes"]["model.overwatch.cluster.v2"]["latest_version"] == 2
    assert _digest(project_copy, PRESENTATION_FILES) == presentation_before
