"""A corpus grown by copying (bench/corpus/replicate.py, the search
benchmark's --grown-from): on PostgreSQL, the copies are searched, counted
and withdrawn as their sources are, each under a public id of its own, and
are never passed off as the archive's own writes."""

import pytest
from django.db import connection

from archive.audit_check import audit_verify
from bench.corpus.generator import Vocabulary, corpus_generate, corpus_row, external_id
from bench.corpus.replicate import corpus_grow
from search.documents import testimony_sources_digest
from search.indexing import testimonies_reindex
from search.postgres.models import SearchDocument
from search.postgres.rebuild import vector_sql
from testimonies.consent.services.consent import consent_withdraw
from testimonies.imports.services import testimonies_import
from testimonies.models import ConsentRecord, Testimony, Witness, WitnessIdentity
from tests.markers import committed_db
from tests.search.engines import needs_postgresql, postgres_engine  # noqa: F401
from tests.search.test_api import api, ids

pytestmark = [needs_postgresql, committed_db]

SOURCES, GROWN = 12, 36


def quiet(_message):
    pass


@pytest.fixture
def sources(gazetteer, postgres_engine):  # noqa: F811 - the fixture
    """The first SOURCES testimonies of seed 1, written and indexed as the
    benchmark writes them (the import service, then the index)."""
    corpus_generate(count=SOURCES, seed=1)
    testimonies_reindex(list(Testimony.objects.values_list("pk", flat=True)))
    return {t.external_id: t for t in Testimony.objects.all()}


def a_word(public_text: str) -> str:
    """A word of a document's stored text that the analysis keeps."""
    return next(w for w in public_text.split() if w.isalpha() and len(w) > 6)


def test_copies_are_searched_and_counted_as_their_sources(sources, users, client_for):
    document = SearchDocument.objects.filter(audiences__contains=["public"]).first()
    word = a_word(document.text)
    before = {
        role: (
            api(client_for, users[role])["count"],
            api(client_for, users[role], q=word)["count"],
        )
        for role in ("anonymous", "researcher")
    }
    indexable = Testimony.objects.indexable().count()

    result = corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)

    assert (result.created, result.skipped) == (GROWN - SOURCES, 0)
    assert Testimony.objects.count() == GROWN
    assert Testimony.objects.indexable().count() == 3 * indexable
    assert SearchDocument.objects.count() == 3 * indexable
    for role, (everything, matching) in before.items():
        assert api(client_for, users[role])["count"] == 3 * everything
        assert api(client_for, users[role], q=word)["count"] == 3 * matching
    # The HTML page shows them from the stored text (nothing to open).
    response = client_for(users["anonymous"]).get("/search/", {"q": word})
    assert response.status_code == 200
    # generate_corpus counts them as the corpus's own: nothing left to draw.
    assert corpus_generate(count=GROWN, seed=1).created == 0
    again = corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    assert (again.created, again.skipped) == (0, GROWN - SOURCES)


def test_no_public_id_repeats(sources, users, client_for):
    corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    public_ids = list(Testimony.objects.values_list("public_id", flat=True))
    assert len(set(public_ids)) == GROWN
    documents = dict(SearchDocument.objects.values_list("django_id", "public_id"))
    assert all(
        documents[pk] == public_id
        for pk, public_id in Testimony.objects.values_list("pk", "public_id")
        if pk in documents
    )
    answer = api(client_for, users["researcher"], page_size=100)
    assert len(ids(answer)) == len(answer["results"]) == answer["count"]


def test_a_copys_document_is_its_source_under_its_own_witness(sources):
    corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    copies = Testimony.objects.filter(external_id__gte=external_id(1, SOURCES))
    documents = {d.django_id: d for d in SearchDocument.objects.all()}
    for copy in copies.select_related("witness"):
        number = int(copy.external_id.rsplit("-", 1)[1]) % SOURCES
        source = sources[external_id(1, number)]
        assert copy.witness_id != source.witness_id
        assert copy.witness.pseudonym != source.witness.pseudonym
        assert copy.witness.key_digest is None
        if copy.pk not in documents:
            continue
        document, original = documents[copy.pk], documents[source.pk]
        assert document.pseudonym == copy.witness.pseudonym
        assert document.text == original.text.replace(
            source.witness.pseudonym, copy.witness.pseudonym
        )
        assert source.witness.pseudonym not in document.text
        # What the database holds of the copy, as a search compares it.
        identity = WitnessIdentity.objects.filter(witness=copy.witness).first()
        assert document.sources == testimony_sources_digest(copy, identity)
    # Every vector is the engine's own of the folded words.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_searchdocument "  # noqa: S608
            f"WHERE search_vector IS DISTINCT FROM ({vector_sql()})"
        )
        assert cursor.fetchone() == (0,)
    # A source's witness and its copies' in one round: one new witness each.
    assert Witness.objects.count() == 3 * len({t.witness_id for t in sources.values()})


def test_saving_a_source_again_leaves_its_copies_alone(sources):
    corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    before = dict(SearchDocument.objects.values_list("django_id", "sources"))
    vocabulary = Vocabulary.load()
    # As the benchmark's savers do during the withdrawals.
    rows = [corpus_row(n, seed=1, vocabulary=vocabulary) for n in range(SOURCES)]
    for row in rows:
        row.narrative += " (saved again)"
    testimonies_import(rows=rows, source="test")
    copies = set(
        Testimony.objects.filter(external_id__gte=external_id(1, SOURCES)).values_list(
            "pk", flat=True
        )
    )
    after = dict(SearchDocument.objects.values_list("django_id", "sources"))
    assert {pk: after.get(pk) for pk in copies} == {pk: before.get(pk) for pk in copies}


def test_withdrawing_a_copy_takes_it_out_of_search(sources, users, client_for):
    corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    before = api(client_for, users["anonymous"], page_size=100)
    copies = Testimony.objects.filter(
        external_id__gte=external_id(1, SOURCES), public_id__in=ids(before)
    )
    copy = copies.order_by("external_id").first()

    consent_withdraw(testimony=copy, scopes=None, reason="r", obtained_by="d")

    answer = api(client_for, users["anonymous"], page_size=100)
    assert answer["count"] == before["count"] - 1
    assert ids(answer) == ids(before) - {copy.public_id}
    assert not SearchDocument.objects.filter(django_id=copy.pk).exists()
    # Its source stays.
    number = int(copy.external_id.rsplit("-", 1)[1]) % SOURCES
    assert sources[external_id(1, number)].public_id in ids(answer)


def test_copies_are_not_passed_off_as_the_archives_writes(sources):
    corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    report = audit_verify()
    assert report.broken is not None
    copied = ConsentRecord.objects.filter(
        testimony__external_id__gte=external_id(1, SOURCES)
    )
    assert str(report.broken).startswith("outside the chain")
    assert f"consentrecord {min(copied.values_list('pk', flat=True))}" in str(
        report.broken
    )


def test_a_corpus_is_grown_from_indexed_sources_only(gazetteer, postgres_engine):  # noqa: F811
    corpus_generate(count=SOURCES, seed=1)
    with pytest.raises(ValueError, match="rebuild the index"):
        corpus_grow(source_count=SOURCES, count=GROWN, seed=1, progress=quiet)
    assert Testimony.objects.count() == SOURCES
