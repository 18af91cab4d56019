"""`overwatch dbt` run from a folder outside the project finds the project and its profiles.yml.

dbt alone looks for profiles.yml in the working folder and then ~/.dbt; the runner names the project's.
The CLI runs as a subprocess from a temporary folder, with a home folder that has no .dbt, doing
`dbt parse`, which opens no Spark session (so no second JVM meets the test process's lake).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from overwatch.cli import main

PROJECT_DIR = Path(__file__).resolve().parents[1]
OVERWATCH = Path(sys.executable).parent / "overwatch"


def _environment(home: Path, *, project_dir: Path | None) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("OVERWATCH_PROJECT_DIR", "DBT_PROFILES_DIR", "OVERWATCH_LAKE_DIR")
    }
    environment.update(HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    if project_dir is not None:
        environment["OVERWATCH_PROJECT_DIR"] = str(project_dir)
    return environment


@pytest.fixture(scope="module")
def target_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One target folder for both ways of finding the project: the second parse reuses the first's
    partial-parse state (dbt still reads the project's files to check them) instead of a full parse."""
    return tmp_path_factory.mktemp("target")


@pytest.mark.parametrize("project_dir", [None, PROJECT_DIR], ids=["found-from-the-package", "named-by-env"])
def test_dbt_parse_outside_the_project(tmp_path: Path, target_path: Path, project_dir: Path | None):
    elsewhere = tmp_path / "elsewhere"
    home = tmp_path / "home"
    elsewhere.mkdir()
    home.mkdir()
    # Each run must write its own manifest.
    (target_path / "manifest.json").unlink(missing_ok=True)

    finished = subprocess.run(
        [str(OVERWATCH), "dbt", "parse", "--target-path", str(target_path)],
        cwd=elsewhere,
        env=_environment(home, project_dir=project_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    manifest = json.loads((target_path / "manifest.json").read_text())
    assert manifest["metadata"]["project_name"] == "overwatch"
    # The project's own models, so the parse read this project and not an empty one.
    assert "model.overwatch.spark_application_silver" in manifest["nodes"]
    assert not (home / ".dbt").exists()
    assert not any(elsewhere.iterdir()), "dbt wrote into the working folder"


def test_a_project_without_profiles_yml_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "dbt_project.yml").write_text("name: elsewhere\n")
    monkeypatch.setenv("OVERWATCH_PROJECT_DIR", str(tmp_path))
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    # The runner fills in the local lake's location: kept inside this test's folder.
    monkeypatch.setenv("OVERWATCH_LAKE_DIR", str(tmp_path / ".lake"))
    monkeypatch.chdir(tmp_path)

    assert main(["dbt", "parse"]) == 2
    assert f"no profiles.yml in {tmp_path}" in capsys.readouterr().err
