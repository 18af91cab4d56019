"""The AI/BI (Lakeview) dashboard the bundle deploys, written from the dbt analyses.

`make dashboard` (`python -m overwatch.dashboard`) compiles the analyses and writes
dashboards/overwatch.lvdash.json: one dataset per analysis of analyses/_analyses.yml (its compiled
SQL) and one widget per chart spec, so the dashboard and the local report draw the same queries the
same way. Dataset queries name the presentation views without catalog or schema: the bundle's
dashboard resource sets both (`dataset_catalog`, `dataset_schema`) per target.
tests/test_databricks_model_configs.py fails while the file is stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from overwatch.analyses import Analysis, ChartSpec, compile_analyses, shipped_analyses
from overwatch.lakehouse import project_dir

DASHBOARD_FILE = Path("dashboards") / "overwatch.lvdash.json"
PAGE_NAME = "cost_overview"
GRID_WIDTH = 6  # Lakeview's canvas is six columns wide
WIDGET_WIDTH, WIDGET_HEIGHT = 3, 6
# A presentation view as dbt renders it on either target: [`catalog`.]`<schema>_presentation`.`view`.
PRESENTATION_VIEW = re.compile(r"(?:`[^`]+`\.)?`?\w+_presentation`?\.`?(\w+)`?")
TEMPORAL_SUFFIXES = ("_date", "_start")


def unqualified(sql: str) -> str:
    """The compiled SQL with the presentation schema (and catalog) taken off each view's name, the name
    quoted and lower-cased as dbt-databricks renders it (Unity Catalog names are lower case)."""
    return PRESENTATION_VIEW.sub(lambda match: f"`{match[1].lower()}`", sql).strip() + "\n"


def _scale(column: str) -> dict[str, str]:
    return {"type": "temporal" if column.endswith(TEMPORAL_SUFFIXES) else "categorical"}


def _encodings(chart: ChartSpec) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The widget's query fields and its encodings: the value summed, grouped by category and color."""
    value_field = f"sum({chart.value})"
    fields = [
        {"name": chart.category, "expression": f"`{chart.category}`"},
        {"name": value_field, "expression": f"SUM(`{chart.value}`)"},
    ]
    category = {"fieldName": chart.category, "scale": _scale(chart.category), "displayName": chart.category}
    value = {"fieldName": value_field, "scale": {"type": "quantitative"}, "displayName": chart.value}
    encodings: dict[str, Any] = (
        {"x": value, "y": category} if chart.kind == "hbar" else {"x": category, "y": value}
    )
    if chart.color:
        fields.append({"name": chart.color, "expression": f"`{chart.color}`"})
        encodings["color"] = {
            "fieldName": chart.color,
            "scale": {"type": "categorical"},
            "displayName": chart.color,
        }
    return fields, encodings


def _widget(analysis: Analysis, index: int) -> dict[str, Any]:
    chart = analysis.chart
    fields, encodings = _encodings(chart)
    per_row = GRID_WIDTH // WIDGET_WIDTH
    return {
        "widget": {
            "name": analysis.name,
            "queries": [
                {
                    "name": "main_query",
                    "query": {"datasetName": analysis.name, "fields": fields, "disaggregated": False},
                }
            ],
            "spec": {
                "version": 3,
                "widgetType": "bar" if chart.kind == "hbar" else chart.kind,
                "encodings": encodings,
                "frame": {
                    "showTitle": True,
                    "title": chart.title,
                    "showDescription": True,
                    "description": analysis.description,
                },
            },
        },
        "position": {
            "x": (index % per_row) * WIDGET_WIDTH,
            "y": (index // per_row) * WIDGET_HEIGHT,
            "width": WIDGET_WIDTH,
            "height": WIDGET_HEIGHT,
        },
    }


def build_dashboard(analyses: list[Analysis], compiled: dict[str, str]) -> dict[str, Any]:
    """The serialized dashboard: a dataset per analysis, a widget per chart, on one page."""
    return {
        "datasets": [
            {
                "name": analysis.name,
                "displayName": analysis.chart.title,
                "query": unqualified(compiled[analysis.name]),
            }
            for analysis in analyses
        ],
        "pages": [
            {
                "name": PAGE_NAME,
                "displayName": "Cost overview",
                "layout": [_widget(analysis, index) for index, analysis in enumerate(analyses)],
            }
        ],
    }


def render_dashboard(dashboard: dict[str, Any]) -> str:
    return json.dumps(dashboard, indent=2) + "\n"


def write_dashboard(project: Path | None = None) -> Path:
    project = project or project_dir()
    dashboard = build_dashboard(shipped_analyses(project), compile_analyses())
    path = project / DASHBOARD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dashboard(dashboard))
    return path


if __name__ == "__main__":
    print(f"wrote {write_dashboard()}")
