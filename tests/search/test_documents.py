"""Search documents prepared a batch at a time (search.documents): the same
documents as one by one, names redacted, in a number of queries that does
not grow with the batch."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from haystack import connections

from search.documents import documents_prepare
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db


def _index():
    return connections["default"].get_unified_index().get_index(Testimony)


def _batch(count, word="checkpoint"):
    testimonies = [
        factories.testimony(
            witness_name=f"Nadia Qassem{n}",
            narrative=f"Nadia Qassem{n} saw the {word} at dawn.",
        )
        for n in range(count)
    ]
    # One witness without an identity left (as after an erasure of another
    # of their testimonies): nothing to redact, still a document.
    testimonies[0].witness.identity.delete()
    return testimonies


def _prepared(testimonies):
    index = _index()
    pks = [t.pk for t in testimonies]
    with CaptureQueriesContext(connection) as queries:
        documents = documents_prepare(index, index.index_queryset().filter(pk__in=pks))
    return documents, len(queries.captured_queries)


def test_a_batch_is_prepared_as_one_by_one_in_a_fixed_number_of_queries(db):
    small, small_queries = _prepared(_batch(3))
    large, large_queries = _prepared(_batch(9))
    assert small_queries == large_queries  # no query per testimony
    index = _index()
    for pk, document in large.items():
        alone = index.full_prepare(index.index_queryset().get(pk=pk))
        assert document == alone
    texts = [document["text"] for document in large.values()]
    assert sum("Nadia Qassem" in text for text in texts) == 1  # the one without
    assert all("checkpoint" in text for text in texts)


@committed_db
def test_a_page_of_results_and_an_export_read_identities_in_one_query(researcher):
    """Every hit's text is redacted with its witness's names: read for the
    whole page at once, not one query per hit."""
    from search.selectors import testimony_export, testimony_search

    def queries_for(count, word):
        _batch(count, word)
        params = {"q": word, "page": 1, "page_size": 20}
        with CaptureQueriesContext(connection) as searching:
            found = testimony_search(params=params, user=researcher)
        with CaptureQueriesContext(connection) as exporting:
            exported = testimony_export(params=params, user=researcher, limit=50)
        texts = [hit.excerpt for hit in found.hits] + [
            row.texts.narrative for row in exported.rows
        ]
        assert len(found.hits) == len(exported.rows) == count
        assert sum("Qassem" in text for text in texts) == 2  # the one without
        return len(searching.captured_queries), len(exporting.captured_queries)

    queries_for(1, "warming")  # the gazetteer's names, read once per process
    assert queries_for(3, "checkpoint") == queries_for(7, "roadblock")
