"""Build only what new data or changed code, config or vars can change, with dbt's own state selection.

Every successful build leaves its state: the manifest it built, the source freshness it saw
(`sources.json`, max `loaded_at` per bronze table) and the vars it was given. The next build runs
`dbt source freshness` and selects `source_status:fresher+ state:modified+` against that state, plus
the nodes that use a var whose value changed and their descendants (dbt's state:modified ignores
`--vars`). With no usable state (a fresh lake, a first run, a build that failed or was killed) it
builds everything.

Locally the state lives with the lake it describes (`$OVERWATCH_LAKE_DIR/build_state/<schema>`);
elsewhere in `$OVERWATCH_BUILD_STATE_DIR/<schema>` (on Databricks a Unity Catalog volume path), and
without that setting every build is a full one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml

from overwatch.dbt_runner import DbtCommandFailed, run_dbt
from overwatch.lakehouse import Target, load_target, prepare_local_environment, project_dir

STATE_DIR_VARIABLE = "OVERWATCH_BUILD_STATE_DIR"
# The state a build compares with is named by this file, replaced in one rename once a build succeeded.
LATEST = "LATEST"
MANIFEST, SOURCES, VARS = "manifest.json", "sources.json", "vars.json"
BUILT_RESOURCE_TYPES = ("model", "seed", "snapshot", "test", "unit_test")
# `var('name')`, `var("name", default)`, `var.has_var('name')`: a var read by its literal name.
LITERAL_VAR = re.compile(r"\bvar(?:\.has_var)?\s*\(\s*(['\"])(\w+)\1")
# Any read of a var; one whose name is not a literal cannot be traced to the var it reads.
ANY_VAR = re.compile(r"\bvar(?:\.has_var)?\s*\(")


@dataclass(frozen=True)
class BuildState:
    """What the last successful build saw: its manifest, source freshness and vars."""

    path: Path
    vars: Mapping[str, Any]


@dataclass(frozen=True)
class Selection:
    """The nodes a build selects and why; `select` empty means every node."""

    select: tuple[str, ...]
    reason: str
    full: bool = False
    changed_vars: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelBuild:
    """One build: its selection, the node ids dbt selected of how many, and dbt's result."""

    selection: Selection
    selected: tuple[str, ...]
    node_count: int
    succeeded: bool
    result: object = None

    def describe(self) -> str:
        return f"{self.selection.reason}: {len(self.selected)} of {self.node_count} nodes"


class SourceFreshnessFailed(RuntimeError):
    """A source could not be queried, so what is new cannot be known."""


def state_dir_for(target: Target) -> Path | None:
    """Where this target's build state lives, per schema so that another schema never reuses it."""
    name = f"{target.catalog}.{target.schema}" if target.catalog else target.schema
    configured = os.environ.get(STATE_DIR_VARIABLE)
    if configured:
        return Path(configured) / name
    if target.is_local:
        return Path(os.environ["OVERWATCH_LAKE_DIR"]) / "build_state" / name
    return None


def load_state(state_dir: Path | None) -> BuildState | None:
    """The state of the last successful build, or None when there is none to trust."""
    if state_dir is None or not (state_dir / LATEST).is_file():
        return None
    path = state_dir / (state_dir / LATEST).read_text().strip()
    if not all((path / name).is_file() for name in (MANIFEST, SOURCES, VARS)):
        return None
    return BuildState(path, json.loads((path / VARS).read_text()))


def forget_state(state_dir: Path | None) -> None:
    """Drop the pointer to the last state before a build starts: a build that fails or is killed half
    way leaves tables no saved state describes, so the next one must build everything."""
    if state_dir is not None:
        (state_dir / LATEST).unlink(missing_ok=True)


def save_state(state_dir: Path, manifest: str, sources: str, dbt_vars: Mapping[str, Any]) -> Path:
    """Write the new state beside the old and point LATEST at it in one rename; older states go."""
    name = uuid.uuid4().hex
    path = state_dir / name
    path.mkdir(parents=True)
    (path / MANIFEST).write_text(manifest)
    (path / SOURCES).write_text(sources)
    (path / VARS).write_text(json.dumps(dbt_vars, sort_keys=True))
    pointer = state_dir / f".{LATEST}.{name}"
    pointer.write_text(name)
    os.replace(pointer, state_dir / LATEST)
    for old in state_dir.iterdir():
        if old.is_dir() and old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return path


def keep_state_of(
    build: ModelBuild, state_dir: Path | None, manifest: str, sources: str, dbt_vars: Mapping[str, Any]
) -> Path | None:
    """Save the build's state as the next build's reference, only if it succeeded."""
    if not build.succeeded or state_dir is None:
        return None
    return save_state(state_dir, manifest, sources, dbt_vars)


def effective_vars(project_vars: Mapping[str, Any], cli_vars: Mapping[str, Any], package: str) -> dict:
    """The vars the models see: the project's defaults (global, or scoped to this package) under the
    ones passed with --vars."""
    scoped = project_vars.get(package)
    merged = {name: value for name, value in project_vars.items() if name != package}
    if isinstance(scoped, Mapping):
        merged.update(scoped)
    merged.update(cli_vars)
    return merged


def changed_vars(before: Mapping[str, Any], now: Mapping[str, Any]) -> set[str]:
    """Vars added, removed or given another value."""
    return {name for name in before.keys() | now.keys() if before.get(name, ...) != now.get(name, ...)}


def nodes_using_vars(
    manifest: Mapping[str, Any], names: Iterable[str], project_file: Callable[[str], str] = lambda _path: ""
) -> set[str] | None:
    """Ids of the nodes whose SQL, config or macros (transitively) read one of `names`; None when some
    node or macro reads a var by a name that is not a literal, so the readers cannot be told.

    A generic test's arguments are rendered in the manifest, so the .yml it comes from (`project_file`
    reads it) is searched too."""
    wanted = set(names)
    macros = manifest.get("macros", {})
    macro_reads: dict[str, set[str] | None] = {}

    def reads_of_macro(macro_id: str, seen: frozenset[str]) -> set[str] | None:
        if macro_id in macro_reads:
            return macro_reads[macro_id]
        macro = macros.get(macro_id)
        if macro is None or macro_id in seen:
            return set()
        reads = _reads(macro.get("macro_sql", ""))
        for called in macro.get("depends_on", {}).get("macros", []):
            called_reads = reads_of_macro(called, seen | {macro_id})
            reads = None if reads is None or called_reads is None else reads | called_reads
        macro_reads[macro_id] = reads
        return reads

    users = set()
    for unique_id, node in manifest.get("nodes", {}).items():
        text = node.get("raw_code", "") + json.dumps(node.get("unrendered_config", {}))
        if node.get("test_metadata") and node.get("original_file_path"):
            text += project_file(node["original_file_path"])
        reads = _reads(text)
        for macro_id in node.get("depends_on", {}).get("macros", []):
            macro_part = reads_of_macro(macro_id, frozenset())
            reads = None if reads is None or macro_part is None else reads | macro_part
        if reads is None:
            return None
        if reads & wanted:
            users.add(unique_id)
    return users


def _reads(text: str) -> set[str] | None:
    literal = {match.group(2) for match in LITERAL_VAR.finditer(text)}
    return literal if len(ANY_VAR.findall(text)) == len(LITERAL_VAR.findall(text)) else None


def node_selector(node: Mapping[str, Any]) -> str:
    """A selector naming exactly this node: its fully qualified name (with a model's version)."""
    return "fqn:" + ".".join(node["fqn"])


def choose_selection(
    state: BuildState | None,
    manifest: Mapping[str, Any],
    dbt_vars: Mapping[str, Any],
    project_file: Callable[[str], str] = lambda _path: "",
) -> Selection:
    """What to build against the last successful build's state (None: everything)."""
    if state is None:
        return Selection((), "no state of a previous successful build: full build", full=True)
    changed = sorted(changed_vars(state.vars, dbt_vars))
    users = nodes_using_vars(manifest, changed, project_file) if changed else set()
    if users is None:
        return Selection(
            (), f"vars changed ({', '.join(changed)}) and a var is read by a computed name: full build", True
        )
    by_var = tuple(sorted(f"{node_selector(manifest['nodes'][unique_id])}+" for unique_id in users))
    vars_reason = f", vars changed ({', '.join(changed)}): {len(users)} nodes read them" if changed else ""
    return Selection(
        ("source_status:fresher+", "state:modified+", *by_var),
        vars_reason,
        changed_vars=tuple(changed),
    )


def intersect(selection: Sequence[str], caller: Sequence[str]) -> list[str]:
    """dbt's intersection of two unions: every pair of their selectors joined by a comma."""
    if not caller:
        return list(selection)
    if not selection:
        return list(caller)
    return [f"{ours},{theirs}" for ours in selection for theirs in caller]


def fresher_sources(previous: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[str, ...]:
    """Sources whose newest row is newer than the previous freshness run saw (as dbt's source_status)."""
    before = _loaded_at(previous)
    return tuple(
        sorted(
            unique_id
            for unique_id, loaded_at in _loaded_at(current).items()
            if unique_id not in before or loaded_at > before[unique_id]
        )
    )


def _loaded_at(sources: Mapping[str, Any]) -> dict[str, datetime]:
    """max_loaded_at per source of a sources.json; a source dbt could not query has none."""
    return {
        result["unique_id"]: datetime.fromisoformat(result["max_loaded_at"])
        for result in sources.get("results", [])
        if result.get("max_loaded_at")
    }


def check_freshness(results: Iterable[Any]) -> None:
    """Stale sources are the monitors' business; a source that could not be queried fails the build.

    An empty table is not an error: dbt reports it as loaded at 0001-01-01 (stale), and its first rows
    make it fresher."""
    broken = [
        f"{result.node.unique_id}: {result.message}"
        for result in results
        if str(result.status) == "runtime error"
    ]
    if broken:
        raise SourceFreshnessFailed("source freshness could not be checked for " + "; ".join(broken))


def dbt_target_path(project: Path) -> Path:
    """Where dbt writes its artifacts: DBT_TARGET_PATH (per pytest worker) or dbt_project.yml's."""
    configured = os.environ.get("DBT_TARGET_PATH") or _project_config(project).get("target-path", "target")
    path = Path(configured)
    return path if path.is_absolute() else project / path


def _project_config(project: Path) -> dict:
    return yaml.safe_load((project / "dbt_project.yml").read_text())


def build_models(
    dbt_vars: Mapping[str, Any],
    *,
    target_name: str | None = None,
    extra_arguments: Sequence[str] = (),
    select: Sequence[str] = (),
    callbacks: Sequence[Callable[[Any], None]] = (),
    raise_on_failure: bool = True,
) -> ModelBuild:
    """`dbt build` of what changed since the last successful build (everything when there is none).

    `extra_arguments` are node selection flags (`--exclude`, `--exclude-resource-type`, ...), given to
    `dbt ls` and `dbt build` alike; `select` narrows the build to the caller's selectors. The new state
    is saved only when the build succeeded."""
    project = project_dir()
    prepare_local_environment(project)
    target = load_target(target_name, project)
    common = ["--vars", json.dumps(dbt_vars), *(["--target", target_name] if target_name else [])]
    # One parse serves every command below; vars change what it renders, so it gets them too.
    parsed = run_dbt(["parse", *common]).result
    target_path = dbt_target_path(project)
    manifest_text = (target_path / MANIFEST).read_text()
    manifest = json.loads(manifest_text)
    sources_text = _source_freshness(common, parsed, target_path)

    state_dir = state_dir_for(target)
    state = load_state(state_dir)
    all_vars = effective_vars(_project_config(project).get("vars") or {}, dbt_vars, _package(manifest))
    selection = choose_selection(state, manifest, all_vars, cache(lambda path: (project / path).read_text()))
    listed = partial(_list_nodes, parsed, [*common, *extra_arguments])
    state_arguments = ["--state", str(state.path)] if state else []
    select_arguments = _select_arguments(intersect(selection.select, select))
    selected = listed([*state_arguments, *select_arguments])
    node_count = len(listed(_select_arguments(select)))
    if state is not None and not selection.full:
        selection = _with_counts(
            selection,
            state,
            sources_text,
            listed([*state_arguments, *_select_arguments(intersect(["state:modified"], select))]),
        )

    forget_state(state_dir)
    succeeded, result = True, None
    if selected:
        outcome = run_dbt(
            ["build", *common, *state_arguments, *select_arguments, *extra_arguments],
            raise_on_failure=False,
            callbacks=callbacks,
            manifest=parsed,
        )
        succeeded, result = outcome.succeeded, outcome.result
    build = ModelBuild(selection, selected, node_count, succeeded, result)
    keep_state_of(build, state_dir, manifest_text, sources_text, all_vars)
    if raise_on_failure and not succeeded:
        raise DbtCommandFailed(f"dbt build ({build.describe()}) failed")
    return build


def _select_arguments(selectors: Sequence[str]) -> list[str]:
    return ["--select", *selectors] if selectors else []


def _with_counts(selection: Selection, state: BuildState, sources: str, modified: Sequence[str]) -> Selection:
    """The selection's reason, led by how many sources got rows and how many nodes changed."""
    fresher = fresher_sources(json.loads((state.path / SOURCES).read_text()), json.loads(sources))
    return replace(
        selection, reason=f"{len(fresher)} sources fresher, {len(modified)} modified{selection.reason}"
    )


def _source_freshness(common: Sequence[str], parsed: object, target_path: Path) -> str:
    """Run `dbt source freshness` (it writes sources.json where `source_status` reads it) and return
    what it wrote."""
    freshness = run_dbt(["source", "freshness", *common], raise_on_failure=False, manifest=parsed)
    if freshness.error is not None:
        raise SourceFreshnessFailed(f"dbt source freshness failed: {freshness.error}")
    check_freshness(freshness.result.results)  # type: ignore[attr-defined]
    return (target_path / SOURCES).read_text()


def _list_nodes(parsed: object, common: Sequence[str], arguments: Sequence[str]) -> tuple[str, ...]:
    """The ids of the nodes a build with these arguments would run, from `dbt ls`."""
    listing = run_dbt(
        # dbt prints every node it lists; the caller prints their count.
        ["ls", "--log-level", "none", *common, *arguments, "--output", "json", "--output-keys", "unique_id"],
        manifest=parsed,
    )
    ids = (json.loads(line)["unique_id"] for line in listing.result or [])  # type: ignore[attr-defined]
    return tuple(sorted(unique_id for unique_id in ids if unique_id.split(".")[0] in BUILT_RESOURCE_TYPES))


def _package(manifest: Mapping[str, Any]) -> str:
    return manifest.get("metadata", {}).get("project_name") or "overwatch"
