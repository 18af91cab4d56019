"""Command line: `overwatch <command>`; `overwatch <command> --help` for each."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


def _parse_until(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load(arguments: argparse.Namespace) -> int:
    from overwatch.deployment_config import load_config
    from overwatch.lakehouse import load_target, spark_session
    from overwatch.pipeline import run_loaders

    config = load_config(arguments.config)
    target = load_target(arguments.target)
    summary = run_loaders(config, target, spark_session(target), until=arguments.until)
    for failed in summary.failed:
        print(
            f"FAILED {failed.organization_id} {failed.module_name}: {failed.error_message}", file=sys.stderr
        )
    return 1 if summary.failed else 0


def _generate(arguments: argparse.Namespace) -> int:
    from overwatch.sample_workspace import generate_sample_workspace

    manifest = generate_sample_workspace(
        arguments.output,
        days=arguments.days,
        workspace_count=arguments.workspaces,
        size=arguments.size,
        seed=arguments.seed,
    )
    print(f"sample workspace written to {arguments.output} ({manifest.start_date} to {manifest.end_date})")
    return 0


def _dbt_vars(arguments: argparse.Namespace) -> int:
    from overwatch.deployment_config import load_config

    print(json.dumps(load_config(arguments.config).dbt_vars(), sort_keys=True))
    return 0


def _build(arguments: argparse.Namespace) -> int:
    from overwatch.deployment_config import load_config
    from overwatch.model_build import build_models

    config = load_config(arguments.config)
    # argparse keeps the `--` that ends overwatch's own options.
    dbt_arguments = (
        arguments.dbt_arguments[1:] if arguments.dbt_arguments[:1] == ["--"] else arguments.dbt_arguments
    )
    build = build_models(
        config.dbt_vars(until_time=arguments.until),
        target_name=arguments.target,
        extra_arguments=dbt_arguments,
        raise_on_failure=False,
    )
    print(f"dbt build: {build.describe()}")
    return 0 if build.succeeded else 1


def _demo(arguments: argparse.Namespace) -> int:
    from overwatch.demo import run_demo

    run_demo(arguments.output, days=arguments.days, workspace_count=arguments.workspaces, size=arguments.size)
    return 0


def _summary(arguments: argparse.Namespace) -> int:
    from overwatch.lakehouse import load_target, spark_session
    from overwatch.layer_summary import count_rows_per_layer, format_summary

    target = load_target(arguments.target)
    print(format_summary(count_rows_per_layer(spark_session(target), target)))
    return 0


def _report(arguments: argparse.Namespace) -> int:
    from overwatch.lakehouse import load_target, spark_session
    from overwatch.report import write_report

    target = load_target(arguments.target)
    dbt_arguments = ["--target", target.name]
    report = write_report(spark_session(target), arguments.output, dbt_arguments)
    print(f"report written to {report.path} ({len(report.results)} charts)")
    return 0


def _dbt(arguments: argparse.Namespace) -> int:
    from overwatch.dbt_runner import run_dbt

    outcome = run_dbt(arguments.dbt_arguments, raise_on_failure=False)
    if outcome.error is not None:
        # dbt logs failing nodes itself, but an error raised before any node runs (a profile or
        # project that does not parse) would otherwise end the command silently.
        print(f"dbt failed: {outcome.error}", file=sys.stderr)
    return 0 if outcome.succeeded else 1


def _add_sample_options(parser: argparse.ArgumentParser, *, days: int, workspaces: int, size: str) -> None:
    parser.add_argument(
        "--output", type=Path, default=Path(".sample"), help="folder for the sample workspace"
    )
    parser.add_argument("--days", type=int, default=days)
    parser.add_argument("--workspaces", type=int, default=workspaces)
    parser.add_argument("--size", choices=("small", "medium", "large"), default=size)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="overwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="run the bronze loaders for every configured workspace")
    load.add_argument("--config", type=Path, required=True, help="deployment config YAML")
    load.add_argument("--target", default=None, help="dbt profile target (default: the profile's)")
    load.add_argument("--until", type=_parse_until, default=None, help="load up to this UTC time (ISO 8601)")
    load.set_defaults(handler=_load)

    generate = commands.add_parser("generate", help="write a seeded sample workspace")
    _add_sample_options(generate, days=7, workspaces=2, size="small")
    generate.add_argument("--seed", type=int, default=42)
    generate.set_defaults(handler=_generate)

    dbt_vars = commands.add_parser(
        "dbt-vars", help="print the dbt vars of a deployment config as JSON (the bundle's dbt_vars variable)"
    )
    dbt_vars.add_argument("--config", type=Path, required=True, help="deployment config YAML")
    dbt_vars.set_defaults(handler=_dbt_vars)

    build = commands.add_parser(
        "build",
        help="dbt build of what new data, changed code, config or vars can change since the last "
        "successful build (everything the first time)",
    )
    build.add_argument("--config", type=Path, required=True, help="deployment config YAML (its dbt vars)")
    build.add_argument("--target", default=None, help="dbt profile target (default: the profile's)")
    build.add_argument(
        "--until", type=_parse_until, default=None, help="end of the loaded window, UTC (var until_time_ms)"
    )
    build.add_argument(
        "dbt_arguments",
        nargs=argparse.REMAINDER,
        help="dbt node selection flags for the build after --, e.g. -- --exclude-resource-type unit_test",
    )
    build.set_defaults(handler=_build)

    demo = commands.add_parser("demo", help="generate, serve, load, dbt build, docs, summary")
    _add_sample_options(demo, days=7, workspaces=2, size="medium")
    demo.set_defaults(handler=_demo)

    summary = commands.add_parser("summary", help="row counts per layer")
    summary.add_argument("--target", default=None)
    summary.set_defaults(handler=_summary)

    report = commands.add_parser(
        "report", help="write the dashboards' analyses as a static HTML report (target/report/index.html)"
    )
    report.add_argument("--target", default=None)
    report.add_argument("--output", type=Path, default=None, help="folder for index.html")
    report.set_defaults(handler=_report)

    dbt = commands.add_parser("dbt", help="run dbt in this process (shares the embedded Spark session)")
    dbt.add_argument("dbt_arguments", nargs=argparse.REMAINDER)
    dbt.set_defaults(handler=_dbt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from overwatch.deployment_config import ConfigError
    from overwatch.lakehouse import TargetError

    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except (ConfigError, TargetError) as error:
        print(f"overwatch: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
