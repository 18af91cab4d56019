"""Row-for-row comparison of two Spark tables, for tests that hold two builds to one result.

Rows are compared as multisets (EXCEPT ALL both ways): order never counts, a repeated row does. Two
things that are not part of what a table holds are normalised first:
- a map's entries are compared in key order, since a map keeps the order it was built in;
- doubles and floats are compared at 10 significant digits, since a sum of doubles depends on the order
  Spark adds the partial sums of its partitions in, which differs from one build to the next (the
  last bits of a cost); no figure the models compute means anything at that precision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, DoubleType, FloatType, MapType, StructType

SIGNIFICANT_DIGITS = 10
EXAMPLE_ROWS = 3


@dataclass(frozen=True)
class TableDifference:
    """How `left` and `right` differ: their columns, or the rows each has that the other lacks."""

    left: str
    right: str
    schema_difference: str | None = None
    only_in_left: int = 0
    only_in_right: int = 0
    left_examples: tuple[Row, ...] = ()
    right_examples: tuple[Row, ...] = ()

    def describe(self) -> str:
        if self.schema_difference:
            return f"{self.left} vs {self.right}: {self.schema_difference}"
        lines = [
            f"{self.left}: {self.only_in_left} rows not in {self.right}, "
            f"which has {self.only_in_right} rows not in it"
        ]
        lines += [f"  only in {self.left}: {row}" for row in self.left_examples]
        lines += [f"  only in {self.right}: {row}" for row in self.right_examples]
        return "\n".join(lines)


def comparable(column: Column, data_type: DataType) -> Column:
    """`column` in a form whose equality is equality of content (see the module docstring)."""
    if isinstance(data_type, (DoubleType, FloatType)):
        return F.format_string(f"%.{SIGNIFICANT_DIGITS - 1}e", column)
    if isinstance(data_type, MapType):
        entries = F.transform(
            F.map_entries(column),
            lambda entry: F.struct(
                comparable(entry["key"], data_type.keyType).alias("key"),
                comparable(entry["value"], data_type.valueType).alias("value"),
            ),
        )
        return F.array_sort(entries)
    if isinstance(data_type, ArrayType):
        return F.transform(column, lambda element: comparable(element, data_type.elementType))
    if isinstance(data_type, StructType):
        fields = [comparable(column[field.name], field.dataType).alias(field.name) for field in data_type]
        # struct() of a null struct is a struct of nulls: keep the null.
        return F.when(column.isNull(), F.lit(None)).otherwise(F.struct(*fields))
    return column


def comparable_frame(frame: DataFrame, excluded_columns: Iterable[str] = ()) -> DataFrame:
    excluded = {name.lower() for name in excluded_columns}
    return frame.select(
        *[
            comparable(F.col(f"`{field.name}`"), field.dataType).alias(field.name)
            for field in frame.schema
            if field.name.lower() not in excluded
        ]
    )


def _column_types(frame: DataFrame, excluded_columns: Iterable[str]) -> dict[str, str]:
    excluded = {name.lower() for name in excluded_columns}
    return {
        field.name.lower(): field.dataType.simpleString()
        for field in frame.schema
        if field.name.lower() not in excluded
    }


def table_difference(
    spark: SparkSession, left: str, right: str, excluded_columns: Iterable[str] = ()
) -> TableDifference | None:
    """None when tables `left` and `right` hold the same rows, each as often; else how they differ."""
    excluded = tuple(excluded_columns)
    left_frame, right_frame = spark.table(left), spark.table(right)
    left_types, right_types = _column_types(left_frame, excluded), _column_types(right_frame, excluded)
    if left_types != right_types:
        mismatched = sorted(
            f"{name}: {left_types.get(name)} vs {right_types.get(name)}"
            for name in left_types.keys() | right_types.keys()
            if left_types.get(name) != right_types.get(name)
        )
        return TableDifference(left, right, schema_difference="columns differ: " + "; ".join(mismatched))
    left_rows = comparable_frame(left_frame, excluded)
    # Same columns by name, in the left table's order.
    right_rows = comparable_frame(right_frame, excluded).select(*left_rows.columns)
    only_in_left, only_in_right = left_rows.exceptAll(right_rows), right_rows.exceptAll(left_rows)
    counts = {
        row.side: row["count"]
        for row in only_in_left.select(F.lit("left").alias("side"))
        .unionByName(only_in_right.select(F.lit("right").alias("side")))
        .groupBy("side")
        .count()
        .collect()
    }
    if not counts:
        return None
    return TableDifference(
        left,
        right,
        only_in_left=counts.get("left", 0),
        only_in_right=counts.get("right", 0),
        left_examples=_first_rows(only_in_left),
        right_examples=_first_rows(only_in_right),
    )


def _first_rows(rows: DataFrame) -> tuple[Row, ...]:
    # In column order, which starts with the key in every model: each side's examples then tend to be
    # the two versions of one row.
    return tuple(rows.orderBy(*rows.columns).limit(EXAMPLE_ROWS).collect())
