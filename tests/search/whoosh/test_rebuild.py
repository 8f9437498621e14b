"""rebuild_index: the same index as a full rebuild, on two processes,
resumable, and never writing back a testimony withdrawn meanwhile; and for
an engine without a rebuild of its own, haystack's."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands
from haystack import connections

from search.engine import ArchiveSearchBackend
from search.whoosh import rebuild
from search.whoosh.journal import journal_start
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def stored_documents():
    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        return {doc["id"]: doc for doc in searcher.all_stored_fields()}


def document_id(testimony):
    return f"testimonies.testimony.{testimony.pk}"


@pytest.fixture
def corpus():
    testimonies = [
        factories.testimony(narrative=f"Account {n} of the night in Banias.")
        for n in range(7)
    ]
    testimonies.append(factories.testimony(status="draft"))  # never indexed
    return testimonies


def test_rebuild_index_is_ours_not_haystacks():
    assert get_commands()["rebuild_index"] == "search"
    assert "index_rebuild" not in get_commands()  # one command, not two


def test_rebuild_on_two_processes_makes_the_index_updates_made(corpus):
    expected = stored_documents()
    assert len(expected) == 7
    out = StringIO()
    call_command("rebuild_index", batch_size=2, workers=2, stdout=out)
    assert stored_documents() == expected
    assert "7 testimonies indexed" in out.getvalue()
    # In one process, as haystack's callers ask it (no --workers).
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert stored_documents() == expected


def test_rebuild_leaves_out_what_may_no_longer_be_indexed(corpus):
    gone = corpus[0]
    Testimony.objects.filter(pk=gone.pk).update(status="draft")  # index not told
    call_command("rebuild_index", batch_size=3, workers=2, verbosity=0)
    documents = stored_documents()
    assert document_id(gone) not in documents
    assert document_id(corpus[1]) in documents


def test_an_interrupted_rebuild_resumes_to_the_same_index(corpus):
    expected = stored_documents()
    rebuild.index_rebuild(batch_size=2, workers=2, progress=False, stop_after_batches=2)
    assert len(stored_documents()) == 4  # two batches of two
    call_command("rebuild_index", resume=True, batch_size=2, verbosity=0)
    assert stored_documents() == expected
    with pytest.raises(CommandError, match="no interrupted rebuild"):
        call_command("rebuild_index", resume=True, verbosity=0)


def batch_prepared_by_a_worker(corpus):
    """A rebuild under way on an emptied index: a worker has prepared the
    corpus as one batch. Returns the backend and what writes the batch."""
    backend = connections["default"].get_backend()
    backend.clear()
    writer = backend._writer()
    journal_start(backend.path, keep=False)
    writer.cancel()
    staging = rebuild._staging_create(backend)
    pks = sorted(t.pk for t in corpus)
    prepared = rebuild._prepare_batch((backend.path, str(staging), pks))

    def write_batch():
        index = rebuild._testimony_index()
        rebuild._write_batch(backend, index, staging, *prepared)

    return backend, write_batch


def test_a_testimony_withdrawn_during_a_rebuild_does_not_come_back(corpus):
    """A worker reads the batch, the withdrawal commits and leaves the index,
    then the rebuild writes what the worker read."""
    target = corpus[2]
    backend, write_batch = batch_prepared_by_a_worker(corpus)
    call_command("withdraw_consent", target.public_id, reason="the family is afraid")
    write_batch()
    documents = stored_documents()
    assert document_id(target) not in documents
    assert document_id(corpus[3]) in documents


def test_a_change_made_during_a_rebuild_is_written_as_changed(corpus):
    target = corpus[4]
    backend = connections["default"].get_backend()
    index = rebuild._testimony_index()
    writer = backend._writer()
    journal_start(backend.path, keep=False)
    writer.cancel()
    staging = rebuild._staging_create(backend)
    offset, batch, segment = rebuild._prepare_batch(
        (backend.path, str(staging), [target.pk])
    )
    target.narrative = "A later correction of the account."
    target.save()
    rebuild._write_batch(backend, index, staging, offset, batch, segment)
    document = stored_documents()[document_id(target)]
    assert "later correction" in document["text"]
    backend.setup()
    with backend.index.refresh().searcher() as searcher:  # one copy, not two
        assert len(list(searcher.document_numbers(id=document_id(target)))) == 1


def segment_sizes():
    backend = connections["default"].get_backend()
    return sorted(s.doc_count() for s in backend.index.refresh()._segments())


def test_each_batch_becomes_one_segment_never_merged_again(corpus):
    call_command("rebuild_index", batch_size=2, workers=2, verbosity=0)
    assert segment_sizes() == [1, 2, 2, 2]
    # By default, one batch per worker (up to SEGMENT_DOCUMENTS each).
    call_command("rebuild_index", workers=2, verbosity=0)
    assert segment_sizes() == [3, 4]
    assert rebuild._batch_size(100_000, 2) == 10_000
    assert rebuild._batch_size(86_381, 2) == 8_639  # ten of about the same size


def test_a_testimony_erased_during_a_rebuild_leaves_nothing_in_the_index_files(corpus):
    """A worker prepares the batch, the erasure purges the index, then the
    rebuild adds the segment prepared before it: deleted documents included,
    the erased text must be in none of the index's files."""
    target = corpus[5]
    backend, write_batch = batch_prepared_by_a_worker(corpus)
    call_command(
        "erase_testimony", target.public_id, reason="the witness asked", yes=True
    )
    write_batch()
    with backend.index.refresh().reader() as reader:
        texts = [
            reader.stored_fields(number).get("text", "")
            for number in range(reader.doc_count_all())
        ]
    assert not any("Account 5 of" in text for text in texts)
    assert any("Account 4 of" in text for text in texts)
    assert document_id(target) not in stored_documents()


@pytest.fixture
def stock_whoosh(monkeypatch, tmp_path):
    """Haystack's own Whoosh engine as the default connection: an engine
    with none of the archive's capabilities (search.engine)."""
    monkeypatch.setitem(
        settings.HAYSTACK_CONNECTIONS,
        "default",
        {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": str(tmp_path),
        },
    )
    connections.reload("default")
    yield connections["default"].get_backend()
    monkeypatch.undo()
    connections.reload("default")


def test_an_engine_without_a_rebuild_of_its_own_gets_haystacks(corpus, stock_whoosh):
    assert not isinstance(stock_whoosh, ArchiveSearchBackend)
    call_command("rebuild_index", interactive=False, verbosity=0)
    with stock_whoosh.index.refresh().searcher() as searcher:
        found = {doc["id"] for doc in searcher.all_stored_fields()}
    assert found == {document_id(t) for t in corpus if t.status != "draft"}
    with pytest.raises(CommandError, match="cannot resume"):
        call_command("rebuild_index", resume=True, interactive=False, verbosity=0)
