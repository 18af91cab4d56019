"""`overwatch report`: the dashboards' analyses as one static HTML page, readable offline.

Each analysis of analyses/_analyses.yml is compiled by dbt, run on the lake's Spark and drawn with
Plotly; plotly.js is inlined once in the page, so the file opens without a network.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overwatch.analyses import Analysis, ChartSpec, compile_analyses, shipped_analyses
from overwatch.lakehouse import project_dir

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from pyspark.sql import SparkSession

REPORT_DIR = Path("target") / "report"
NO_VALUE = "(none)"


@dataclass(frozen=True)
class AnalysisResult:
    analysis: Analysis
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Report:
    path: Path
    results: dict[str, AnalysisResult]


def run_analyses(spark: SparkSession, dbt_arguments: list[str] | None = None) -> dict[str, AnalysisResult]:
    """Compile and run every charted analysis; rows keep the query's own order."""
    compiled = compile_analyses(dbt_arguments)
    results = {}
    for analysis in shipped_analyses():
        rows = [row.asDict() for row in spark.sql(compiled[analysis.name]).collect()]
        results[analysis.name] = AnalysisResult(analysis, rows)
    return results


def _plain(value: Any) -> Any:
    """JSON-friendly chart values: Spark returns decimals and dates."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return NO_VALUE if value is None else value


def _series(chart: ChartSpec, rows: list[dict[str, Any]]) -> dict[str, dict[Any, float]]:
    """Values summed per series and category, largest categories first (only `top` of them when set);
    rows without a value (unpriced costs) are left out."""
    series: dict[str, dict[Any, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[Any, float] = defaultdict(float)
    for row in rows:
        if row[chart.value] is None:
            continue
        name = str(_plain(row[chart.color])) if chart.color else chart.value
        category = _plain(row[chart.category])
        series[name][category] += float(row[chart.value])
        totals[category] += float(row[chart.value])
    ranked = sorted(totals, key=lambda category: -totals[category])[: chart.top]
    return {
        name: {category: points[category] for category in ranked if category in points}
        for name, points in series.items()
    }


def _trace(chart: ChartSpec, name: str, points: dict[Any, float]) -> go.BaseTraceType:
    import plotly.graph_objects as go

    categories, values = list(points), list(points.values())
    if chart.kind == "hbar":
        # Reversed so the largest bar is at the top.
        return go.Bar(
            x=values[::-1], y=[str(category) for category in categories[::-1]], orientation="h", name=name
        )
    if chart.kind == "bar":
        return go.Bar(x=categories, y=values, name=name)
    ordered = sorted(zip(categories, values, strict=True), key=lambda point: str(point[0]))
    mode = "lines+markers" if chart.kind == "line" else "markers"
    return go.Scatter(
        x=[point[0] for point in ordered], y=[point[1] for point in ordered], mode=mode, name=name
    )


def draw(result: AnalysisResult) -> go.Figure:
    import plotly.graph_objects as go

    chart = result.analysis.chart
    series = _series(chart, result.rows)
    figure = go.Figure([_trace(chart, name, points) for name, points in sorted(series.items())])
    figure.update_layout(
        title=chart.title,
        barmode="stack",
        height=420,
        margin={"l": 220 if chart.kind == "hbar" else 60, "r": 20, "t": 50, "b": 60},
        xaxis_title=chart.x,
        yaxis_title=chart.y,
        showlegend=bool(chart.color),
    )
    return figure


def _section(result: AnalysisResult) -> str:
    analysis = result.analysis
    chart_html = draw(result).to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{analysis.name}",
        config={"displaylogo": False},
    )
    return (
        f'<section data-analysis="{analysis.name}"><h2>{html.escape(analysis.chart.title)}</h2>'
        f"<p>{html.escape(analysis.description)} <code>analyses/{analysis.name}.sql</code>, "
        f"{len(result.rows)} rows.</p>{chart_html}</section>"
    )


def render_html(results: dict[str, AnalysisResult], generated_at: datetime) -> str:
    from plotly.offline import get_plotlyjs

    sections = "\n".join(_section(result) for result in results.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overwatch report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}section{{margin-bottom:2em}}</style>
<script>{get_plotlyjs()}</script></head>
<body><h1>Overwatch report</h1>
<p>Generated {generated_at:%Y-%m-%d %H:%M} UTC from the presentation views
by the dashboards' dbt analyses.</p>
{sections}
</body></html>
"""


def write_report(
    spark: SparkSession, output_dir: Path | None = None, dbt_arguments: list[str] | None = None
) -> Report:
    """Run the analyses and write <output_dir>/index.html (default target/report)."""
    results = run_analyses(spark, dbt_arguments)
    output_dir = output_dir or project_dir() / REPORT_DIR
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "index.html"
    path.write_text(render_html(results, datetime.now(UTC)), encoding="utf-8")
    return Report(path, results)
