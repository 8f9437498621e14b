"""The import service writes new testimonies a batch at a time: what a batch
writes is what the same lines written in imports of their own write, and a
line that updates a testimony is written in its place in the file's order."""

import dataclasses

import pytest
from django.core.management import call_command
from django.db import transaction
from haystack import connections

from archive.audit_check import audit_verify
from archive.models import AuditEntry
from bench.corpus.generator import Vocabulary, corpus_generate, corpus_row
from testimonies.audit_actions import AuditAction
from testimonies.imports.services import testimonies_import
from testimonies.models import ConsentRecord, Testimony, Witness
from testimonies.vault.identity import identity_read
from testimonies.witnesses.pseudonyms import pseudonym_derive, pseudonym_source
from tests.markers import committed_db

pytestmark = pytest.mark.django_db

SEED = 21


class _Undo(Exception):
    pass


def _written(rows) -> dict:
    """Everything the rows' import left in the database, keyed by external
    id (row keys and public ids are random: compared through it)."""
    testimonies = Testimony.objects.filter(
        external_id__in=[row.external_id for row in rows]
    ).select_related("witness")
    by_public_id = {t.public_id: t.external_id for t in testimonies}
    written = {}
    for t in testimonies:
        identity = identity_read(witness=t.witness)
        written[t.external_id] = {
            "status": t.status,
            "witness": (t.witness.pseudonym, t.witness.key_digest),
            "identity": (
                identity.name,
                identity.name_variants,
                identity.contact,
                identity.birth_year,
                identity.gender,
                identity.community_id,
            ),
            "content": (t.narrative, t.translations, t.summary, t.persons_named),
            "fields": (
                t.language,
                t.recorded_on,
                t.incident_start,
                t.incident_end,
                t.incident_precision,
            ),
            "tags": (
                sorted(p.slug for p in t.places.all()),
                sorted(c.slug for c in t.communities.all()),
                sorted(e.slug for e in t.event_types.all()),
            ),
            "consent": [
                (
                    r.event,
                    r.scopes,
                    r.method,
                    r.obtained_by,
                    r.obtained_on,
                    r.embargo_until,
                    r.reason,
                    r.points_explained,
                    r.witness_is_minor,
                )
                for r in t.consent_records.order_by("pk")
            ],
        }
    written["audit"] = [
        (
            e.action,
            by_public_id.get(e.target, e.target),
            e.actor_label,
            e.detail,
            e.subject_type,
        )
        for e in AuditEntry.objects.order_by("pk")
    ]
    return written


def test_a_batch_writes_what_lines_imported_alone_write(gazetteer):
    vocabulary = Vocabulary.load()
    # Forty lines hold witnesses giving several testimonies, withdrawals
    # whole and partial, embargoes, and every status an import gives.
    rows = [corpus_row(n, seed=SEED, vocabulary=vocabulary) for n in range(40)]
    assert any(row.witness["witness_key"] for row in rows)
    assert any(row.withdrawal for row in rows)
    try:
        with transaction.atomic():
            for row in rows:
                testimonies_import(rows=[row], source="test")
            alone = _written(rows)
            raise _Undo
    except _Undo:
        pass
    assert not Testimony.objects.exists()
    result = testimonies_import(rows=rows, source="test")
    assert result.created == 40
    together = _written(rows)
    # One import entry instead of forty; every other entry the same.
    imported = AuditAction.IMPORTED
    assert [e for e in together.pop("audit") if e[0] != imported] == [
        e for e in alone.pop("audit") if e[0] != imported
    ]
    assert together == alone
    assert audit_verify().broken is None


def test_a_line_updating_an_earlier_line_of_the_file_is_written_after_it(gazetteer):
    vocabulary = Vocabulary.load()
    rows = [corpus_row(n, seed=SEED, vocabulary=vocabulary) for n in range(3)]
    again = dataclasses.replace(
        rows[0], line=4, narrative=rows[0].narrative + " Written again."
    )
    result = testimonies_import(rows=[*rows, again], source="test")
    assert (result.created, result.updated) == (3, 1)
    first = Testimony.objects.get(external_id=rows[0].external_id)
    assert first.narrative.endswith("Written again.")
    assert Testimony.objects.count() == 3


def test_generated_rows_pass_every_model_check(gazetteer):
    corpus_generate(count=60, seed=SEED, batch_size=25)
    testimonies = list(Testimony.objects.all())
    assert len(testimonies) == 60
    for testimony in testimonies:
        testimony.full_clean()
    for record in ConsentRecord.objects.all():
        record.full_clean()
    for witness in Witness.objects.all():
        witness.full_clean()


def test_a_taken_pseudonym_is_derived_again_as_one_by_one(gazetteer):
    vocabulary = Vocabulary.load()
    rows = [corpus_row(n, seed=SEED, vocabulary=vocabulary) for n in range(12)]
    row = next(r for r in rows if not r.witness["witness_key"])
    source = pseudonym_source(external_id=row.external_id)
    Witness.objects.create(pseudonym=pseudonym_derive(source))
    testimonies_import(rows=rows, source="test")
    witness = Testimony.objects.get(external_id=row.external_id).witness
    assert witness.pseudonym == pseudonym_derive(source, attempt=1)


def test_a_batch_holds_lines_with_words_to_decide_as_the_import_does(gazetteer):
    vocabulary = Vocabulary.load()
    rows = [corpus_row(n, seed=SEED, vocabulary=vocabulary) for n in range(3)]
    for row in rows:
        row.status, row.withdrawal = "approved", None
    # The first witness is called Ali: على in the text needs a person.
    rows[0].witness = {
        **rows[0].witness,
        "name": "Ali Haidar",
        "name_variants": ["علي حيدر"],
    }
    rows[0].translations = {"ar": "جلسنا على الأرض."}
    result = testimonies_import(rows=rows, source="test")
    statuses = {t.external_id: t.status for t in Testimony.objects.all()}
    assert statuses[rows[0].external_id] == "submitted"
    held = Testimony.objects.get(external_id=rows[0].external_id)
    assert result.held == [(rows[0].line, held.public_id)]
    # The note the command prints, as for a line written alone.
    (note,) = result.notes
    assert note.startswith(f"line {rows[0].line}: imported as submitted")


def _indexed() -> set[str]:
    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        return {document["id"] for document in searcher.all_stored_fields()}


@committed_db
def test_a_batch_reaches_the_search_index_when_it_commits(gazetteer, search_index):
    """Bulk inserts send no model signals: the batch tells the index itself,
    and its testimonies are searchable once the import returns."""
    vocabulary = Vocabulary.load()
    rows = [corpus_row(n, seed=SEED, vocabulary=vocabulary) for n in range(8)]
    testimonies_import(rows=rows, source="test")
    after_import = _indexed()
    assert after_import
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert _indexed() == after_import
