"""Shared fixtures: one embedded lakehouse (one JVM) for the whole test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parent
SHARED_SAMPLES = PROJECT_DIR.parent / "shared" / "samples"

# Under pytest-xdist each worker is its own process with its own JVM and lake; dbt's target and log
# folders are per worker too, so two workers never write one manifest or partial-parse file.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _XDIST_WORKER:
    os.environ.setdefault("DBT_TARGET_PATH", str(PROJECT_DIR / "target" / f"pytest-{_XDIST_WORKER}"))
    os.environ.setdefault("DBT_LOG_PATH", str(PROJECT_DIR / "logs" / f"pytest-{_XDIST_WORKER}"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for `--dist loadgroup`: each module is a group, each package below tests/ one group.

    A worker runs a whole group, so a module's (or a package's) fixtures are built once, on one worker.
    """
    for item in items:
        parts = item.path.relative_to(TESTS_DIR).parts
        item.add_marker(pytest.mark.xdist_group(parts[0] if len(parts) > 1 else item.path.stem))


@pytest.fixture(scope="session")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh lake for the session; Spark reads its location once, when the JVM starts."""
    path = tmp_path_factory.mktemp("lake")
    os.environ["OVERWATCH_LAKE_DIR"] = str(path)
    os.environ["OVERWATCH_PROJECT_DIR"] = str(PROJECT_DIR)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return path


@pytest.fixture(scope="session")
def local_target(lake_dir: Path):
    from overwatch.lakehouse import load_target

    return load_target("local", PROJECT_DIR)


@pytest.fixture(scope="session")
def spark(local_target) -> Iterator:
    from overwatch.lakehouse import spark_session

    session = spark_session(local_target)
    yield session
    session.stop()


@pytest.fixture
def isolated_target(local_target, spark, request: pytest.FixtureRequest):
    """The local target with a schema of the test's own, so tests never see each other's rows."""
    from overwatch.bronze_tables import create_bronze_tables

    schema = "t_" + "".join(char if char.isalnum() else "_" for char in request.node.name.lower())[:60]
    target = replace(local_target, schema=schema)
    create_bronze_tables(spark, target)
    return target
