"""PostgreSQL's full-text search engine (search.postgres): what it alone
promises. The searches every engine answers alike (syntax, facets, Arabic
groups, suggestions, similar testimonies, judged quality) run on it through
tests/search/engines.py's `each_engine`."""

import threading

import pytest
from django.db import connection, connections, transaction
from haystack import connections as haystack_connections
from haystack.query import SearchQuerySet

from archive.settings.base import SEARCH_ENGINES, search_connection
from search.checks import postgres_engine_errors
from search.indexing import testimonies_reindex
from search.models import SearchDocument
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Testimony
from tests import factories
from tests.databases import ON_POSTGRESQL
from tests.markers import committed_db
from tests.search.engines import needs_postgresql

# -- chosen by settings, refused off PostgreSQL -------------------------------


def test_postgres_is_chosen_by_settings():
    connection_settings = search_connection({"ARCHIVE_SEARCH_ENGINE": "postgres"})
    assert connection_settings == {
        "ENGINE": "search.postgres.backends.PostgresSearchEngine",
        "SILENTLY_FAIL": False,
    }
    assert SEARCH_ENGINES["postgres"] == connection_settings["ENGINE"]


def test_every_field_of_the_index_has_its_column_and_is_stored():
    """A field the search index gains (a new facet, say) must reach the
    table too, or filtering and counting it fails on this engine alone."""
    from search.postgres.backends import MULTI_VALUED, STORED_FIELDS
    from search.search_indexes import TestimonyIndex

    columns = {field.name for field in SearchDocument._meta.get_fields()}
    for name, field in TestimonyIndex.fields.items():
        if name.endswith("_exact"):  # haystack's facet twin of a field
            continue
        assert name in columns, name
        assert name in STORED_FIELDS, name
        assert (name in MULTI_VALUED) == field.is_multivalued, name


def test_the_check_refuses_the_engine_unless_the_database_is_postgresql():
    chosen = {"default": {"ENGINE": SEARCH_ENGINES["postgres"]}}
    refused = postgres_engine_errors(chosen, "django.db.backends.sqlite3")
    assert [error.id for error in refused] == ["search.E001"]
    assert postgres_engine_errors(chosen, "django.db.backends.postgresql") == []
    whoosh = {"default": {"ENGINE": SEARCH_ENGINES["whoosh"]}}
    assert postgres_engine_errors(whoosh, "django.db.backends.sqlite3") == []


def test_the_table_exists_only_on_postgresql(db):
    tables = connection.introspection.table_names()
    assert (SearchDocument._meta.db_table in tables) is ON_POSTGRESQL


# -- the documents --------------------------------------------------------------


def row_of(testimony):
    return SearchDocument.objects.filter(django_id=testimony.pk).first()


@needs_postgresql
def test_a_row_holds_the_documents_fields_and_no_identity(postgres_engine, db):
    testimony = factories.testimony(
        witness_name="Layla Haddad",
        narrative="Layla Haddad saw the checkpoint in Banias.",
        consent={"archive": True, "researchers": True},
    )
    testimonies_reindex([testimony.pk])
    row = row_of(testimony)
    index = haystack_connections["default"].get_unified_index().get_index(Testimony)
    document = index.full_prepare(Testimony.objects.indexable().get(pk=testimony.pk))
    for name in ("text", "public_id", "pseudonym", "language", "sources"):
        assert getattr(row, name) == document[name], name
    for name in ("places", "communities", "event_types", "years", "audiences"):
        assert getattr(row, name) == [str(v) for v in document[name]], name
    assert row.visible_from == document["visible_from"]
    assert "researcher" in row.audiences and "public" not in row.audiences
    assert "layla" not in row.text.lower() and "layla" not in row.analysed
    assert "checkpoint" in row.analysed


# -- withdrawal: in the consent record's own transaction -----------------------


def indexed(*, narrative="Gunmen came to the old market in Banias."):
    testimony = factories.testimony(narrative=narrative)
    testimonies_reindex([testimony.pk])
    assert row_of(testimony) is not None
    return testimony


def withdraw(testimony, **kwargs):
    return consent_withdraw(
        testimony=testimony,
        scopes=kwargs.get("scopes"),
        reason="the family is afraid",
        obtained_by="phone call",
    )


@needs_postgresql
def test_a_withdrawal_deletes_the_document_in_its_own_transaction(postgres_engine, db):
    # The test runs inside one transaction that never commits: nothing
    # written after a commit can have happened here.
    testimony = indexed()
    withdraw(testimony)
    assert row_of(testimony) is None


@needs_postgresql
def test_a_partial_withdrawal_narrows_the_audiences_in_its_transaction(
    postgres_engine, db
):
    testimony = indexed()
    assert "public" in row_of(testimony).audiences
    withdraw(testimony, scopes=["public"])
    assert "public" not in row_of(testimony).audiences


@needs_postgresql
def test_a_rolled_back_withdrawal_leaves_the_document(postgres_engine, db):
    testimony = indexed()
    with pytest.raises(RuntimeError), transaction.atomic():
        withdraw(testimony)
        assert row_of(testimony) is None
        raise RuntimeError("the withdrawal's transaction fails after its write")
    assert row_of(testimony) is not None
    found = SearchQuerySet().models(Testimony).filter(content="market")
    assert [int(result.pk) for result in found] == [testimony.pk]


@needs_postgresql
def test_an_erasure_deletes_the_document_in_its_own_transaction(postgres_engine, db):
    testimony = indexed()
    testimony_erase(testimony=testimony, reason="the witness asked")
    assert row_of(testimony) is None


@needs_postgresql
def test_a_writer_that_read_before_a_withdrawal_cannot_write_it_back(
    postgres_engine, db
):
    testimony = indexed()
    index = haystack_connections["default"].get_unified_index().get_index(Testimony)
    read_early = list(index.index_queryset().filter(pk=testimony.pk))
    withdraw(testimony)
    postgres_engine.update(index, read_early)
    assert row_of(testimony) is None


@needs_postgresql
@committed_db
@pytest.mark.slow
def test_writers_that_read_during_a_withdrawal_wait_and_cannot_write_it_back(
    postgres_engine,
):
    """A rebuild or another worker read the testimony while a withdrawal was
    under way; the withdrawal commits while the writer waits for the
    testimony's row, and the writer then finds it withdrawn."""
    testimony = factories.testimony(narrative="Banias account read too early")
    others = [factories.testimony(narrative=f"Banias account {n}") for n in range(3)]
    assert row_of(testimony) is not None
    index = haystack_connections["default"].get_unified_index().get_index(Testimony)
    read_early = list(index.index_queryset().filter(pk=testimony.pk))
    withdrawn, writers_done = threading.Event(), []

    def withdrawal():
        try:
            with transaction.atomic():
                withdraw(Testimony.objects.get(pk=testimony.pk))
                withdrawn.set()
                # The writers start while this transaction is still open.
                threading.Event().wait(0.5)
        finally:
            connections.close_all()

    def writer(objs):
        try:
            withdrawn.wait(10)
            postgres_engine.update(index, objs)
            writers_done.append(True)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdrawal)]
    threads += [threading.Thread(target=writer, args=(read_early,))]
    threads += [threading.Thread(target=writer, args=([o],)) for o in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(writers_done) == 4
    assert row_of(testimony) is None
    assert all(row_of(other) is not None for other in others)
