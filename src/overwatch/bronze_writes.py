"""The bronze writes of one load run: staged per table, then one merge (one commit) per table.

Loaders stage DataFrames here instead of merging them. `commit` merges each table's staged rows of every
workspace and module at once, insert-only on the table's key, in an order that keeps a run killed
half-way safe: the data tables first, then `bronze_quarantine`, then `bronze_file_tracker`; the pipeline
writes the run log after all of them. A file is thus tracked only once its rows are committed, and a
watermark advances only once every table is: a resumed run reads again whatever was not committed, and
the merges add nothing twice. Rows inserted are read from each commit's own metrics (commit_metrics), in
one query once every table has merged, with no count or emptiness check around the merge.

A loader called on its own (`load_*`, through `commit_alone`) stages into writes of its own and commits them
before it returns, so it still answers with the rows it inserted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from overwatch.bronze_tables import ALL_TABLES, FILE_TRACKER, PIPELINE_REPORT, QUARANTINE, BronzeTable
from overwatch.commit_metrics import rows_inserted_by_tables
from overwatch.lakehouse import Target
from overwatch.run_log import utc_now

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

# Written last, in this order: quarantine rows and file trackers describe rows of the data tables.
BOOKKEEPING_TABLES = (QUARANTINE, FILE_TRACKER)
# Rows of these tables are no module's output: they are not counted in the run log's rows_written.
UNCOUNTED_TABLES = frozenset(table.name for table in (*BOOKKEEPING_TABLES, PIPELINE_REPORT))
REPLACES_COLUMN = "_replaces_existing"


@dataclass(frozen=True)
class Owner:
    """Who staged rows: a workspace (or the account, "0") and one of its modules."""

    organization_id: str
    module_name: str


@dataclass
class _Staged:
    owner: Owner
    table: BronzeTable
    rows: DataFrame
    replaces: bool
    # No other row staged in the run can share a key with these (keys made of a file path and line):
    # the merge takes them as they are instead of deduplicating them.
    unique_keys: bool = False


@dataclass
class CommitResult:
    """Rows each owner's staged rows added, and the owners whose rows could not all be committed."""

    inserted: dict[Owner, int] = field(default_factory=dict)
    failures: dict[Owner, BaseException] = field(default_factory=dict)
    # Rows each committed table's merge added, whoever staged them, and whose rows it merged.
    added_by_table: dict[str, int] = field(default_factory=dict)
    owners_by_table: dict[str, set[Owner]] = field(default_factory=dict)


class HasWrites(Protocol):
    spark: SparkSession
    target: Target
    writes: BronzeWrites | None

    @property
    def organization_id(self) -> str: ...

    def report(self, message: str) -> None: ...


class BronzeWrites:
    def __init__(self, spark: SparkSession, target: Target, run_id: str) -> None:
        self._spark = spark
        self._target = target
        # Rows this run inserts carry its id: the one way to split a shared commit by organization.
        self._run_id = run_id
        self._staged: list[_Staged] = []
        self._deletes: list[tuple[Owner, BronzeTable, str]] = []
        self._cached: list[tuple[Owner, DataFrame]] = []
        self._owner: Owner | None = None

    @contextmanager
    def staging_for(self, owner: Owner) -> Iterator[None]:
        """Stage as `owner`; if staging fails, everything it staged is dropped, as if never staged."""
        self._owner = owner
        try:
            yield
        except BaseException:
            self.discard(owner)
            raise
        finally:
            self._owner = None

    def stage(
        self,
        table: BronzeTable,
        rows: DataFrame,
        *,
        replacing: Column | None = None,
        unique_keys: bool = False,
    ) -> None:
        """Rows for `table`, merged at commit on its key: a key already there is left as it is, unless
        `replacing` is true for the row, which then replaces the existing row of its key. `unique_keys`
        promises that no other row staged this run shares a key with these rows."""
        columns = [f"`{column}`" for column in table.column_names]
        if replacing is None:
            aligned = rows.selectExpr(*columns, f"false as {REPLACES_COLUMN}")
        else:
            aligned = rows.select(*columns, replacing.alias(REPLACES_COLUMN))
        owner = self._current_owner()
        self._staged.append(_Staged(owner, table, aligned, replacing is not None, unique_keys))

    def delete_unmatched(self, table: BronzeTable, condition: str) -> None:
        """At commit, delete the existing rows of `table` matching the SQL `condition` (over its columns)
        that no staged row replaces: stale rows of something read again from scratch."""
        self._deletes.append((self._current_owner(), table, condition))

    def cache(self, frame: DataFrame) -> DataFrame:
        """`frame`, cached until the commit has read it: every staged projection of it reads it once."""
        cached = frame.cache()
        self._cached.append((self._current_owner(), cached))
        return cached

    def rows_of(self, table: BronzeTable) -> DataFrame:
        """The table as this run will leave it: committed rows and the rows staged for it so far."""
        rows = self._spark.table(self._target.bronze_table(table.name))
        for staged in self._staged:
            if staged.table.name == table.name:
                rows = rows.unionByName(staged.rows.drop(REPLACES_COLUMN))
        return rows

    def discard(self, owner: Owner) -> None:
        self._staged = [staged for staged in self._staged if staged.owner != owner]
        self._deletes = [delete for delete in self._deletes if delete[0] != owner]
        for cache_owner, frame in self._cached:
            if cache_owner == owner:
                frame.unpersist()
        self._cached = [cached for cached in self._cached if cached[0] != owner]

    def commit(self, report: Callable[[str], None] = print) -> CommitResult:
        """Merge every table's staged rows in one commit per table (data tables, quarantine, tracker);
        then read what each commit added, from the commits' own metrics, in one query."""
        result = CommitResult()
        merged: dict[str, datetime] = {}
        try:
            for table in _commit_order():
                started = self._merge_table(table, result, report)
                if started is not None:
                    merged[table.name] = started
            added = rows_inserted_by_tables(
                self._spark,
                self._target,
                {self._target.bronze_table(name): at for name, at in merged.items()},
            )
            result.added_by_table = {name: added[self._target.bronze_table(name)] for name in merged}
            if merged:
                report(
                    "committed: "
                    + ", ".join(f"{name} {rows} new rows" for name, rows in result.added_by_table.items())
                )
            result.inserted = self._inserted_by_owner(result)
        finally:
            for _owner, frame in self._cached:
                frame.unpersist()
            self._staged, self._deletes, self._cached = [], [], []
        return result

    def _current_owner(self) -> Owner:
        if self._owner is None:
            raise RuntimeError("bronze rows staged outside a module: use BronzeWrites.staging_for")
        return self._owner

    def _merge_table(
        self, table: BronzeTable, result: CommitResult, report: Callable[[str], None]
    ) -> datetime | None:
        """One merge of the table's staged rows whose owners have not failed; returns when it started,
        None if there was nothing to merge or the merge failed."""
        staged = [
            item
            for item in self._staged
            if item.table.name == table.name and item.owner not in result.failures
        ]
        deletes = [
            item for item in self._deletes if item[1].name == table.name and item[0] not in result.failures
        ]
        if not staged:
            return None
        owners = {item.owner for item in staged}
        started = utc_now()
        try:
            self._run_merge(table, staged, [condition for _owner, _table, condition in deletes])
        except Exception as failure:  # the table's owners fail; every other table still commits
            report(
                f"commit {table.name}: FAILED: {str(failure).splitlines()[0] if str(failure) else failure!r}"
            )
            for owner in owners:
                result.failures.setdefault(owner, failure)
            return None
        result.owners_by_table[table.name] = owners
        report(f"commit {table.name}: merged the rows of {len(owners)} module runs")
        return started

    def _run_merge(self, table: BronzeTable, staged: list[_Staged], delete_conditions: list[str]) -> None:
        view_name = f"staged_{table.name}"
        _incoming(table, staged).createOrReplaceTempView(view_name)
        statement = merge_statement(
            self._target.bronze_table(table.name),
            view_name,
            table,
            replaces=any(item.replaces for item in staged),
            delete_conditions=delete_conditions,
        )
        try:
            self._spark.sql(statement)
        finally:
            self._spark.catalog.dropTempView(view_name)

    def _inserted_by_owner(self, result: CommitResult) -> dict[Owner, int]:
        """Each owner's rows: the commit's own count where one owner wrote the table; where several
        workspaces did, the commit's rows split by organization (one query for the whole run)."""
        inserted: dict[Owner, int] = {}
        shared: dict[str, dict[str, Owner]] = {}
        for table_name, added in result.added_by_table.items():
            if table_name in UNCOUNTED_TABLES:
                continue
            owners = result.owners_by_table[table_name]
            if len(owners) == 1:
                (owner,) = owners
                inserted[owner] = inserted.get(owner, 0) + added
            elif added:
                shared[table_name] = _owners_by_organization(table_name, owners)
            for owner in owners:
                inserted.setdefault(owner, 0)
        for (table_name, organization_id), rows in self._rows_by_organization(shared).items():
            owner = shared[table_name].get(organization_id)
            if owner is not None:
                inserted[owner] = inserted.get(owner, 0) + rows
        return inserted

    def _rows_by_organization(self, shared: dict[str, dict[str, Owner]]) -> dict[tuple[str, str], int]:
        if not shared:
            return {}
        queries = [
            f"select '{table_name}' as table_name, organization_id, count(*) as row_count "
            f"from {self._target.bronze_table(table_name)} where load_run_id = '{self._run_id}' "
            "group by organization_id"
            for table_name in shared
        ]
        rows = self._spark.sql(" union all ".join(queries)).collect()
        return {(row.table_name, row.organization_id): row.row_count for row in rows}


def _incoming(table: BronzeTable, staged: list[_Staged]) -> DataFrame:
    """The merge's source: staged rows, one per key. Rows staged with unique keys skip the dedup."""
    unique = [item.rows for item in staged if item.unique_keys]
    others = [item.rows for item in staged if not item.unique_keys]
    parts = [*unique]
    if others:
        parts.append(_one_per_key(table, _union(others)))
    return _union(parts)


def _one_per_key(table: BronzeTable, rows: DataFrame) -> DataFrame:
    """One row of each key, whichever. Numbered within each key rather than aggregated: an aggregate over
    map columns sorts twice around its shuffle. Shuffled by the table's partition column where it has
    one among its keys, which also clusters the rows as the partitioned write wants them: one shuffle for
    both."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = list(table.key_columns)
    partition_column = table.partition_column
    clustered = rows.repartition(partition_column) if partition_column in keys else rows
    numbered = clustered.withColumn(
        "_row_of_key", F.row_number().over(Window.partitionBy(*keys).orderBy(*keys))
    )
    return numbered.where("_row_of_key = 1").drop("_row_of_key")


def _union(frames: list[DataFrame]) -> DataFrame:
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return union


def _owners_by_organization(table_name: str, owners: set[Owner]) -> dict[str, Owner]:
    by_organization = {owner.organization_id: owner for owner in owners}
    if len(by_organization) != len(owners):
        raise RuntimeError(f"{table_name}: two modules of one organization wrote it in one run")
    return by_organization


def _commit_order() -> list[BronzeTable]:
    data_tables = [table for table in ALL_TABLES if table.name not in UNCOUNTED_TABLES]
    return [*data_tables, *BOOKKEEPING_TABLES]


def merge_statement(
    qualified_table: str,
    source_view: str,
    table: BronzeTable,
    *,
    replaces: bool = False,
    delete_conditions: list[str] | tuple[str, ...] = (),
) -> str:
    """`merge ... when not matched then insert` on the table's key; rows flagged to replace update their
    key's row, and existing rows matching a delete condition that nothing replaced are deleted."""
    columns = table.column_names
    match = " and ".join(f"existing.`{column}` <=> incoming.`{column}`" for column in table.key_columns)
    clauses = []
    if replaces:
        assignments = ", ".join(f"`{column}` = incoming.`{column}`" for column in columns)
        clauses.append(f"when matched and incoming.{REPLACES_COLUMN} then update set {assignments}")
    column_list = ", ".join(f"`{column}`" for column in columns)
    values = ", ".join(f"incoming.`{column}`" for column in columns)
    clauses.append(f"when not matched then insert ({column_list}) values ({values})")
    if delete_conditions:
        condition = " or ".join(f"({condition})" for condition in delete_conditions)
        clauses.append(f"when not matched by source and ({condition}) then delete")
    return f"merge into {qualified_table} as existing using {source_view} as incoming on {match} " + " ".join(
        clauses
    )


def commit_alone(context: HasWrites, stage: Callable[..., None], *args: Any, **kwargs: Any) -> int:
    """Run a staging loader on its own: stage its rows into writes of this call, commit them (one merge
    per table) and return the rows they added to the data tables. A commit's error is raised."""
    writes = BronzeWrites(context.spark, context.target, context.run_id)
    owner = Owner(context.organization_id, getattr(stage, "__name__", "loader"))
    previous, context.writes = context.writes, writes
    try:
        with writes.staging_for(owner):
            stage(context, *args, **kwargs)
        result = writes.commit(context.report)
    finally:
        context.writes = previous
    if owner in result.failures:
        raise result.failures[owner]
    return result.inserted.get(owner, 0)


def staged_writes(context: HasWrites) -> BronzeWrites:
    """The writes a loader stages into: its run's, or its own when called alone (`commit_alone`)."""
    if context.writes is None:
        raise RuntimeError("a staging loader needs writes to stage into: call its load_* function instead")
    return context.writes
