from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from overwatch.deployment_config import ConfigError, Scope, load_config, parse_config

VALID = {
    "workspaces": [
        {
            "organization_id": "1234567890123456",
            "workspace_name": "analytics-prod",
            "cloud": "aws",
            "api_host": "https://dbc-1234.cloud.databricks.com",
            "token_env_var": "DATABRICKS_TOKEN_ANALYTICS",
            "audit_log_path": "s3://audit-bucket/logs",
        }
    ],
    "dbu_contract_prices": {
        "interactive": 0.55,
        "automated": 0.30,
        "jobs_light": 0.10,
        "sql_compute": 0.22,
        "serverless": 0.70,
    },
    "primordial_date": "2026-01-01",
    "max_days_per_run": 30,
    "skip_scopes": ["instance_profiles"],
}


def with_change(path: str, value: object) -> dict:
    """A deep copy of VALID with one field (dotted path, list indexes as numbers) replaced."""
    config = yaml.safe_load(yaml.safe_dump(VALID))
    *parents, leaf = [int(part) if part.isdigit() else part for part in path.split(".")]
    node = config
    for part in parents:
        node = node[part]
    node[leaf] = value
    return config


def test_valid_config_parses():
    config = parse_config(VALID)
    assert config.workspaces[0].cloud == "aws"
    assert config.dbu_contract_prices.automated == 0.30
    assert not config.runs_scope(Scope.INSTANCE_PROFILES)
    assert config.runs_scope(Scope.CLUSTERS)


@pytest.mark.parametrize(
    ("path", "value", "named_field"),
    [
        ("workspaces.0.cloud", "oracle", "workspaces[0].cloud"),
        ("workspaces.0.organization_id", "abc", "workspaces[0].organization_id"),
        ("workspaces.0.api_host", "dbc-1234", "workspaces[0].api_host"),
        ("workspaces.0.token_env_var", "my token", "workspaces[0].token_env_var"),
        ("dbu_contract_prices.automated", -1, "dbu_contract_prices.automated"),
        ("primordial_date", "yesterday", "primordial_date"),
        ("max_days_per_run", 0, "max_days_per_run"),
        ("skip_scopes", ["everything"], "skip_scopes[0]"),
        ("workspaces.0.audit_log_path", None, "workspaces[0]"),
        ("workspaces.0.organization_id", "0", "workspaces[0].organization_id"),
        ("account", {"audit_log_source": "api"}, "account.audit_log_source"),
        (
            "workspaces.0.dbu_contract_prices",
            {"interactive": -1},
            "workspaces[0].dbu_contract_prices.interactive",
        ),
        (
            "workspaces.0.dbu_contract_prices",
            {"gold_plated": 1},
            "workspaces[0].dbu_contract_prices.gold_plated",
        ),
        ("workspaces.0.vm_prices", {"m5d.large": -0.1}, "workspaces[0].vm_prices.m5d.large"),
        ("vm_prices", {"m5d.large'; drop": 0.1}, "vm_prices.m5d.large'; drop.[key]"),
    ],
)
def test_invalid_field_is_named(path: str, value: object, named_field: str):
    with pytest.raises(ConfigError) as error:
        parse_config(with_change(path, value))
    assert f"  {named_field}:" in str(error.value)


def test_the_account_section_is_optional_and_names_the_account_level_modules():
    from overwatch.pipeline import account_modules_to_run

    assert parse_config(VALID).account is None
    assert account_modules_to_run(parse_config(VALID)) == []
    # The bill is read from the system tables by default; without a delivery path, account-level audit
    # files are not loaded.
    bill = [Scope.BILLING_USAGE, Scope.LIST_PRICES]
    account_only = parse_config(with_change("account", {"account_id": "a-1"}))
    assert [scope for scope, _ in account_modules_to_run(account_only)] == bill
    delivered = parse_config(with_change("account", {"audit_log_path": "s3://audit-bucket/logs"}))
    assert [scope for scope, _ in account_modules_to_run(delivered)] == [Scope.ACCOUNT_AUDIT_LOGS, *bill]
    system_table = parse_config(with_change("account", {"audit_log_source": "system_table"}))
    assert system_table.account.audit_log_table == "system.access.audit"
    assert [scope for scope, _ in account_modules_to_run(system_table)] == [Scope.ACCOUNT_AUDIT_LOGS, *bill]
    skipped = with_change("account", {"audit_log_source": "system_table"})
    skipped["skip_scopes"] = ["account_audit_logs", "billing_usage", "list_prices"]
    assert account_modules_to_run(parse_config(skipped)) == []


def test_unknown_field_is_rejected():
    with pytest.raises(ConfigError, match=r"workspaces\[0\]\.tokn: Extra inputs are not permitted"):
        parse_config(with_change("workspaces.0.tokn", "x"))


def test_duplicate_workspace_is_rejected():
    config = yaml.safe_load(yaml.safe_dump(VALID))
    config["workspaces"].append(config["workspaces"][0])
    with pytest.raises(ConfigError, match="listed twice"):
        parse_config(config)


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    workspace = parse_config(VALID).workspaces[0]
    monkeypatch.delenv("DATABRICKS_TOKEN_ANALYTICS", raising=False)
    with pytest.raises(ConfigError, match="DATABRICKS_TOKEN_ANALYTICS is not set"):
        workspace.api_token()
    monkeypatch.setenv("DATABRICKS_TOKEN_ANALYTICS", "dapi-secret")
    assert workspace.api_token() == "dapi-secret"


def test_example_config_in_the_repo_is_valid():
    example = Path(__file__).resolve().parents[1] / "config" / "deployment.example.yml"
    assert load_config(example).workspaces


def test_missing_and_unreadable_files_are_clear(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("workspaces: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)


def test_dbt_vars_carry_names_prices_and_the_window_end():
    config = parse_config(VALID)
    until = datetime(2026, 1, 12, tzinfo=UTC)
    dbt_vars = config.dbt_vars(until_time=until)
    assert dbt_vars["workspace_names"] == {"1234567890123456": "analytics-prod"}
    assert dbt_vars["dbu_contract_prices"]["automated"] == 0.30
    assert dbt_vars["until_time_ms"] == 1768176000000
    assert "until_time_ms" not in config.dbt_vars()


def test_the_account_section_is_optional_and_checked():
    assert parse_config(VALID).account is None
    example = load_config(Path(__file__).resolve().parents[1] / "config" / "deployment.example.yml")
    assert example.account is not None
    assert (example.account.billing_source, example.account.billing_lookback_days) == ("system_tables", 3)
    with pytest.raises(ConfigError, match=r"account: Value error, billing_path is required"):
        parse_config({**VALID, "account": {"billing_source": "files"}})
    with pytest.raises(ConfigError, match=r"account.billing_lookback_days"):
        parse_config({**VALID, "account": {"billing_lookback_days": -1}})


def test_workspace_prices_fall_back_sku_by_sku_and_reach_dbt_vars():
    config = yaml.safe_load(yaml.safe_dump(VALID))
    own = dict(config["workspaces"][0], organization_id="222", dbu_contract_prices={"interactive": 0.4})
    own["vm_prices"] = {"m5d.large": 0.09}
    config["workspaces"].append(own)
    config["vm_prices"] = {"i3.xlarge": 0.25}
    dbt_vars = parse_config(config).dbt_vars()

    # Only the SKU the workspace sets is its own; the models price the others at the account-wide price.
    assert dbt_vars["workspace_dbu_contract_prices"] == {"222": {"interactive": 0.4}}
    assert dbt_vars["dbu_contract_prices"]["interactive"] == 0.55
    assert dbt_vars["vm_prices"] == {"i3.xlarge": 0.25}
    assert dbt_vars["workspace_vm_prices"] == {"222": {"m5d.large": 0.09}}
    assert dbt_vars["workspace_clouds"] == {"1234567890123456": "aws", "222": "aws"}


def test_without_workspace_prices_the_price_vars_are_empty():
    dbt_vars = parse_config(VALID).dbt_vars()
    assert dbt_vars["workspace_dbu_contract_prices"] == {}
    assert dbt_vars["vm_prices"] == {}
    assert dbt_vars["workspace_vm_prices"] == {}
