"""A corpus grown by copying, for the search benchmark at sizes the import
path cannot reach in the time at hand (`search_bench.py --grown-from N`).

This is not a way to write testimonies. It copies, in SQL, inside
PostgreSQL, the rows the one import path (testimonies_import, through
generate_corpus) and the index's rebuild already wrote for the first N
testimonies of a corpus, until the corpus holds M: each copy is its
source's testimony row, consent records, place, community and event-type
links and search document, under a fresh primary key and a fresh public id
(drawn by the model's own functions: unguessable, as every public id), with
the external id of the corpus's own numbering (generator.external_id: copy
number k*N + n of source n), so that generate_corpus counts it as existing.
Facets, dates, consent and status are the source's.

So a benchmark on a grown corpus measures the search at M documents, while
its testimonies repeat the first N's texts: every term's frequency is
multiplied by M/N, as the Zipf draw from fixed word lists would give
anyway, and ties in ranking are more frequent than in a drawn corpus.

What is not copied, and why:

- the witness: a copy is another testimony of its source's witness (the
  corpus already has witnesses with several). The pseudonym is part of the
  document's text, its vector and the digest of its sources that every
  search compares with the database; a new witness would need each
  document prepared again, which means opening the sealed text. No identity
  is copied, opened or moved: nothing is decrypted here.
- the sealed content is copied as it is (the search compares its bytes):
  it stays bound to its source's row (the vault's associated data), so a
  copy's full text does not open. Copies can be searched, counted, listed
  and withdrawn, not read in full, and `rebuild_index` cannot prepare them:
  rebuild at N, then grow.
- audit entries: a copy is not an act of the archive. `verify_audit`
  therefore reports the copies' consent records as sealed by no entry,
  which is the truth.

Any other row hanging off a source testimony (an attachment, a review, an
incident link, a note...) stops the copy rather than being left behind.
Runs on PostgreSQL only.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction

from bench.corpus.generator import external_id
from search.postgres.models import SearchDocument
from testimonies.core.keys import random_key
from testimonies.core.models import new_public_id
from testimonies.models import ConsentRecord, Testimony

# Relations of a testimony whose rows are copied with it.
COPIED = {ConsentRecord}
M2M = ("places", "communities", "event_types")
DOCUMENT_PREFIX = "testimonies.testimony."


@dataclass
class GrowResult:
    created: int
    skipped: int
    documents: int
    seconds: float


def _columns(model, *, leave_out: set[str]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in leave_out]


def _sources(count: int, seed: int) -> dict[int, int]:
    """{number: pk} of testimonies 0..count-1 of corpus `seed`."""
    prefix = f"synthetic-{seed}-"
    found = {}
    rows = Testimony.objects.filter(external_id__startswith=prefix).values_list(
        "external_id", "pk"
    )
    for external, pk in rows.iterator(10000):
        number = int(external.removeprefix(prefix))
        if number < count:
            found[number] = pk
    missing = count - len(found)
    if missing:
        raise ValueError(
            f"{missing} of the first {count} testimonies of seed {seed} are "
            "missing: generate them first (generate_corpus)"
        )
    return found


def _refuse_uncopied(pks: list[int]) -> None:
    """Stop if a source has rows this copy would leave behind."""
    for relation in Testimony._meta.related_objects:
        model = relation.related_model
        if model in COPIED:
            continue
        field = relation.field.name
        if model._base_manager.filter(**{f"{field}__in": pks}).exists():
            raise ValueError(
                f"{model._meta.label} rows hang off the source testimonies: "
                "this copy does not know how to copy them"
            )


def _documents_missing(cursor, pks: list[int]) -> int:
    """Indexable sources without their search document (rebuild first)."""
    indexable = set(
        Testimony.objects.indexable()
        .filter(pk__in=pks)
        .values_list("pk", flat=True)
        .iterator(10000)
    )
    cursor.execute(
        f"SELECT django_id FROM {SearchDocument._meta.db_table} "  # noqa: S608
        "WHERE django_ct = 'testimonies.testimony'"
    )
    indexed = {pk for (pk,) in cursor.fetchall()}
    return len(indexable - indexed)


def _loose_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint:
    dropped for the load and built again after it, as a bulk load should."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint "
        "WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    return cursor.fetchall()


def _copy_map(cursor, plan: list[tuple[int, int]], seed: int) -> None:
    """The temporary table of copies: source pk, then the copy's pk, public
    id and external id."""
    cursor.execute(
        "CREATE TEMPORARY TABLE corpus_copy (source bigint NOT NULL, "
        "id bigint NOT NULL, public_id varchar(20) NOT NULL, "
        "external_id varchar(100) NOT NULL) ON COMMIT DROP"
    )
    with cursor.cursor.copy(
        "COPY corpus_copy (source, id, public_id, external_id) FROM STDIN"
    ) as copy:
        for source, number in plan:
            copy.write_row(
                (source, random_key(), new_public_id(), external_id(seed, number))
            )
    cursor.execute("CREATE INDEX ON corpus_copy (source)")
    cursor.execute("ANALYZE corpus_copy")


def _insert_testimonies(cursor) -> None:
    table = Testimony._meta.db_table
    kept = _columns(Testimony, leave_out={"id", "public_id", "external_id"})
    names = ", ".join(kept)
    copied = ", ".join(f"t.{c}" for c in kept)
    cursor.execute(
        f"INSERT INTO {table} (id, public_id, external_id, {names}) "  # noqa: S608
        f"SELECT c.id, c.public_id, c.external_id, {copied} "
        f"FROM corpus_copy c JOIN {table} t ON t.id = c.source"
    )


def _insert_children(cursor) -> None:
    consent = ConsentRecord._meta.db_table
    kept = _columns(ConsentRecord, leave_out={"id", "testimony_id"})
    names = ", ".join(kept)
    copied = ", ".join(f"r.{c}" for c in kept)
    # In the source's order: the latest record stays the current consent.
    cursor.execute(
        f"INSERT INTO {consent} (testimony_id, {names}) "  # noqa: S608
        f"SELECT c.id, {copied} FROM corpus_copy c "
        f"JOIN {consent} r ON r.testimony_id = c.source ORDER BY c.id, r.id"
    )
    for name in M2M:
        through = Testimony._meta.get_field(name).remote_field.through
        link = through._meta.db_table
        other = [
            f.column
            for f in through._meta.concrete_fields
            if f.column not in {"id", "testimony_id"}
        ]
        (column,) = other
        cursor.execute(
            f"INSERT INTO {link} (testimony_id, {column}) "  # noqa: S608
            f"SELECT c.id, l.{column} FROM corpus_copy c "
            f"JOIN {link} l ON l.testimony_id = c.source"
        )


def _insert_documents(cursor) -> int:
    table = SearchDocument._meta.db_table
    kept = _columns(SearchDocument, leave_out={"identifier", "django_id", "public_id"})
    names = ", ".join(kept)
    copied = ", ".join(f"d.{c}" for c in kept)
    cursor.execute(
        f"INSERT INTO {table} (identifier, django_id, public_id, {names}) "  # noqa: S608
        f"SELECT %s || c.id, c.id, c.public_id, {copied} FROM corpus_copy c "
        f"JOIN {table} d ON d.django_ct = 'testimonies.testimony' "
        "AND d.django_id = c.source",
        [DOCUMENT_PREFIX],
    )
    return cursor.rowcount


def corpus_grow(
    *, source_count: int, count: int, seed: int = 1, progress=print
) -> GrowResult:
    """Grow corpus `seed` from its first `source_count` testimonies to
    `count`, by copying (see the module's docstring: a benchmark's step,
    never the archive's). Copies that exist are kept. In one transaction,
    the search table's loose indexes dropped and built again; then the
    statistics of every table written (VACUUM ANALYZE, or ANALYZE inside a
    transaction)."""
    if connection.vendor != "postgresql":
        raise ValueError("a corpus is grown on PostgreSQL only")
    if not 0 < source_count <= count:
        raise ValueError("the sources must be at least one and at most the count")
    started = time.monotonic()
    sources = _sources(source_count, seed)
    prefix = f"synthetic-{seed}-"
    existing = {
        int(e.removeprefix(prefix))
        for e in Testimony.objects.filter(external_id__startswith=prefix)
        .values_list("external_id", flat=True)
        .iterator(10000)
    }
    plan = [
        (sources[number % source_count], number)
        for number in range(source_count, count)
        if number not in existing
    ]
    skipped = count - source_count - len(plan)
    documents = 0
    if plan:
        pks = list(sources.values())
        _refuse_uncopied(pks)
        table = SearchDocument._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            missing = _documents_missing(cursor, pks)
            if missing:
                raise ValueError(
                    f"{missing} indexable sources have no search document: "
                    f"rebuild the index at {source_count} first"
                )
            progress(f"copying {len(plan)} testimonies from {source_count}")
            _copy_map(cursor, plan, seed)
            _insert_testimonies(cursor)
            _insert_children(cursor)
            indexes = _loose_indexes(cursor, table)
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            documents = _insert_documents(cursor)
            progress(f"{documents} search documents copied; indexes built again")
            for _name, definition in indexes:
                cursor.execute(definition)
    _statistics()
    return GrowResult(
        created=len(plan),
        skipped=skipped,
        documents=documents,
        seconds=time.monotonic() - started,
    )


def _statistics() -> None:
    tables = [
        Testimony._meta.db_table,
        ConsentRecord._meta.db_table,
        SearchDocument._meta.db_table,
        *(
            Testimony._meta.get_field(name).remote_field.through._meta.db_table
            for name in M2M
        ),
    ]
    # VACUUM cannot run in a transaction (a test's): ANALYZE then.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")
