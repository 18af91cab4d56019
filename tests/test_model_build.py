"""The build's own selection logic on small hand-made manifests, freshness results and states.

dbt selects `source_status:fresher+ state:modified+` itself (tests/test_end_to_end.py runs it on a real
lake); what is checked here is what this project adds: the nodes a changed var reaches, when a build is
a full one, and that only a successful build leaves its state."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from dbt.artifacts.schemas.results import FreshnessStatus

from overwatch.bronze_tables import ALL_TABLES
from overwatch.model_build import (
    BuildState,
    ModelBuild,
    Selection,
    SourceFreshnessFailed,
    changed_vars,
    check_freshness,
    choose_selection,
    effective_vars,
    forget_state,
    fresher_sources,
    intersect,
    keep_state_of,
    load_state,
    nodes_using_vars,
    save_state,
)


def model(name: str, raw_code: str, macros: list[str] = (), config: dict | None = None) -> dict:
    return {
        "fqn": ["overwatch", "silver", name],
        "raw_code": raw_code,
        "depends_on": {"macros": list(macros)},
        "unrendered_config": config or {},
    }


def macro(sql: str, calls: list[str] = ()) -> dict:
    return {"macro_sql": sql, "depends_on": {"macros": list(calls)}}


# price_of reads the price var through price_table, two macro calls away from the model that uses it.
MANIFEST = {
    "metadata": {"project_name": "overwatch"},
    "macros": {
        "macro.overwatch.price_table": macro("{{ return(var('dbu_contract_prices')) }}"),
        "macro.overwatch.price_of": macro("{{ price_table()[sku] }}", ["macro.overwatch.price_table"]),
        "macro.overwatch.cost": macro("{{ dbus }} * {{ price_of(sku) }}", ["macro.overwatch.price_of"]),
        "macro.overwatch.window": macro('{% if var("until_time_ms", none) %}x{% endif %}'),
        "macro.overwatch.loops": macro("{{ loops() }}", ["macro.overwatch.loops"]),
    },
    "nodes": {
        "model.overwatch.cluster_cost": model(
            "cluster_cost", "select {{ cost('dbus', 'sku') }} from x", ["macro.overwatch.cost"]
        ),
        "model.overwatch.cluster_state": model(
            "cluster_state",
            "select * from y {{ window() }}",
            ["macro.overwatch.window", "macro.overwatch.loops"],
        ),
        "model.overwatch.names": model("names", "select '{{ var('workspace_names') }}'"),
        "model.overwatch.grants": model(
            "grants", "select 1", config={"grants": "{{ {'select': [var('analysts_group')]} }}"}
        ),
        "model.overwatch.plain": model("plain", "select 1"),
    },
}


def test_a_changed_var_reaches_the_nodes_reading_it_directly_through_macros_or_config():
    assert nodes_using_vars(MANIFEST, {"dbu_contract_prices"}) == {"model.overwatch.cluster_cost"}
    assert nodes_using_vars(MANIFEST, {"until_time_ms"}) == {"model.overwatch.cluster_state"}
    assert nodes_using_vars(MANIFEST, {"analysts_group", "workspace_names"}) == {
        "model.overwatch.grants",
        "model.overwatch.names",
    }
    assert nodes_using_vars(MANIFEST, {"savings_idle_min_hours"}) == set()


def test_a_var_in_a_generic_tests_arguments_is_found_in_its_yml():
    test = {
        **model("accepted_values_sku", "{{ test_accepted_values(**_dbt_generic_test_kwargs) }}"),
        "test_metadata": {"name": "accepted_values", "kwargs": {"values": ["interactive"]}},
        "original_file_path": "models/silver/_prices.yml",
    }
    manifest = {**MANIFEST, "nodes": {**MANIFEST["nodes"], "test.overwatch.accepted_values_sku": test}}
    files = {"models/silver/_prices.yml": "values: \"{{ var('dbu_contract_prices').keys() | list }}\""}
    assert nodes_using_vars(manifest, {"dbu_contract_prices"}, files.__getitem__) == {
        "model.overwatch.cluster_cost",
        "test.overwatch.accepted_values_sku",
    }


def test_a_var_read_by_a_computed_name_cannot_be_traced():
    manifest = {
        **MANIFEST,
        "nodes": {**MANIFEST["nodes"], "model.overwatch.any": model("any", "{{ var(name) }}")},
    }
    assert nodes_using_vars(manifest, {"workspace_names"}) is None


STATE = BuildState(Path("/state/1"), {"dbu_contract_prices": {"interactive": 0.55}, "until_time_ms": 1})


def test_without_the_state_of_a_successful_build_everything_is_built():
    selection = choose_selection(None, MANIFEST, {"until_time_ms": 1})
    assert (selection.full, selection.select) == (True, ())


def test_nothing_changed_selects_only_new_data_and_modified_nodes_with_their_descendants():
    selection = choose_selection(STATE, MANIFEST, dict(STATE.vars))
    assert selection.select == ("source_status:fresher+", "state:modified+")
    assert not selection.full and selection.changed_vars == ()


def test_a_price_change_adds_the_nodes_reading_prices_and_their_descendants():
    repriced = {"dbu_contract_prices": {"interactive": 0.60}, "until_time_ms": 1}
    selection = choose_selection(STATE, MANIFEST, repriced)
    assert selection.select == (
        "source_status:fresher+",
        "state:modified+",
        "fqn:overwatch.silver.cluster_cost+",
    )
    assert selection.changed_vars == ("dbu_contract_prices",)


def test_a_var_change_that_cannot_be_traced_builds_everything():
    manifest = {
        **MANIFEST,
        "nodes": {**MANIFEST["nodes"], "model.overwatch.any": model("any", "{{ var(name) }}")},
    }
    selection = choose_selection(STATE, manifest, {**STATE.vars, "until_time_ms": 2})
    assert (selection.full, selection.select) == (True, ())


def test_changed_vars_are_those_added_removed_or_given_another_value():
    before = {"a": 1, "b": {"x": 1}, "c": None}
    assert changed_vars(before, {"a": 1, "b": {"x": 2}, "d": 0}) == {"b", "c", "d"}
    assert changed_vars(before, dict(before)) == set()


def test_the_models_see_the_project_defaults_under_the_vars_passed():
    project = {"lookback_days": 2, "overwatch": {"vm_prices": {}}, "until_time_ms": 5}
    assert effective_vars(project, {"until_time_ms": 9, "vm_prices": {"m5": 1}}, "overwatch") == {
        "lookback_days": 2,
        "vm_prices": {"m5": 1},
        "until_time_ms": 9,
    }


def test_the_callers_selection_narrows_each_of_ours():
    assert intersect(["a+", "b+"], ["tag:x", "c"]) == ["a+,tag:x", "a+,c", "b+,tag:x", "b+,c"]
    assert intersect([], ["c"]) == ["c"]
    assert intersect(["a+"], []) == ["a+"]


def freshness(**max_loaded_at: str) -> dict:
    return {
        "results": [
            {"unique_id": f"source.overwatch.overwatch_bronze.{name}", "max_loaded_at": loaded}
            for name, loaded in max_loaded_at.items()
        ]
    }


def test_a_source_is_fresher_when_rows_arrived_or_it_was_empty_or_unknown_before():
    # dbt reports an empty table as loaded at 0001-01-01.
    previous = freshness(a="2026-01-02T00:00:00Z", b="2026-01-02T00:00:00Z", c="0001-01-01T00:00:00Z")
    current = freshness(
        a="2026-01-02T00:00:00Z", b="2026-01-03T00:00:00Z", c="2026-01-03T00:00:00Z", d="2026-01-01T00:00:00Z"
    )
    assert fresher_sources(previous, current) == tuple(
        f"source.overwatch.overwatch_bronze.{name}" for name in ("b", "c", "d")
    )


def freshness_result(name: str, status: FreshnessStatus) -> SimpleNamespace:
    return SimpleNamespace(node=SimpleNamespace(unique_id=name), status=status, message="no such table")


def test_stale_sources_pass_but_a_source_that_cannot_be_queried_fails():
    check_freshness(
        [freshness_result("a", FreshnessStatus.Error), freshness_result("b", FreshnessStatus.Warn)]
    )
    with pytest.raises(SourceFreshnessFailed, match="b: no such table"):
        check_freshness(
            [freshness_result("a", FreshnessStatus.Pass), freshness_result("b", FreshnessStatus.RuntimeErr)]
        )


def test_a_saved_state_is_read_back_and_replaces_the_previous_one(tmp_path: Path):
    assert load_state(tmp_path) is None
    first = save_state(tmp_path, '{"nodes": {}}', '{"results": []}', {"until_time_ms": 1})
    second = save_state(tmp_path, '{"nodes": {}}', '{"results": []}', {"until_time_ms": 2})
    state = load_state(tmp_path)
    assert state == BuildState(second, {"until_time_ms": 2})
    assert not first.exists()
    assert json.loads((second / "manifest.json").read_text()) == {"nodes": {}}


def test_a_state_with_a_file_missing_is_not_used(tmp_path: Path):
    path = save_state(tmp_path, "{}", "{}", {})
    (path / "sources.json").unlink()
    assert load_state(tmp_path) is None


def outcome(succeeded: bool) -> ModelBuild:
    return ModelBuild(Selection(("state:modified+",), "1 modified"), ("model.overwatch.a",), 5, succeeded)


def test_only_a_successful_build_leaves_its_state(tmp_path: Path):
    save_state(tmp_path, "{}", "{}", {"until_time_ms": 1})
    # A build starts by forgetting the state: killed or failed, it leaves none to trust.
    forget_state(tmp_path)
    assert keep_state_of(outcome(False), tmp_path, "{}", "{}", {"until_time_ms": 2}) is None
    assert load_state(tmp_path) is None
    saved = keep_state_of(outcome(True), tmp_path, "{}", "{}", {"until_time_ms": 2})
    assert load_state(tmp_path) == BuildState(saved, {"until_time_ms": 2})


def test_every_source_a_model_reads_is_checked_for_freshness_on_a_column_its_loader_writes(
    project_manifest: dict,
):
    """A source `dbt source freshness` skips is never `source_status:fresher`: new rows in it would
    rebuild nothing."""
    columns = {table.name: table.column_names for table in ALL_TABLES}
    read_by_models = {
        unique_id
        for unique_id, children in project_manifest["child_map"].items()
        if unique_id.startswith("source.") and any(child.startswith("model.") for child in children)
    }
    unchecked = [
        unique_id
        for unique_id in sorted(read_by_models)
        if not (source := project_manifest["sources"][unique_id])["loaded_at_field"]
        or source["loaded_at_field"] not in columns[source["name"]]
        or not any(
            (source["freshness"] or {}).get(level, {}).get("count") for level in ("warn_after", "error_after")
        )
    ]
    assert len(read_by_models) >= 15
    assert unchecked == []
