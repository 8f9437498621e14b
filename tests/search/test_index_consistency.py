"""The index follows the database after every commit, holds only redacted
text, and never loses a removal, even while other processes write to it."""

import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from haystack import connections
from haystack.backends.whoosh_backend import WhooshSearchBackend

from testimonies.models import Testimony
from testimonies.vault.identity import identity_store
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

INDEX_PATH = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]

# Another process writing to the same Whoosh index, the way a second web
# worker or a rebuild would: it takes the write lock again and again and
# holds it for a while each time.
NOISY_WRITER = textwrap.dedent(
    """
    import sys, time
    from whoosh.index import open_dir
    path, seconds, hold = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    ix = open_dir(path)
    end, n = time.time() + seconds, 0
    while time.time() < end:
        writer = ix.writer(timeout=60, delay=0.01)
        if n == 0:  # say so only once the lock is held: tests count on it
            print("started", flush=True)
        writer.add_document(id=f"noise.noise.{n}", django_ct="noise.noise",
                            django_id=str(n), text="noise")
        time.sleep(hold)
        writer.commit()
        n += 1
    print(n, flush=True)
    """
)


def stored_documents():
    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        return {doc["id"]: doc for doc in searcher.all_stored_fields()}


def document_of(testimony):
    return stored_documents().get(f"testimonies.testimony.{testimony.pk}")


def start_writers(count, seconds, hold):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", NOISY_WRITER, INDEX_PATH, str(seconds), str(hold)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "started"
    return procs


def finish(procs):
    # Read through the same buffered pipe as start_writers: communicate()
    # with a timeout reads the raw pipe and misses what readline() buffered.
    for proc in procs:
        proc.wait(timeout=120)
    written = [int(proc.stdout.read().strip()) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    return written


def test_index_holds_redacted_text_and_no_identity(search_index):
    testimony = factories.testimony(
        witness_name="Ayman Fares",
        narrative="I am Ayman Fares; Samir Khoury hid me in Banias.",
        persons_named=["Samir Khoury", "سمير خوري"],
        translations={"ar": "أنا أيمن. سمير خوري خبأني."},
    )
    # The Arabic spelling of the witness's name, added later: reindexed too.
    identity_store(
        witness=testimony.witness, name="Ayman Fares", name_variants=["أيمن فارس"]
    )
    document = document_of(testimony)
    flattened = " ".join(str(value) for value in document.values())
    for secret in ["Ayman", "Fares", "Samir", "Khoury", "سمير", "أيمن"]:
        assert secret not in flattened
    assert f"[{testimony.witness.pseudonym}]" in document["text"]
    assert "[person 1]" in document["text"]
    assert document["audiences"] == "public,researcher,export"


def test_only_what_may_be_indexed_is_indexed(search_index):
    draft = factories.testimony(status="draft")
    no_archive = factories.testimony(consent={})
    submitted = factories.testimony(status="submitted")
    assert document_of(draft) is None and document_of(no_archive) is None
    assert document_of(submitted)["audiences"] in ("", None)


def test_changes_reach_the_index_after_commit(search_index):
    testimony = factories.testimony(narrative="first words")
    assert "first words" in document_of(testimony)["text"]
    testimony.narrative = "second words"
    testimony.save()
    assert "second words" in document_of(testimony)["text"]
    testimony.event_types.clear()
    assert document_of(testimony)["event_types"] in ("", None)


def test_a_rolled_back_change_never_reaches_the_index(search_index):
    from django.db import transaction

    testimony = factories.testimony(narrative="kept words")
    with pytest.raises(RuntimeError), transaction.atomic():
        testimony.narrative = "lost words"
        testimony.save()
        raise RuntimeError
    assert "kept words" in document_of(testimony)["text"]


@pytest.mark.slow
def test_withdrawal_leaves_the_index_before_the_command_returns_under_load(
    search_index, users, client_for
):
    testimonies = [
        factories.testimony(narrative=f"Banias account {n}") for n in range(3)
    ]
    target = testimonies[1]
    writers = start_writers(count=3, seconds=4, hold=0.05)
    try:
        time.sleep(0.3)  # the writers are now taking turns with the lock
        call_command(
            "withdraw_consent", target.public_id, reason="the family is afraid"
        )
        # Checked while the other writers are still running.
        assert document_of(target) is None
        for role in ["anonymous", "researcher", "documenter"]:
            body = client_for(users[role]).get("/api/search/", {"q": "Banias"}).json()
            assert target.public_id not in {r["id"] for r in body["results"]}
            page = client_for(users[role]).get(target.get_absolute_url())
            assert page.status_code == 404
        assert (
            client_for(users["moderator"]).get(target.get_absolute_url()).status_code
            == 200
        )
    finally:
        written = finish(writers)
    assert all(n > 0 for n in written)
    assert document_of(target) is None
    assert document_of(testimonies[0]) and document_of(testimonies[2])


@pytest.mark.slow
def test_removal_waits_for_a_lock_held_by_another_process(search_index):
    testimony = factories.testimony()
    writers = start_writers(count=1, seconds=1.5, hold=1.0)  # holds the lock ~1 s
    try:
        testimony.status = "withdrawn"
        testimony.save()  # reindex: must wait, then remove
        assert document_of(testimony) is None
    finally:
        finish(writers)


def test_a_writer_that_read_before_a_withdrawal_cannot_write_it_back(search_index):
    """A rebuild or a second worker reads the database, a withdrawal commits
    and leaves the index, then the slow writer writes what it read."""
    testimony = factories.testimony(narrative="Banias account read too early")
    index = connections["default"].get_unified_index().get_index(Testimony)
    read_early = list(index.index_queryset().filter(pk=testimony.pk))
    call_command("withdraw_consent", testimony.public_id, reason="afraid")
    assert document_of(testimony) is None
    search_index.update(index, read_early)
    assert document_of(testimony) is None


@pytest.mark.slow
def test_stock_haystack_would_have_lost_that_removal(search_index):
    """Why we have our own backend: the stock one drops a removal that meets
    another writer's lock, and says nothing."""
    testimony = factories.testimony()
    stock = WhooshSearchBackend("default", PATH=INDEX_PATH)
    writers = start_writers(count=1, seconds=1.5, hold=1.0)
    try:
        stock.remove(testimony)  # silently fails on LockError
    finally:
        finish(writers)
    assert document_of(testimony) is not None


def test_rebuild_index_rebuilds_from_the_database(search_index):
    kept = factories.testimony()
    gone = factories.testimony()
    Testimony.objects.filter(pk=gone.pk).update(status="draft")  # index not told
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert document_of(kept) is not None and document_of(gone) is None


# Another process searching the same index with one searcher kept open, the
# way a web worker does: it answers each line of stdin with the ids found.
SEARCHING_PROCESS = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from haystack.query import SearchQuerySet
    from haystack.inputs import AutoQuery
    from testimonies.models import Testimony
    print("ready", flush=True)
    for line in sys.stdin:
        found = SearchQuerySet().models(Testimony).filter(content=AutoQuery("Banias"))
        print(",".join(sorted(r.pk for r in found)), flush=True)
    """
)


@pytest.mark.slow
def test_a_withdrawal_is_gone_from_the_next_search_of_another_process(
    search_index, settings
):
    import os

    testimonies = [
        factories.testimony(narrative=f"Banias account {n}") for n in range(3)
    ]
    target = testimonies[0]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.search.other_process"}
    env["ARCHIVE_TEST_INDEX"] = INDEX_PATH
    other = subprocess.Popen(
        [sys.executable, "-c", SEARCHING_PROCESS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert other.stdout.readline().strip() == "ready"

        def search_there():
            other.stdin.write("search\n")
            other.stdin.flush()
            return set(filter(None, other.stdout.readline().strip().split(",")))

        assert str(target.pk) in search_there()  # its searcher is now open
        call_command("withdraw_consent", target.public_id, reason="afraid")
        found = search_there()
        assert str(target.pk) not in found
        assert {str(t.pk) for t in testimonies[1:]} <= found
    finally:
        other.stdin.close()
        other.wait(timeout=60)
