"""Shared fixtures: one embedded lakehouse (one JVM) for the whole test session."""

from __future__ import annotations

import json
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


# The scopes that load a lake and run dbt, longest first (a clean-clone CI run: the end-to-end package about
# 1,000 s, the job-run shapes 120 s, down to about 20 s). xdist hands out scopes in collection order, so these
# start first and the short modules fill in around them. Its default order, most tests first, started
# the one-test modules that build models last, and they held the run's end on one worker for about two
# minutes.
LONGEST_SCOPES_FIRST = (
    "tests/end_to_end",
    "tests/test_job_run_shapes.py",
    "tests/test_spark_models.py",
    "tests/test_load_commits.py",
    "tests/test_spark_event_log_loader.py",
    "tests/test_incremental_sql_models.py",
    "tests/test_dbt_from_any_folder.py",
    "tests/test_billing_models.py",
    "tests/test_savings_warehouses.py",
    "tests/test_sample_bill_gold.py",
    "tests/test_databricks_model_configs.py",
    "tests/test_account_audit_events.py",
    "tests/test_project_documentation.py",
    "tests/test_model_build.py",
    "tests/test_node_type_catalog.py",
    "tests/test_model_versions.py",
    "tests/test_docs_site.py",
)


def _scope(nodeid: str) -> str:
    """A test's module, or its package below tests/ (whose modules share package fixtures)."""
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else "/".join(parts)


def _start_rank(item: pytest.Item) -> int:
    scope = _scope(item.nodeid)
    return LONGEST_SCOPES_FIRST.index(scope) if scope in LONGEST_SCOPES_FIRST else len(LONGEST_SCOPES_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: each scope's tests keep their order, and the scopes not listed theirs.
    items.sort(key=_start_rank)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Send each test module to one worker, and each package below tests/ (its modules share package
    fixtures: tests/end_to_end's lake) to one worker, so every module or package fixture builds once.
    Scopes start in collection order (LONGEST_SCOPES_FIRST first), not xdist's most-tests-first."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrPackageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    config.option.loadscopereorder = False
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
def parsed_project(tmp_path_factory: pytest.TempPathFactory, lake_dir: Path) -> Path:
    """A target folder holding the manifest of `dbt parse` (local target, default vars), parsed once per
    worker: the modules that only read the project's manifest share it, where each parse took about 15 s."""
    from overwatch.dbt_runner import run_dbt

    target_path = tmp_path_factory.mktemp("parsed_project")
    run_dbt(["parse", "--target", "local", "--target-path", str(target_path)])
    return target_path


@pytest.fixture(scope="session")
def project_manifest(parsed_project: Path) -> dict:
    return json.loads((parsed_project / "manifest.json").read_text())


@pytest.fixture(scope="session")
def local_target(lake_dir: Path):
    from overwatch.lakehouse import load_target

    return load_target("local", PROJECT_DIR)


@pytest.fixture(scope="module")
def module_schema(lake_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test module's own schema (its SCHEMA): dbt reads its schema from the profile, so the module points
    the profile at it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERWATCH_SCHEMA", request.module.SCHEMA)
        yield request.module.SCHEMA


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
