"""Row-for-row comparison of two Spark tables, for tests that hold two builds to one result.

Rows are compared as multisets (EXCEPT ALL both ways): order never counts, a repeated row does. Two
things that are not part of what a table holds are normalised first:
- a map's entries are compared in key order, since a map keeps the order it was built in;
- doubles and floats are compared at 10 significant digits, since a sum of doubles depends on the order
  Spark adds the partial sums of its partitions in, which differs from one build to the next (the
  last bits of a cost); no figure the models compute means anything at that precision.
  Rounding alone cannot hold that line: two sums a few ulps apart round to different 10th digits when
  they straddle a rounding boundary (193.95000514999 against 193.95000515001). So the rows left over on each
  side are paired once more, a top-level double matching within one unit of its 10th digit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, DoubleType, FloatType, MapType, StructType

SIGNIFICANT_DIGITS = 10
# Left-over rows beyond this many per side are reported without the second pairing.
MOST_ROWS_PAIRED = 10_000
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
    if max(counts.values()) <= MOST_ROWS_PAIRED:
        float_columns = [
            name
            for name in left_rows.columns
            if isinstance(left_frame.schema[name].dataType, (DoubleType, FloatType))
        ]
        unpaired_left, unpaired_right = unpaired_rows(
            only_in_left.collect(), only_in_right.collect(), float_columns
        )
        if not unpaired_left and not unpaired_right:
            return None
        counts = {"left": len(unpaired_left), "right": len(unpaired_right)}
        left_examples, right_examples = (
            tuple(sorted(rows, key=_sort_key)[:EXAMPLE_ROWS]) for rows in (unpaired_left, unpaired_right)
        )
    else:
        left_examples, right_examples = _first_rows(only_in_left), _first_rows(only_in_right)
    return TableDifference(
        left,
        right,
        only_in_left=counts.get("left", 0),
        only_in_right=counts.get("right", 0),
        left_examples=left_examples,
        right_examples=right_examples,
    )


def unpaired_rows(
    left_rows: list[Row], right_rows: list[Row], float_columns: list[str]
) -> tuple[list[Row], list[Row]]:
    """The rows of each side no row of the other side matches: equal in every column but `float_columns`
    (formatted by `comparable`), and within one unit of the 10th significant digit in those."""
    floats = set(float_columns)
    right_by_rest: dict[tuple, list[Row]] = defaultdict(list)
    for row in right_rows:
        right_by_rest[_rest(row, floats)].append(row)
    unpaired_left = []
    for row in left_rows:
        candidates = right_by_rest[_rest(row, floats)]
        match = next((other for other in candidates if _floats_close(row, other, float_columns)), None)
        if match is None:
            unpaired_left.append(row)
        else:
            candidates.remove(match)
    return unpaired_left, [row for rows in right_by_rest.values() for row in rows]


def _rest(row: Row, floats: set[str]) -> tuple[str, ...]:
    # repr: arrays and structs come back as lists and Rows, which a dict key cannot hold.
    return tuple(repr(value) for name, value in row.asDict().items() if name not in floats)


def _floats_close(left: Row, right: Row, float_columns: list[str]) -> bool:
    return all(_within_last_digit(left[name], right[name]) for name in float_columns)


def _within_last_digit(left: str | None, right: str | None) -> bool:
    """Whether two doubles formatted as `d.ddddddddde+XX` are at most one unit of their last digit apart."""
    if left is None or right is None or "e" not in left or "e" not in right:
        return left == right  # nulls, NaN and infinities match only themselves
    exponent = max(int(left.split("e")[1]), int(right.split("e")[1]))
    last_digit = 10.0 ** (exponent - (SIGNIFICANT_DIGITS - 1))
    # 1.5 units: one unit, and room for the binary error of parsing the two strings back.
    return abs(float(left) - float(right)) <= 1.5 * last_digit


def _sort_key(row: Row) -> tuple:
    return tuple((value is None, str(value)) for value in row)


def _first_rows(rows: DataFrame) -> tuple[Row, ...]:
    # In column order, which starts with the key in every model: each side's examples then tend to be
    # the two versions of one row.
    return tuple(rows.orderBy(*rows.columns).limit(EXAMPLE_ROWS).collect())
