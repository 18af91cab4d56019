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


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Send each test module to one worker, and each package below tests/ (its modules share package
    fixtures: tests/end_to_end's lake) to one worker, so every module or package fixture builds once."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrPackageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("::", 1)[0].split("/")
            return "/".join(parts[:2]) if len(parts) > 2 else "/".join(parts)

    return ModuleOrPackageScheduling(config, log)


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
