"""The cost summary `make demo` ends with, read from the report's analysis results.

The total comes from `daily_cost_by_product`; each ranked list is the head of an analysis, labelled and
valued by the columns its chart draws. A project without one of these analyses gets a line saying so
instead of a failure.
"""

from __future__ import annotations

from overwatch.report import AnalysisResult

TOTAL_ANALYSIS = "daily_cost_by_product"
RANKED_LISTS = (
    ("top_clusters_by_cost", "Top five clusters by cost"),
    ("top_jobs_by_cost", "Top five jobs by cost"),
    ("largest_savings", "Largest savings"),
)
RANKED_LENGTH = 5


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _total(result: AnalysisResult) -> list[str]:
    chart = result.analysis.chart
    costs = [float(row[chart.y]) for row in result.rows if row[chart.y] is not None]
    days = sorted({row[chart.x] for row in result.rows})
    period = f"{days[0]} to {days[-1]}" if days else "no days"
    unpriced = len(result.rows) - len(costs)
    note = f" ({unpriced} unpriced rows left out)" if unpriced else ""
    return [f"Total cost, {period}: {_money(sum(costs))}{note}"]


def _ranked(heading: str, result: AnalysisResult) -> list[str]:
    chart = result.analysis.chart
    lines = [f"{heading}:"]
    for rank, row in enumerate(result.rows[:RANKED_LENGTH], start=1):
        value = row[chart.value]
        shown = "unpriced" if value is None else _money(float(value))
        lines.append(f"  {rank}. {row[chart.category]}  {shown}")
    return lines


def format_cost_summary(results: dict[str, AnalysisResult]) -> str:
    lines = _total(results[TOTAL_ANALYSIS]) if TOTAL_ANALYSIS in results else []
    for name, heading in RANKED_LISTS:
        if name in results:
            lines += _ranked(heading, results[name])
        else:
            lines.append(f"{heading}: no `{name}` analysis in this project yet")
    return "\n".join(lines)
