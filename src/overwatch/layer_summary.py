"""Row counts per layer: what `overwatch summary` and the end of `make demo` print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from overwatch.lakehouse import Target

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LAYERS = ("bronze", "silver", "gold", "presentation")


@dataclass(frozen=True)
class RelationCount:
    layer: str
    name: str
    rows: int


def _relations(spark: SparkSession, schema: str) -> list[str]:
    from pyspark.errors import AnalysisException

    names: set[str] = set()
    # The Iceberg catalog lists views only under `show views`, so ask for both.
    for statement in (f"show tables in {schema}", f"show views in {schema}"):
        try:
            rows = spark.sql(statement).collect()
        except AnalysisException:
            return []
        names.update(row["tableName"] if "tableName" in row else row["viewName"] for row in rows)
    return sorted(name for name in names if not name.endswith("__dbt_tmp"))


def count_rows_per_layer(spark: SparkSession, target: Target) -> list[RelationCount]:
    counts = []
    for layer in LAYERS:
        schema = target.bronze_schema if layer == "bronze" else f"{target.schema}_{layer}"
        qualified_schema = f"`{target.catalog}`.`{schema}`" if target.catalog else f"`{schema}`"
        for name in _relations(spark, qualified_schema):
            rows = spark.table(f"{qualified_schema}.`{name}`").count()
            counts.append(RelationCount(layer, name, rows))
    return counts


def format_summary(counts: list[RelationCount]) -> str:
    width = max((len(count.name) for count in counts), default=10)
    lines = []
    for layer in LAYERS:
        in_layer = [count for count in counts if count.layer == layer]
        total = sum(count.rows for count in in_layer)
        lines.append(f"{layer} ({len(in_layer)} relations, {total:,} rows)")
        lines += [f"  {count.name:<{width}}  {count.rows:>12,}" for count in in_layer]
    return "\n".join(lines)
