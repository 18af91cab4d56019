"""`overwatch report` on the end-to-end lake, opened in headless Chromium as a reader would.

The report is written once, after the package's second build, and every test reads it. Expected totals
are summed here from the presentation views themselves, not from the analyses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from chromium import DevToolsPipe, chromium_page
from end_to_end.end_to_end_lake import SCHEMA
from overwatch.cost_summary import format_cost_summary
from overwatch.report import Report, write_report

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT = PROJECT_DIR / "target" / "report-screenshot.png"
EXTERNAL_REFERENCE = re.compile(
    r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE
)


def charted_analyses() -> list[str]:
    properties = yaml.safe_load((PROJECT_DIR / "analyses" / "_analyses.yml").read_text())
    return [entry["name"] for entry in properties["analyses"] if entry["config"]["meta"].get("chart")]


@pytest.fixture(scope="module")
def report(spark, second_build, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the end-to-end lake (tests/end_to_end/conftest.py), after its second build."""
    return write_report(spark, tmp_path_factory.mktemp("report"))


def view_rows(spark, view: str) -> list:
    return spark.table(f"{SCHEMA}_presentation.`{view}`").collect()


def expected_total_cost(spark) -> float:
    clusters = sum(float(row.total_cost or 0) for row in view_rows(spark, "cluster_cost_daily"))
    warehouses = sum(float(row.total_DBU_cost or 0) for row in view_rows(spark, "warehouseStateFact"))
    return clusters + warehouses


@pytest.fixture(scope="module")
def page(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevToolsPipe]:
    with chromium_page(tmp_path_factory.mktemp("chromium-profile")) as browser:
        browser.open(report.path.resolve().as_uri())
        browser.wait_for(
            # Every chart: a plotted chart has one .js-plotly-plot (and several .main-svg layers).
            "document.readyState === 'complete' && "
            f"document.querySelectorAll('.js-plotly-plot').length >= {len(charted_analyses())}",
            "every chart drawn",
        )
        yield browser


def test_the_report_needs_no_network(report: Report):
    text = report.path.read_text()
    assert EXTERNAL_REFERENCE.findall(text) == []
    assert "Plotly" in text  # the library itself is inlined


def test_every_analysis_is_a_chart_with_data_in_the_browser(page: DevToolsPipe):
    charts = page.evaluate(
        "Array.from(document.querySelectorAll('section[data-analysis]')).map(section => {"
        " const plot = section.querySelector('.js-plotly-plot');"
        " return {name: section.dataset.analysis,"
        "  points: plot ? plot.data.reduce((count, trace) => count + (trace.x || []).length, 0) : 0,"
        "  marks: plot ? plot.querySelectorAll('.trace .point, .trace path.js-line').length : 0}; })"
    )
    assert [chart["name"] for chart in charts] == charted_analyses()
    empty = [chart for chart in charts if chart["points"] == 0 or chart["marks"] == 0]
    assert empty == []
    page.screenshot(SCREENSHOT)
    assert SCREENSHOT.stat().st_size > 50_000


def test_the_daily_cost_chart_adds_up_to_the_presentation_views(spark, page: DevToolsPipe):
    plotted = page.evaluate(
        "document.getElementById('chart-daily_cost_by_product').data"
        ".reduce((sum, trace) => sum + trace.y.reduce((a, b) => a + b, 0), 0)"
    )
    expected = expected_total_cost(spark)
    assert expected > 0
    assert plotted == pytest.approx(expected, rel=1e-9)


def test_top_clusters_are_the_costliest_clusters_of_the_view(spark, report: Report):
    per_cluster: dict[str, float] = defaultdict(float)
    for row in view_rows(spark, "cluster_cost_daily"):
        per_cluster[row.cluster_id] += float(row.total_cost or 0)
    expected = sorted(per_cluster.values(), reverse=True)[:5]
    ranked = report.results["top_clusters_by_cost"].rows[:5]
    assert [float(row["total_cost"]) for row in ranked] == pytest.approx(expected, rel=1e-9)


def test_the_cost_summary_prints_the_total_and_the_top_fives(spark, report: Report):
    summary = format_cost_summary(report.results)
    assert f"${expected_total_cost(spark):,.2f}" in summary
    top_job = report.results["top_jobs_by_cost"].rows[0]["job_name"]
    assert f"1. {top_job}" in summary
    assert "Top five clusters by cost:" in summary
    top_saving = report.results["largest_savings"].rows[0]["finding"]
    assert f"Largest savings:\n  1. {top_saving}" in summary
