"""Rebuilding the PostgreSQL engine's index in bulk (rebuild_index).

The index saved one testimony at a time (PostgresSearchBackend.update)
costs a round trip per statement and keeps three GIN indexes up to date on
every row; at a million testimonies that took hours. A rebuild instead:

- prepares the documents on every core (worker processes, as the Whoosh
  rebuild does: decrypting and redacting is the costly part), each worker
  writing its batches itself, one transaction a batch, with COPY into a
  temporary table and one INSERT ... SELECT that computes the text-search
  vector in SQL from the stored folded text (the same expression as
  search.postgres.backends.document_vector, so that a row is the same
  byte for byte as the per-save path's);
- writes into a new table of the same columns, without its indexes; the
  indexes are built once at the end, then the table's statistics
  (ANALYZE);
- swaps the new table for the index in one transaction, under a lock that
  waits for the index writes under way and holds off new ones. Before the
  swap commits, the testimonies changed since the rebuild began (saved,
  consent recorded or withdrawn) are prepared again from the database as it
  is then, and those no longer indexable are deleted: a testimony withdrawn
  during a rebuild never comes back.

Readers see the old index until the swap commits, then the complete new
one: a rebuild killed at any point leaves the old index as it was (and a
half-built table, dropped by the next rebuild).
"""

import datetime
import multiprocessing
import re
import sys
import time

from django.db import connections as db_connections
from django.db import transaction
from haystack import connections

from search.documents import documents_prepare
from search.engine import NothingToResume, RebuildFailed, RebuildOutcome
from search.postgres.documents import TEXT_CONFIGS, document_row
from search.postgres.models import SearchDocument
from testimonies.models import ConsentRecord, Testimony

BATCH_SIZE = 500
BUILD_SUFFIX = "_build"
# A change made this long before the rebuild read the clock (clocks of
# other connections, transactions begun earlier) is looked at again too.
CHANGES_MARGIN_SECONDS = 60


def _table() -> str:
    return SearchDocument._meta.db_table


def build_table() -> str:
    return _table() + BUILD_SUFFIX


def _row_fields():
    """The table's fields but the vector, in the model's order."""
    fields = SearchDocument._meta.concrete_fields
    return [f for f in fields if f.name != "search_vector"]


def _columns() -> list[str]:
    return [f.column for f in _row_fields()]


def vector_sql(column: str = "analysed") -> str:
    """The SQL of document_vector() over `column` (Django's SearchVector
    compiles each configuration to this, joined by ||)."""
    return " || ".join(
        f"to_tsvector('{config}'::regconfig, COALESCE(({column})::text, ''))"
        for config in TEXT_CONFIGS
    )


def _testimony_index():
    return connections["default"].get_unified_index().get_index(Testimony)


def _backend():
    return connections["default"].get_backend()


def _row_values(row: SearchDocument) -> tuple:
    return tuple(getattr(row, f.attname) for f in _row_fields())


def write_rows(cursor, rows: list[SearchDocument], table: str) -> None:
    """COPY the rows into a temporary table, then insert them into `table`
    with their vectors computed in SQL."""
    columns = _columns()
    names = ", ".join(columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS search_rows "  # noqa: S608
        f"(LIKE {_table()}) ON COMMIT DELETE ROWS"
    )
    with cursor.copy(f"COPY search_rows ({names}) FROM STDIN") as copy:  # noqa: S608
        for row in rows:
            copy.write_row(_row_values(row))
    cursor.execute(
        f"INSERT INTO {table} ({names}, search_vector) "  # noqa: S608
        f"SELECT {names}, {vector_sql()} FROM search_rows"
    )
    cursor.execute("DELETE FROM search_rows")


def _prepared_rows(pks: list[int]) -> list[SearchDocument]:
    index = _testimony_index()
    prepared = documents_prepare(index, index.index_queryset().filter(pk__in=pks))
    return [document_row(document) for document in prepared.values()]


def _write_batch(pks: list[int]) -> int:
    """Prepare one batch's documents and write them into the build table,
    in one transaction. Returns the documents written."""
    rows = _prepared_rows(pks)
    if rows:
        with transaction.atomic(), db_connections["default"].cursor() as cursor:
            write_rows(cursor.cursor, rows, build_table())
    return len(rows)


def _worker_start():
    # A forked worker opens its own database connections.
    db_connections.close_all()


def _constraints(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY conname",
        [table],
    )
    return cursor.fetchall()


def _indexes(cursor, table: str) -> list[tuple[str, str]]:
    """The table's indexes that no constraint owns: (name, definition)."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname",
        [table],
    )
    return cursor.fetchall()


def _build_name(name: str) -> str:
    # PostgreSQL names are at most 63 bytes; the index's names are short.
    return (name + BUILD_SUFFIX)[:63]


def _build_start(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {build_table()}")
    cursor.execute(f"CREATE TABLE {build_table()} (LIKE {_table()} INCLUDING DEFAULTS)")


def _build_finish(cursor) -> None:
    """The live table's constraints and indexes on the build table, under
    names of its own (renamed at the swap), then its statistics."""
    table, build = _table(), build_table()
    for name, definition in _constraints(cursor, table):
        cursor.execute(
            f"ALTER TABLE {build} ADD CONSTRAINT {_build_name(name)} {definition}"
        )
    for name, definition in _indexes(cursor, table):
        made = re.sub(
            rf"^(CREATE (?:UNIQUE )?INDEX ){re.escape(name)} ON ((?:\w+\.)?){table} ",
            rf"\g<1>{_build_name(name)} ON \g<2>{build} ",
            definition,
        )
        if made == definition:
            raise RuntimeError(f"cannot rebuild the index {definition!r}")
        cursor.execute(made)
    cursor.execute(f"ANALYZE {build}")


def _changed_since(started) -> list[int]:
    """Testimonies saved, or whose consent was recorded, since `started`."""
    saved = Testimony.objects.filter(updated_at__gte=started).values_list(
        "pk", flat=True
    )
    consent = ConsentRecord.objects.filter(recorded_at__gte=started).values_list(
        "testimony_id", flat=True
    )
    return sorted({*saved, *consent})


def _swap(cursor, started) -> None:
    """In the caller's transaction: lock the index (waiting for the writes
    under way), bring the build table up to date with what changed since
    `started`, and put it in the index's place."""
    table, build = _table(), build_table()
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    changed = _changed_since(started)
    for start in range(0, len(changed), BATCH_SIZE):
        pks = changed[start : start + BATCH_SIZE]
        rows = _prepared_rows(pks)
        kept = {row.identifier for row in rows}
        gone = [f"{Testimony._meta.label_lower}.{pk}" for pk in pks]
        gone = [identifier for identifier in gone if identifier not in kept]
        if rows:
            cursor.execute(
                f"DELETE FROM {build} WHERE identifier = ANY(%s)",  # noqa: S608
                [sorted(kept)],
            )
            write_rows(cursor.cursor, rows, build)
        if gone:
            cursor.execute(
                f"DELETE FROM {build} WHERE identifier = ANY(%s)",  # noqa: S608
                [gone],
            )
    # Whatever else left the indexable testimonies (erased, say).
    indexable, params = (
        _testimony_index()
        .index_queryset()
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    cursor.execute(
        f"DELETE FROM {build} WHERE django_ct = %s "  # noqa: S608
        f"AND django_id NOT IN ({indexable})",
        [Testimony._meta.label_lower, *params],
    )
    # Documents of other models than testimonies: as they are.
    columns = ", ".join([*_columns(), "search_vector"])
    cursor.execute(
        f"INSERT INTO {build} ({columns}) SELECT {columns} FROM {table} "  # noqa: S608
        "WHERE django_ct <> %s ON CONFLICT DO NOTHING",
        [Testimony._meta.label_lower],
    )
    constraints = [name for name, _definition in _constraints(cursor, table)]
    indexes = [name for name, _definition in _indexes(cursor, table)]
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {build} RENAME TO {table}")
    for name in constraints:
        cursor.execute(
            f"ALTER TABLE {table} RENAME CONSTRAINT {_build_name(name)} TO {name}"
        )
    for name in indexes:
        cursor.execute(f"ALTER INDEX {_build_name(name)} RENAME TO {name}")


class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled

    def advance(self, n: int):
        self.done += n
        if self.enabled and self.total:
            sys.stderr.write(f"\r{self.done}/{self.total}")
            sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def index_rebuild(
    *, resume: bool = False, batch_size=None, workers: int = 2, progress: bool = True
) -> RebuildOutcome:
    """Rebuild the index in a new table and swap it in (see the module's
    docstring). There is nothing to resume: an interrupted rebuild left the
    old index whole, and the next one starts again."""
    if resume:
        raise NothingToResume
    database = _backend().database
    if database != "default":
        raise NotImplementedError("the bulk rebuild writes the default database")
    begun = time.monotonic()
    with db_connections["default"].cursor() as cursor:
        cursor.execute("SELECT now()")
        (started,) = cursor.fetchone()
        _build_start(cursor)
    started -= _margin()
    index = _testimony_index()
    pks = list(index.index_queryset().order_by("pk").values_list("pk", flat=True))
    size = batch_size or BATCH_SIZE
    batches = [pks[i : i + size] for i in range(0, len(pks), size)]
    bar = _Progress(len(pks), progress)
    written = 0
    try:
        if workers > 1 and len(batches) > 1:
            db_connections.close_all()  # not to be inherited by the workers
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _worker_start) as pool:
                for count, batch in zip(
                    pool.imap(_write_batch, batches), batches, strict=True
                ):
                    written += count
                    bar.advance(len(batch))
        else:
            for batch in batches:
                written += _write_batch(batch)
                bar.advance(len(batch))
        bar.close()
        with db_connections["default"].cursor() as cursor:
            _build_finish(cursor)
        with transaction.atomic(), db_connections["default"].cursor() as cursor:
            _swap(cursor, started)
    except Exception as error:
        _build_drop()
        raise RebuildFailed from error
    except BaseException:
        _build_drop()
        raise
    return RebuildOutcome(
        written=written, batches=len(batches), seconds=time.monotonic() - begun
    )


def _margin():
    return datetime.timedelta(seconds=CHANGES_MARGIN_SECONDS)


def _build_drop() -> None:
    """Drop a half-built table (the index itself is untouched)."""
    connection = db_connections["default"]
    if connection.in_atomic_block:
        return  # rolled back with the caller's transaction
    try:
        connection.close()
        with db_connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {build_table()}")
    except Exception:  # noqa: BLE001, S110 - the next rebuild drops it
        pass
