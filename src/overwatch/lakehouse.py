"""Where tables live and how to reach Spark, read from the dbt profile.

The dbt profile (`profiles.yml`, or `profiles.yml.example` when no copy exists) is the one definition of
every target. dbt reads it for the models; the loaders read the same target here, so the embedded
Spark configuration, the schema and the table format are never written twice.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROFILE_NAME = "overwatch"
PROFILE_FILES = ("profiles.yml", "profiles.yml.example")
ICEBERG_JAR_NAME = "iceberg-spark-runtime-3.5_2.12-1.9.2.jar"
LOADER_PROFILE_KEYS = ("type", "schema", "catalog", "server_side_parameters")


class TargetError(RuntimeError):
    """The dbt profile does not describe a usable target."""


@dataclass(frozen=True)
class Target:
    """One output of the dbt profile, as the loaders need it."""

    name: str
    adapter_type: str
    schema: str
    catalog: str | None = None
    spark_conf: dict[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return self.adapter_type == "spark"

    @property
    def table_format(self) -> str:
        return "iceberg" if self.is_local else "delta"

    @property
    def bronze_schema(self) -> str:
        return f"{self.schema}_bronze"

    def bronze_table(self, table_name: str) -> str:
        return self._qualify(self.bronze_schema, table_name)

    def model_table(self, layer: str, table_name: str) -> str:
        return self._qualify(f"{self.schema}_{layer}", table_name)

    def _qualify(self, schema: str, table_name: str) -> str:
        parts = [self.catalog, schema, table_name] if self.catalog else [schema, table_name]
        return ".".join(f"`{part}`" for part in parts)


def project_dir() -> Path:
    """The dbt project folder: OVERWATCH_PROJECT_DIR, else the nearest folder holding dbt_project.yml from
    the working folder up, else the project this package is installed from (an editable install)."""
    configured = os.environ.get("OVERWATCH_PROJECT_DIR")
    if configured:
        return Path(configured).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents, _installed_project_dir()):
        if candidate is not None and (candidate / "dbt_project.yml").exists():
            return candidate
    raise TargetError("cannot find dbt_project.yml: run from the project folder or set OVERWATCH_PROJECT_DIR")


def _installed_project_dir() -> Path | None:
    """The project folder around src/overwatch/ when the package runs from its source tree."""
    package_dir = Path(__file__).resolve().parent
    return package_dir.parents[1] if len(package_dir.parents) > 1 else None


def iceberg_runtime_jar() -> Path:
    """The Iceberg Spark runtime jar shipped inside the snowpark-connect-deps-iceberg wheel."""
    jar = resources.files("snowpark_connect_deps_iceberg") / "jars" / ICEBERG_JAR_NAME
    return Path(str(jar))


def prepare_local_environment(project: Path | None = None) -> None:
    """Fill the environment variables the local target reads, unless the caller set them already."""
    project = project or project_dir()
    os.environ.setdefault("OVERWATCH_LAKE_DIR", str(project / ".lake"))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if "OVERWATCH_ICEBERG_JAR" not in os.environ:
        # Not installed on Databricks, where the local target is never used.
        with contextlib.suppress(ModuleNotFoundError):
            os.environ["OVERWATCH_ICEBERG_JAR"] = str(iceberg_runtime_jar())


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise TargetError(f"the dbt profile needs the environment variable {name}")
    return default


def _render(value: Any) -> Any:
    """Render dbt's env_var() calls inside profile values, as dbt itself does."""
    if isinstance(value, dict):
        return {key: _render(item) for key, item in value.items()}
    if isinstance(value, str) and "{{" in value:
        template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(value)
        return template.render(env_var=_env_var)
    return value


def profile_path(project: Path) -> Path:
    """The profiles file dbt would read for this project."""
    profiles_dir = Path(os.environ.get("DBT_PROFILES_DIR", project))
    for file_name in PROFILE_FILES:
        path = profiles_dir / file_name
        if path.exists():
            return path
    raise TargetError(f"no profiles.yml in {profiles_dir}: copy profiles.yml.example there")


def dbt_profiles_dir(project: Path) -> Path:
    """The folder dbt must read profiles.yml from: DBT_PROFILES_DIR, else the project's own.

    Without it dbt looks in the working folder and then ~/.dbt, so a command run outside the project
    would miss the project's profile.
    """
    profiles_dir = Path(os.environ.get("DBT_PROFILES_DIR", project))
    if not (profiles_dir / "profiles.yml").exists():
        raise TargetError(
            f"no profiles.yml in {profiles_dir}: copy profiles.yml.example there (make profiles.yml)"
        )
    return profiles_dir


def load_target(target_name: str | None = None, project: Path | None = None) -> Target:
    """Read one target of the dbt profile, rendering only that target's env_var() calls."""
    project = project or project_dir()
    prepare_local_environment(project)
    path = profile_path(project)
    # Render target by target so that the local target never needs Databricks variables and vice versa.
    raw_profile = (yaml.safe_load(path.read_text()) or {}).get(PROFILE_NAME)
    if not raw_profile:
        raise TargetError(f"{path} has no profile named {PROFILE_NAME!r}")
    name = target_name or _render(raw_profile["target"])
    outputs = raw_profile.get("outputs", {})
    if name not in outputs:
        raise TargetError(f"target {name!r} is not in the dbt profile (have: {', '.join(outputs)})")
    # Only what the loaders use is rendered: a job on Databricks has no SQL warehouse credentials to give.
    output = _render({key: outputs[name].get(key) for key in LOADER_PROFILE_KEYS})
    return Target(
        name=name,
        adapter_type=output["type"],
        schema=output["schema"],
        catalog=output.get("catalog"),
        spark_conf={
            str(key): str(value) for key, value in (output.get("server_side_parameters") or {}).items()
        },
    )


def spark_session(target: Target) -> SparkSession:
    """The SparkSession for a target: built from the profile locally, the running one on Databricks."""
    from pyspark.sql import SparkSession

    if not target.is_local:
        return SparkSession.builder.getOrCreate()
    builder = SparkSession.builder.appName("overwatch").enableHiveSupport()
    for key, value in target.spark_conf.items():
        builder = builder.config(key, value)
    # dbt-spark's session method forces this too; setting it here keeps loaders and models identical.
    builder = builder.config("spark.sql.ansi.enabled", "false")
    # Python tasks (the event log decoders) need this interpreter's packages, not the PATH's python3;
    # PySpark reads the worker's interpreter from the environment only.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sql("create namespace if not exists default")
    return session
