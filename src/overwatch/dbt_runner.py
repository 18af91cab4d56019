"""Run dbt inside this Python process.

The embedded Derby metastore admits one JVM, and the loaders already hold a SparkSession, so dbt runs
in-process through dbtRunner: dbt-spark's session method then reuses the live session instead of
starting a second JVM (and a one-model run takes seconds, not the JVM start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from overwatch.lakehouse import dbt_profiles_dir, prepare_local_environment, project_dir


class DbtCommandFailed(RuntimeError):
    """A dbt command ended with errors or failing tests."""


@dataclass(frozen=True)
class DbtOutcome:
    succeeded: bool
    result: object
    error: BaseException | None = None


def run_dbt(
    arguments: Sequence[str],
    *,
    raise_on_failure: bool = True,
    callbacks: Sequence[Callable[[Any], None]] = (),
    manifest: object = None,
) -> DbtOutcome:
    """Invoke dbt with `arguments` (as on the command line) against this project; `callbacks` receive
    each of dbt's structured events (the benchmark labels each node's Spark queries with them).
    `manifest`, the result of an earlier `parse` with the same vars, spares the command parsing again."""
    from dbt.cli.main import dbtRunner

    project = project_dir()
    prepare_local_environment(project)
    full_arguments = [*arguments]
    if arguments and arguments[0] not in ("--version", "--help", "-h"):
        # Named explicitly so that dbt finds this project and its profile from any working folder.
        if not _has_option(arguments, "--project-dir"):
            full_arguments += ["--project-dir", str(project)]
        if not _has_option(arguments, "--profiles-dir"):
            full_arguments += ["--profiles-dir", str(dbt_profiles_dir(project))]
    outcome = dbtRunner(manifest=manifest, callbacks=list(callbacks)).invoke(full_arguments)
    if raise_on_failure and not outcome.success:
        detail = f": {outcome.exception}" if outcome.exception else ""
        raise DbtCommandFailed(f"dbt {' '.join(arguments)} failed{detail}")
    return DbtOutcome(succeeded=outcome.success, result=outcome.result, error=outcome.exception)


def _has_option(arguments: Sequence[str], option: str) -> bool:
    return any(argument == option or argument.startswith(f"{option}=") for argument in arguments)
