"""The synthetic corpus (manage.py generate_corpus): reproducible from its
seed, varied in consent, sealed in the audit chain, and never leaking a
generated name into the search index."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from haystack import connections

from archive.audit_check import audit_verify
from archive.models import AuditEntry
from search import indexing
from testimonies.audit_actions import AuditAction
from testimonies.corpus import (
    Vocabulary,
    corpus_generate,
    corpus_row,
    external_id,
    invented_name,
)
from testimonies.models import ConsentRecord, Testimony, TestimonyStatus
from testimonies.textnorm import fold
from testimonies.vault.identity import identity_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary(gazetteer):
    return Vocabulary.load()


def _stored(testimony):
    return {
        "narrative": testimony.narrative,
        "translations": testimony.translations,
        "summary": testimony.summary,
        "persons_named": testimony.persons_named,
        "language": testimony.language,
        "incident": (
            testimony.incident_start,
            testimony.incident_end,
            testimony.incident_precision,
        ),
        "recorded_on": testimony.recorded_on,
        "places": sorted(p.slug for p in testimony.places.all()),
        "communities": sorted(c.slug for c in testimony.communities.all()),
        "event_types": sorted(e.slug for e in testimony.event_types.all()),
        "witness": identity_read(witness=testimony.witness).name,
    }


def _from_row(row):
    return {
        "narrative": row.narrative,
        "translations": row.translations,
        "summary": row.summary,
        "persons_named": row.persons_named,
        "language": row.language,
        "incident": (row.incident_start, row.incident_end, row.incident_precision),
        "recorded_on": row.recorded_on,
        "places": sorted(ref.place.slug for ref in row.places),
        "communities": sorted(c.slug for c in row.communities),
        "event_types": sorted(e.slug for e in row.event_types),
        "witness": row.witness["name"],
    }


@pytest.mark.parametrize("processes", [1, 2])
def test_the_same_seed_gives_the_same_corpus(vocabulary, processes):
    # Drawn here or by a worker process, a testimony is the same.
    corpus_generate(count=12, seed=7, batch_size=5, processes=processes)
    for number in range(12):
        stored = Testimony.objects.get(external_id=external_id(7, number))
        again = corpus_row(number, seed=7, vocabulary=Vocabulary.load())
        assert _stored(stored) == _from_row(again)


def test_another_seed_gives_another_corpus(vocabulary):
    first = corpus_row(3, seed=1, vocabulary=vocabulary)
    other = corpus_row(3, seed=2, vocabulary=vocabulary)
    assert first.narrative != other.narrative


def test_a_second_run_keeps_what_exists_and_adds_the_rest(vocabulary):
    corpus_generate(count=4, seed=3)
    result = corpus_generate(count=6, seed=3)
    assert (result.created, result.skipped) == (2, 4)
    assert Testimony.objects.filter(external_id__startswith="synthetic-3-").count() == 6


def test_narratives_are_of_realistic_length_in_both_languages(vocabulary):
    rows = [corpus_row(n, seed=5, vocabulary=vocabulary) for n in range(40)]
    lengths = [len(row.narrative.split()) for row in rows]
    assert min(lengths) >= 150
    assert max(lengths) <= 460
    assert {row.language for row in rows} == {"ar", "en"}
    arabic = " ".join(row.narrative for row in rows if row.language == "ar")
    assert re.search("[\u064b-\u0652]", arabic), "no diacritics ever written"
    assert any(row.translations for row in rows)


def test_incident_dates_span_the_years_with_every_precision(vocabulary):
    rows = [corpus_row(n, seed=9, vocabulary=vocabulary) for n in range(200)]
    assert {row.incident_precision for row in rows} == {"day", "month", "year"}
    years = {row.incident_start.year for row in rows}
    assert min(years) >= 2011 and max(years) <= 2025
    assert len(years) > 8
    assert all(row.incident_start <= row.incident_end for row in rows)
    assert all(row.recorded_on > row.incident_start for row in rows)


def test_consent_is_varied(vocabulary):
    corpus_generate(count=150, seed=11, batch_size=50)
    current = {}
    for record in ConsentRecord.objects.order_by("pk"):
        current[record.testimony_id] = record
    records = list(current.values())
    assert any(r.public for r in records)
    assert any(r.researchers and not r.public for r in records)
    assert any(r.archive and not r.researchers for r in records)
    today = datetime.date.today()
    assert any(r.embargo_until and r.embargo_until > today for r in records)
    assert Testimony.objects.filter(status=TestimonyStatus.WITHDRAWN).exists()
    assert ConsentRecord.objects.filter(event="withdrawal", archive=True).exists()
    statuses = set(Testimony.objects.values_list("status", flat=True))
    assert {"approved", "submitted"} <= statuses


def test_consent_records_are_sealed_in_the_audit_chain(vocabulary):
    out = StringIO()
    call_command("generate_corpus", "30", "--seed", "4", "--no-progress", stdout=out)
    assert "30 testimonies created" in out.getvalue()
    grants = ConsentRecord.objects.filter(event="grant").count()
    withdrawals = ConsentRecord.objects.filter(event="withdrawal").count()
    recorded = AuditEntry.objects.filter(action=AuditAction.CONSENT_RECORDED)
    withdrawn = AuditEntry.objects.filter(action=AuditAction.CONSENT_WITHDRAWN)
    assert recorded.count() == grants == 30
    assert withdrawn.count() == withdrawals
    assert all(entry.subject_digest for entry in recorded)
    assert audit_verify().broken is None
    call_command("verify_audit", stdout=StringIO())


def test_generated_names_are_invented_and_never_reach_the_index(vocabulary):
    corpus_generate(count=60, seed=13, batch_size=20)
    indexing.testimonies_reindex(Testimony.objects.values_list("pk", flat=True))
    names = set()
    for testimony in Testimony.objects.select_related("witness"):
        identity = identity_read(witness=testimony.witness)
        names.update([identity.name, *identity.name_variants])
        for person in testimony.persons_named:
            names.update(person)
    assert names
    parts = {fold(part) for name in names for part in name.split() if len(part) >= 3}
    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        documents = list(searcher.all_stored_fields())
    assert len(documents) > 20
    indexed = fold(" ".join(" ".join(str(v) for v in d.values()) for d in documents))
    indexed_words = set(re.findall(r"\w+", indexed))
    # Names are redacted in every language (an Arabic clitic may be
    # attached to an Arabic name in the text: look inside words too).
    assert not [part for part in parts if part in indexed_words]
    arabic = [part for part in parts if re.match("[\u0621-\u064a]", part)]
    assert not [part for part in arabic if part in indexed and len(part) >= 5]


def test_invented_names_come_in_both_scripts():
    import random

    latin, arabic = invented_name(random.Random(1))
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", latin)
    assert re.fullmatch(r"[\u0621-\u064a]+ [\u0621-\u064a]+", arabic)


def test_the_command_reports_and_refuses_an_empty_gazetteer(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="gazetteer"):
        call_command("generate_corpus", "3", "--no-progress", stdout=StringIO())
