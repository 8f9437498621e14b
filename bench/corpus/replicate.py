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

Each witness of the sources gets one new witness per round of copies (k):
a fresh key, a pseudonym derived as the archive derives one (keyed, from
the new key; the first free one), no witness key, and its source's sealed
identity copied as it is. The copies of a witness's testimonies in a round
share it, as their sources share theirs. A witness of its own matters: a
save of a source re-indexes every testimony of its witness, and would
otherwise reach the copies (which cannot be prepared, see below).

A copy's search document is its source's with that pseudonym in place of
the source's (the redacted texts name the witness by it too): in the
stored text, in the folded words and in the vector (the lexeme renamed
where each pseudonym's code is a lexeme of its own under both text-search
configurations, else the vector computed again with the engine's
expression), and the digest of its sources computed in SQL as
search.documents.sources_digest computes it (checked against every
source's first). So a search compares a copy with the database and finds
it current, as a rebuilt document would be. A source the index refused
(a word that may be a name, waiting for a decision) is copied without a
document, as it stands.

So a benchmark on a grown corpus measures the search at M documents, while
its testimonies repeat the first N's texts: every term's frequency is
multiplied by M/N, as the Zipf draw from fixed word lists would give
anyway, and ties in ranking are more frequent than in a drawn corpus.

Nothing is decrypted here, and no identity leaves the sealed columns. The
sealed values (the testimony's text, the witness's identity) are copied as
ciphertext; bound to their source's row and witness (the vault's
associated data) and with no data key for the new witness, they do not
open on the copy. Copies can be searched, counted, listed and withdrawn
wholly, not read in full, generalised or partly withdrawn, and
`rebuild_index` cannot prepare them: rebuild at N, then grow. Audit entries
are not copied either (a copy is not an act of the archive):
`verify_audit` reports the copies' consent records as sealed by no entry,
which is the truth.

Any other row hanging off a source testimony or witness (an attachment, a
review, an incident link, a note...) stops the copy rather than being left
behind. Runs on PostgreSQL only.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction

from bench.corpus.generator import external_id
from search.postgres.analysis import engine_text
from search.postgres.models import SearchDocument
from search.postgres.rebuild import vector_sql
from testimonies.core.keys import random_key
from testimonies.core.models import new_public_id
from testimonies.models import ConsentRecord, Testimony, Witness, WitnessIdentity
from testimonies.witnesses.pseudonyms import pseudonym_derive, pseudonym_source

# Relations whose rows are copied with a testimony, or with a witness.
COPIED = {ConsentRecord, Testimony, WitnessIdentity}
M2M = ("places", "communities", "event_types")
DOCUMENT_PREFIX = "testimonies.testimony."
# search.documents.sources_digest in SQL: each value as bytes ("b" and
# the bytes, "s" and the text, "-" for None), its length before it in 8
# bytes (big-endian), SHA-256 over them all, the first 32 hex digits.
DIGEST_FUNCTIONS = [
    "CREATE FUNCTION pg_temp.digest_part(value bytea) RETURNS bytea "
    "LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT int8send(length(value)::bigint) || value $$",
    "CREATE FUNCTION pg_temp.digest_bytes(value bytea) RETURNS bytea "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT pg_temp.digest_part(CASE WHEN value "
    "IS NULL THEN '-'::bytea ELSE 'b'::bytea || value END) $$",
    "CREATE FUNCTION pg_temp.digest_text(value text) RETURNS bytea "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT pg_temp.digest_part(CASE WHEN value "
    "IS NULL THEN '-'::bytea ELSE 's'::bytea || convert_to(value, 'UTF8') END) $$",
]


def _digest_sql(testimony: str, identity: str, pseudonym: str) -> str:
    """search.documents.testimony_sources_digest of the testimony row
    `testimony`, the identity row `identity` (NULL: none) and `pseudonym`."""
    dates = ("recorded_on", "incident_start", "incident_end")
    parts = [
        f"pg_temp.digest_bytes({testimony}.sealed_content)",
        f"pg_temp.digest_bytes({identity}.sealed)",
        f"pg_temp.digest_text({pseudonym})",
        f"pg_temp.digest_text({testimony}.language)",
        *(
            f"pg_temp.digest_text(to_char({testimony}.{d}, 'YYYY-MM-DD'))"
            for d in dates
        ),
        f"pg_temp.digest_text({testimony}.incident_precision)",
        f"pg_temp.digest_text({testimony}.public_place_levels_up::text)",
        f"pg_temp.digest_text({testimony}.public_date_precision)",
    ]
    return f"left(encode(sha256({' || '.join(parts)}), 'hex'), 32)"


@dataclass
class GrowResult:
    created: int
    skipped: int
    witnesses: int
    documents: int
    vectors_computed: int
    seconds: float


def _copied_columns(model, alias: str, *, leave_out: set[str]) -> tuple[str, str]:
    """The columns a copy takes as they are from its source: their names,
    and the same read from the source row `alias`."""
    kept = [f.column for f in model._meta.concrete_fields if f.column not in leave_out]
    return ", ".join(kept), ", ".join(f"{alias}.{column}" for column in kept)


def _table(model) -> str:
    return model._meta.db_table


def _sources(count: int, seed: int) -> dict[int, tuple[int, int]]:
    """{number: (pk, witness pk)} of testimonies 0..count-1 of corpus `seed`."""
    prefix = f"synthetic-{seed}-"
    found = {}
    rows = Testimony.objects.filter(external_id__startswith=prefix).values_list(
        "external_id", "pk", "witness_id"
    )
    for external, pk, witness in rows.iterator(10000):
        number = int(external.removeprefix(prefix))
        if number < count:
            found[number] = (pk, witness)
    missing = count - len(found)
    if missing:
        raise ValueError(
            f"{missing} of the first {count} testimonies of seed {seed} are "
            "missing: generate them first (generate_corpus)"
        )
    return found


def _refuse_uncopied(pks: list[int], witnesses: list[int]) -> None:
    """Stop if a source has rows this copy would leave behind."""
    for model, keys in ((Testimony, pks), (Witness, witnesses)):
        for relation in model._meta.related_objects:
            related = relation.related_model
            if related in COPIED:
                continue
            field = relation.field.name
            if related._base_manager.filter(**{f"{field}__in": keys}).exists():
                raise ValueError(
                    f"{related._meta.label} rows hang off the sources: this "
                    "copy does not know how to copy them"
                )


def _documents_missing(cursor, pks: list[int]) -> tuple[int, int]:
    """(Sources with a search document, indexable ones without)."""
    indexable = set(
        Testimony.objects.indexable()
        .filter(pk__in=pks)
        .values_list("pk", flat=True)
        .iterator(10000)
    )
    cursor.execute(
        f"SELECT django_id FROM {_table(SearchDocument)} "  # noqa: S608
        "WHERE django_ct = 'testimonies.testimony'"
    )
    indexed = {pk for (pk,) in cursor.fetchall()} & set(pks)
    return len(indexed), len(indexable - indexed)


def _digests_checked(cursor) -> None:
    """The SQL digest gives every source document's stored one."""
    digest = _digest_sql("t", "i", "w.pseudonym")
    cursor.execute(
        f"SELECT count(*), count(*) FILTER (WHERE d.sources <> {digest}) "  # noqa: S608
        f"FROM {_table(SearchDocument)} d "
        f"JOIN {_table(Testimony)} t ON t.id = d.django_id "
        f"JOIN {_table(Witness)} w ON w.id = t.witness_id "
        f"LEFT JOIN {_table(WitnessIdentity)} i ON i.witness_id = w.id "
        "WHERE d.django_ct = 'testimonies.testimony' "
        "AND d.django_id IN (SELECT source FROM corpus_copy)"
    )
    checked, differ = cursor.fetchone()
    if differ:
        raise RuntimeError(
            f"{differ} of {checked} source documents' digests differ from the "
            "SQL's: search.documents.sources_digest has changed"
        )


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


def _pseudonym_words(pseudonym: str) -> tuple[str, str]:
    """A pseudonym's words as the engine is given them: ("w", its code)."""
    words = engine_text(pseudonym).split()
    if len(words) != 2:
        raise ValueError(f"{pseudonym!r} is not two words to the engine")
    return words[0], words[1]


def _new_witness(taken: set[str]) -> tuple[int, str]:
    """A new witness's key and pseudonym, as Witness.save derives one for a
    witness without a witness key: from its key, the first free attempt."""
    pk = random_key()
    source = pseudonym_source(witness_pk=pk)
    for attempt in range(100):
        pseudonym = pseudonym_derive(source, attempt=attempt)
        if pseudonym not in taken:
            taken.add(pseudonym)
            return pk, pseudonym
    raise RuntimeError("no free pseudonym")


def _copy_maps(cursor, plan, sources, seed: int, source_count: int) -> int:
    """The temporary tables of the copies (corpus_copy: source pk, then the
    copy's pk, public id, external id and witness) and of the new witnesses
    (witness_copy: source witness, the new one's pk and pseudonym, and the
    code of each pseudonym as the engine reads it). Returns the new witnesses."""
    cursor.execute(
        "CREATE TEMPORARY TABLE corpus_copy (source bigint NOT NULL, "
        "id bigint NOT NULL, public_id varchar(20) NOT NULL, "
        "external_id varchar(100) NOT NULL, witness bigint NOT NULL) "
        "ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE witness_copy (source bigint NOT NULL, "
        "id bigint NOT NULL, pseudonym varchar(20) NOT NULL, "
        "old_code text NOT NULL, new_code text NOT NULL, "
        "renamed boolean NOT NULL DEFAULT false) ON COMMIT DROP"
    )
    taken = set(Witness.objects.values_list("pseudonym", flat=True).iterator(10000))
    old_pseudonyms = dict(
        Witness.objects.filter(pk__in={w for _pk, w in sources.values()})
        .values_list("pk", "pseudonym")
        .iterator(10000)
    )
    witnesses = {}  # (source witness, round of copies) -> (pk, pseudonym)
    with cursor.cursor.copy(
        "COPY corpus_copy (source, id, public_id, external_id, witness) FROM STDIN"
    ) as copy:
        for number in plan:
            pk, source_witness = sources[number % source_count]
            key = (source_witness, number // source_count)
            if key not in witnesses:
                witnesses[key] = _new_witness(taken)
            row = (pk, random_key(), new_public_id(), external_id(seed, number))
            copy.write_row((*row, witnesses[key][0]))
    with cursor.cursor.copy(
        "COPY witness_copy (source, id, pseudonym, old_code, new_code) FROM STDIN"
    ) as copy:
        for (source_witness, _round), (pk, pseudonym) in witnesses.items():
            old = _pseudonym_words(old_pseudonyms[source_witness])
            new = _pseudonym_words(pseudonym)
            if old[0] != new[0]:
                raise ValueError(f"pseudonyms of another form: {old}, {new}")
            copy.write_row((source_witness, pk, pseudonym, old[1], new[1]))
    # Where each code is a lexeme of its own under every configuration
    # (the vector of the code alone is 'code':1,2), the copy's vector is
    # its source's with that lexeme renamed; else it is computed again.
    cursor.execute(
        "UPDATE witness_copy SET renamed = "  # noqa: S608
        f"({vector_sql('old_code')})::text = '''' || old_code || ''':1,2' "
        f"AND ({vector_sql('new_code')})::text = '''' || new_code || ''':1,2'"
    )
    cursor.execute("CREATE INDEX ON corpus_copy (source)")
    cursor.execute("CREATE UNIQUE INDEX ON witness_copy (id)")
    cursor.execute("ANALYZE corpus_copy")
    cursor.execute("ANALYZE witness_copy")
    return len(witnesses)


def _insert_witnesses(cursor) -> None:
    table = _table(Witness)
    names, copied = _copied_columns(
        Witness, "w", leave_out={"id", "pseudonym", "key_digest"}
    )
    cursor.execute(
        f"INSERT INTO {table} (id, pseudonym, key_digest, {names}) "  # noqa: S608
        f"SELECT c.id, c.pseudonym, NULL, {copied} FROM witness_copy c "
        f"JOIN {table} w ON w.id = c.source"
    )
    identity = _table(WitnessIdentity)
    names, copied = _copied_columns(
        WitnessIdentity, "i", leave_out={"id", "witness_id"}
    )
    cursor.execute(
        f"INSERT INTO {identity} (witness_id, {names}) "  # noqa: S608
        f"SELECT c.id, {copied} FROM witness_copy c "
        f"JOIN {identity} i ON i.witness_id = c.source"
    )


def _insert_testimonies(cursor) -> None:
    table = _table(Testimony)
    leave_out = {"id", "public_id", "external_id", "witness_id"}
    names, copied = _copied_columns(Testimony, "t", leave_out=leave_out)
    cursor.execute(
        f"INSERT INTO {table} (id, public_id, external_id, witness_id, {names}) "  # noqa: S608
        f"SELECT c.id, c.public_id, c.external_id, c.witness, {copied} "
        f"FROM corpus_copy c JOIN {table} t ON t.id = c.source"
    )


def _insert_children(cursor) -> None:
    consent = _table(ConsentRecord)
    names, copied = _copied_columns(
        ConsentRecord, "r", leave_out={"id", "testimony_id"}
    )
    # In the source's order: the latest record stays the current consent.
    cursor.execute(
        f"INSERT INTO {consent} (testimony_id, {names}) "  # noqa: S608
        f"SELECT c.id, {copied} FROM corpus_copy c "
        f"JOIN {consent} r ON r.testimony_id = c.source ORDER BY c.id, r.id"
    )
    for name in M2M:
        through = Testimony._meta.get_field(name).remote_field.through
        link = through._meta.db_table
        (column,) = [
            f.column
            for f in through._meta.concrete_fields
            if f.column not in {"id", "testimony_id"}
        ]
        cursor.execute(
            f"INSERT INTO {link} (testimony_id, {column}) "  # noqa: S608
            f"SELECT c.id, l.{column} FROM corpus_copy c "
            f"JOIN {link} l ON l.testimony_id = c.source"
        )


def _insert_documents(cursor) -> tuple[int, int]:
    """The copies' documents; returns (written, vectors computed again)."""
    table = _table(SearchDocument)
    replaced = {"identifier", "django_id", "public_id", "pseudonym", "text"}
    replaced |= {"analysed", "search_vector", "sources"}
    names, copied = _copied_columns(SearchDocument, "d", leave_out=replaced)
    renamed = (
        "regexp_replace(d.search_vector::text, '(^| )''' || w.old_code || ''':', "
        "'\\1''' || w.new_code || ''':')::tsvector"
    )
    cursor.execute(
        f"INSERT INTO {table} (identifier, django_id, public_id, pseudonym, "  # noqa: S608
        f"text, analysed, search_vector, sources, {names}) "
        "SELECT %(prefix)s || c.id, c.id, c.public_id, w.pseudonym, "
        # The pseudonym stands for the witness's name in the redacted
        # texts too, and has a line of its own after them.
        "replace(d.text, d.pseudonym, w.pseudonym), a.analysed, "
        f"CASE WHEN w.renamed THEN {renamed} ELSE {vector_sql('a.analysed')} END, "
        f"{_digest_sql('t', 'i', 'w.pseudonym')}, {copied} "
        f"FROM corpus_copy c JOIN {table} d "
        "ON d.django_ct = 'testimonies.testimony' AND d.django_id = c.source "
        "JOIN witness_copy w ON w.id = c.witness "
        f"JOIN {_table(Testimony)} t ON t.id = c.id "
        f"LEFT JOIN {_table(WitnessIdentity)} i ON i.witness_id = c.witness "
        # Its code follows "w" wherever it is: a space each side.
        "CROSS JOIN LATERAL (SELECT replace(d.analysed, ' ' || w.old_code || ' ', "
        "' ' || w.new_code || ' ') AS analysed) a",
        {"prefix": DOCUMENT_PREFIX},
    )
    written = cursor.rowcount
    cursor.execute(
        f"SELECT count(*) FROM {table} d JOIN corpus_copy c ON c.id = d.django_id "  # noqa: S608
        "JOIN witness_copy w ON w.id = c.witness WHERE NOT w.renamed"
    )
    return written, cursor.fetchone()[0]


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
    plan = [n for n in range(source_count, count) if n not in existing]
    skipped = count - source_count - len(plan)
    witnesses = documents = computed = 0
    if plan:
        pks = [pk for pk, _witness in sources.values()]
        _refuse_uncopied(pks, list({w for _pk, w in sources.values()}))
        table = _table(SearchDocument)
        with transaction.atomic(), connection.cursor() as cursor:
            indexed, missing = _documents_missing(cursor, pks)
            if not indexed:
                raise ValueError(
                    "the sources have no search documents: rebuild the index "
                    f"at {source_count} first"
                )
            # The rebuild leaves out what the index refuses (a word that
            # may be a name, waiting for a decision): their copies too.
            progress(
                f"{missing} indexable sources have no document, nor will their copies"
            )
            for statement in DIGEST_FUNCTIONS:
                cursor.execute(statement)
            progress(f"copying {len(plan)} testimonies from {source_count}")
            witnesses = _copy_maps(cursor, plan, sources, seed, source_count)
            _digests_checked(cursor)
            _insert_witnesses(cursor)
            _insert_testimonies(cursor)
            _insert_children(cursor)
            indexes = _loose_indexes(cursor, table)
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            documents, computed = _insert_documents(cursor)
            progress(
                f"{documents} search documents copied ({computed} vectors "
                "computed again); building the indexes"
            )
            for _name, definition in indexes:
                cursor.execute(definition)
    _statistics()
    return GrowResult(
        created=len(plan),
        skipped=skipped,
        witnesses=witnesses,
        documents=documents,
        vectors_computed=computed,
        seconds=time.monotonic() - started,
    )


def _statistics() -> None:
    tables = [
        *(_table(m) for m in (Witness, WitnessIdentity, Testimony, ConsentRecord)),
        _table(SearchDocument),
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
