"""The shipped dashboards' queries: the dbt analyses and how each one is drawn.

`analyses/_analyses.yml` names each analysis with a `meta.chart` spec. The local HTML report
(`overwatch.report`) and the AI/BI dashboard the bundle deploys (`overwatch.dashboard`) both read it,
so a new analysis appears in both by adding its SQL and one entry there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from overwatch.dbt_runner import run_dbt
from overwatch.lakehouse import project_dir

ANALYSES_FILE = Path("analyses") / "_analyses.yml"
CHART_TYPES = ("bar", "line", "scatter", "hbar")


class AnalysisSpecError(ValueError):
    """An entry of analyses/_analyses.yml cannot be drawn."""


@dataclass(frozen=True)
class ChartSpec:
    kind: str
    x: str
    y: str
    title: str
    color: str | None = None
    top: int | None = None

    @property
    def category(self) -> str:
        """The column the chart groups by: y for horizontal bars, x otherwise."""
        return self.y if self.kind == "hbar" else self.x

    @property
    def value(self) -> str:
        return self.x if self.kind == "hbar" else self.y


@dataclass(frozen=True)
class Analysis:
    name: str
    description: str
    chart: ChartSpec


def _chart(name: str, raw: dict) -> ChartSpec:
    missing = [key for key in ("type", "x", "y", "title") if key not in raw]
    if missing:
        raise AnalysisSpecError(f"analysis {name}: meta.chart lacks {', '.join(missing)}")
    if raw["type"] not in CHART_TYPES:
        raise AnalysisSpecError(f"analysis {name}: chart type {raw['type']!r} is not one of {CHART_TYPES}")
    return ChartSpec(
        kind=raw["type"],
        x=raw["x"],
        y=raw["y"],
        title=raw["title"],
        color=raw.get("color"),
        top=raw.get("top"),
    )


def shipped_analyses(project: Path | None = None) -> list[Analysis]:
    """Every analysis with a chart, in the order of analyses/_analyses.yml (the report's order)."""
    properties = yaml.safe_load(((project or project_dir()) / ANALYSES_FILE).read_text())
    analyses = []
    for entry in properties.get("analyses", []):
        chart = (entry.get("config") or {}).get("meta", {}).get("chart")
        if chart:
            analyses.append(
                Analysis(entry["name"], entry.get("description", ""), _chart(entry["name"], chart))
            )
    return analyses


def compile_analyses(dbt_arguments: list[str] | None = None) -> dict[str, str]:
    """Compile every analysis with dbt and return its SQL by analysis name. The target folder's artifacts
    are left as they are: written, this compile's manifest.json (only the analyses compiled) would replace
    the build's or the docs site's."""
    outcome = run_dbt(
        ["compile", "--select", "resource_type:analysis", "--no-write-json", *(dbt_arguments or [])]
    )
    return {result.node.name: result.node.compiled_code for result in outcome.result.results}
