"""The row-for-row table comparison (tests/table_equality.py) on small hand-made Iceberg tables."""

from __future__ import annotations

import pytest

from table_equality import table_difference

SCHEMA = "t_table_equality"
FLAT_COLUMNS = "run_id bigint, tags map<string, string>, cost double"
COLUMNS = f"{FLAT_COLUMNS}, detail struct<state: string, sizes: map<string, int>>"


@pytest.fixture(scope="module")
def tables(spark):
    """Create each table from `values` rows; returns its full name."""
    spark.sql(f"create namespace if not exists {SCHEMA}")

    def create(name: str, rows: list[str], columns: str = COLUMNS) -> str:
        table = f"{SCHEMA}.{name}"
        spark.sql(f"drop table if exists {table}")
        spark.sql(f"create table {table} ({columns}) using iceberg")
        spark.sql(f"insert into {table} values {', '.join(rows)}")
        return table

    return create


ROW_1 = (
    "(1, map('team', 'a', 'env', 'p'), 0.1d + 0.2d,"
    " named_struct('state', 'RUN', 'sizes', map('x', 1, 'z', 2)))"
)
ROW_2 = "(2, null, 3.5, null)"
# ROW_1's content, its maps built in the other key order, its cost as 0.3 (0.1 + 0.2 is 0.30000000000000004).
ROW_1_REORDERED = (
    "(1, map('env', 'p', 'team', 'a'), 0.3d, named_struct('state', 'RUN', 'sizes', map('z', 2, 'x', 1)))"
)


def test_the_same_rows_in_another_order_are_equal(spark, tables):
    left = tables("same_left", [ROW_1, ROW_2])
    right = tables("same_right", [ROW_2, ROW_1_REORDERED])
    # The stored maps and costs really differ in order and last bits: only the comparison makes them equal.
    stored = [
        spark.sql(
            f"select to_json(tags) as tags, to_json(detail) as detail, cost from {table} where run_id = 1"
        )
        .first()
        .asDict()
        for table in (left, right)
    ]
    assert [row["tags"] for row in stored] == ['{"team":"a","env":"p"}', '{"env":"p","team":"a"}']
    assert stored[0]["detail"] != stored[1]["detail"]
    assert [row["cost"] for row in stored] == [0.30000000000000004, 0.3]

    assert table_difference(spark, left, right) is None


def test_a_changed_value_is_reported_with_its_rows(spark, tables):
    left = tables("changed_left", [ROW_1, ROW_2])
    # The eighth significant digit: well within the precision compared.
    right = tables("changed_right", [ROW_1, "(2, null, 3.5000001d, null)"])

    difference = table_difference(spark, left, right)

    assert (difference.only_in_left, difference.only_in_right) == (1, 1)
    assert [(row.run_id, row.cost) for row in difference.left_examples] == [(2, "3.500000000e+00")]
    assert [(row.run_id, row.cost) for row in difference.right_examples] == [(2, "3.500000100e+00")]
    assert "1 rows not in" in difference.describe()


def test_sums_either_side_of_a_rounding_boundary_of_the_10th_digit_are_equal(spark, tables):
    """Two orders of one sum can differ in their last bits and so round to neighbouring 10th digits."""
    left = tables("boundary_left", [ROW_2, "(3, null, 162.027983549d, null)"])
    right = tables("boundary_right", [ROW_2, "(3, null, 162.027983551d, null)"])
    other = tables("boundary_other", [ROW_2, "(3, null, 162.0279837d, null)"])

    assert table_difference(spark, left, right) is None
    # Two units of the 10th digit apart (…835 against …837) is a real difference.
    difference = table_difference(spark, left, other)
    assert (difference.only_in_left, difference.only_in_right) == (1, 1)
    assert [row.cost for row in difference.right_examples] == ["1.620279837e+02"]


def test_a_row_repeated_on_one_side_only_is_reported(spark, tables):
    left = tables("repeated_left", [ROW_1, ROW_2, ROW_2])
    right = tables("repeated_right", [ROW_1, ROW_2])

    difference = table_difference(spark, left, right)

    assert (difference.only_in_left, difference.only_in_right) == (1, 0)


def test_a_null_struct_differs_from_a_struct_of_nulls(spark, tables):
    left = tables("null_struct_left", [ROW_2])
    right = tables("null_struct_right", ["(2, null, 3.5, named_struct('state', null, 'sizes', null))"])

    assert table_difference(spark, left, right).only_in_left == 1


def test_other_columns_are_reported_before_any_row(spark, tables):
    left = tables("columns_left", [ROW_2])
    right = tables("columns_right", ["(2, null, 3.5)"], columns=FLAT_COLUMNS)

    difference = table_difference(spark, left, right)

    assert difference.schema_difference.startswith("columns differ: detail: struct<")
    assert difference.schema_difference.endswith(" vs None")


def test_an_excluded_column_is_left_out_of_the_comparison(spark, tables):
    left = tables("excluded_left", [ROW_2])
    right = tables("excluded_right", ["(2, null, 3.5, named_struct('state', 'RUN', 'sizes', null))"])

    assert table_difference(spark, left, right) is not None
    assert table_difference(spark, left, right, excluded_columns=["DETAIL"]) is None
