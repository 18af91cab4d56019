"""No presentation view shows an email, user name, user id or IP address unless the deployment says so.

Checked over every presentation model in the manifest, so a view added later is held to the same rule:
a column whose name looks like personal data (or a workspace path, which names its owner:
/Users/<email>/...) must be flagged `personal_data` in its .yml, and the compiled view must hash it
while masking is on (the default). The views about people (accountLogin, accountMod) exist only when
`personal_data.expose_views` is turned on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from overwatch.dbt_runner import run_dbt

PERSONAL_COLUMN_NAME = re.compile(
    r"email|user_?name|user_?id|login_user|user_identity|ip_address|source_ip|(^|_)ip($|_)|_by$|run_as|owner"
    r"|(^|_)path$",
    re.IGNORECASE,
)
PEOPLE_VIEWS = {"model.overwatch.account_login_presentation", "model.overwatch.account_mod_presentation"}


def _manifest(command: str, target_path: Path, dbt_vars: dict) -> dict:
    arguments = [command, "--target-path", str(target_path), "--vars", json.dumps(dbt_vars)]
    if command == "compile":
        arguments += ["--select", "path:models/presentation"]
    run_dbt(arguments)
    return json.loads((target_path / "manifest.json").read_text())


def _presentation_models(manifest: dict) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/presentation/")
    ]


def _is_flagged(column: dict) -> bool:
    config_meta = (column.get("config") or {}).get("meta") or {}
    return bool(config_meta.get("personal_data") or (column.get("meta") or {}).get("personal_data"))


def _is_hashed(compiled_code: str, column_name: str) -> bool:
    """Whether the view's select line producing `column_name` hashes it (the macro writes one line)."""
    lines = [line.strip().rstrip(",") for line in compiled_code.splitlines()]
    producing = [line for line in lines if line == column_name or line.endswith(f" as {column_name}")]
    return bool(producing) and all("sha2(" in line for line in producing)


@pytest.fixture(scope="module")
def default_manifest(tmp_path_factory: pytest.TempPathFactory, lake_dir: Path) -> dict:
    from overwatch.deployment_config import PersonalDataConfig

    defaults = PersonalDataConfig()
    dbt_vars = {"personal_data_expose_views": defaults.expose_views, "personal_data_mask": defaults.mask}
    return _manifest("compile", tmp_path_factory.mktemp("personal_default"), dbt_vars)


def test_views_about_people_are_off_by_default(default_manifest: dict):
    present = {node["unique_id"] for node in _presentation_models(default_manifest)}
    assert present & PEOPLE_VIEWS == set()
    assert present, "the manifest lists no presentation view at all"


def test_every_presentation_column_that_looks_personal_is_flagged(default_manifest: dict):
    unflagged = [
        f"{node['name']}.{name}"
        for node in _presentation_models(default_manifest)
        for name, column in node["columns"].items()
        if PERSONAL_COLUMN_NAME.search(name) and not _is_flagged(column)
    ]
    assert unflagged == []


def test_flagged_columns_are_hashed_by_default(default_manifest: dict):
    unmasked = [
        f"{node['name']}.{name}"
        for node in _presentation_models(default_manifest)
        for name, column in node["columns"].items()
        if _is_flagged(column) and not _is_hashed(node["compiled_code"], name)
    ]
    assert unmasked == []
    columns = [
        column for node in _presentation_models(default_manifest) for column in node["columns"].values()
    ]
    assert any(_is_flagged(column) for column in columns)


def test_expose_views_turns_on_the_people_views_and_mask_off_shows_values(tmp_path: Path, lake_dir: Path):
    dbt_vars = {"personal_data_expose_views": True, "personal_data_mask": False}
    manifest = _manifest("compile", tmp_path, dbt_vars)
    presentation = _presentation_models(manifest)
    people_views = [node for node in presentation if node["unique_id"] in PEOPLE_VIEWS]
    assert {node["unique_id"] for node in people_views} == PEOPLE_VIEWS
    assert all(_is_flagged(node["columns"]["from_ip_address"]) for node in people_views)
    assert not [node["name"] for node in presentation if "sha2(" in node["compiled_code"]]


def test_deployment_config_passes_personal_data_settings_to_dbt():
    import yaml

    from overwatch.deployment_config import ConfigError, parse_config

    example = Path(__file__).resolve().parents[1] / "config" / "deployment.example.yml"
    raw = yaml.safe_load(example.read_text())
    defaults = parse_config({key: value for key, value in raw.items() if key != "personal_data"}).dbt_vars()
    assert (defaults["personal_data_expose_views"], defaults["personal_data_mask"]) == (False, True)
    turned_on = parse_config({**raw, "personal_data": {"expose_views": True, "mask": False}}).dbt_vars()
    assert (turned_on["personal_data_expose_views"], turned_on["personal_data_mask"]) == (True, False)
    with pytest.raises(ConfigError, match=re.escape("personal_data.exposed")):
        parse_config({**raw, "personal_data": {"exposed": True}})
