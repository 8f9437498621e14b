"""A withdrawal or an erasure whose index write could not happen after its
commit (the index stayed locked, the process died) is still in force in
every public answer, counts and facets included, and the index catches up
by itself: the change is promised in the same transaction
(search.models.PendingIndexChange) and replayed by the next search."""

import datetime
import re
from contextlib import contextmanager
from pathlib import Path

import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from whoosh.index import open_dir

from search.indexing import REPLAY_AFTER
from search.models import PendingIndexChange
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

GUNICORN_CONFIG = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"


@contextmanager
def index_locked_elsewhere(backend, *, wait=0.05):
    """The index's write lock held by someone else (a rebuild, a stuck
    worker) for the whole block, and this process's writers giving up
    after `wait` seconds instead of the usual wait."""
    backend.setup()
    lock = backend.index.lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    timeout, backend.write_lock_timeout = backend.write_lock_timeout, wait
    try:
        yield
    finally:
        backend.write_lock_timeout = timeout
        lock.release()


def public_answer(client_for, users):
    response = client_for(users["anonymous"]).get("/api/search/", {"page_size": 100})
    assert response.status_code == 200
    return response.json()


def facet_counts(answer) -> dict:
    counts = {
        (name, value.get("slug") or value.get("value")): value["count"]
        for name, values in answer["facets"].items()
        for value in values
    }
    return {"count": answer["count"], **counts}


def indexed_ids() -> set[str]:
    """Every document in the index files, those marked deleted included."""
    with open_dir(settings.HAYSTACK_CONNECTIONS["default"]["PATH"]).reader() as reader:
        return {
            leaf.stored_fields(docnum)["id"]
            for leaf, _offset in reader.leaf_readers()
            for docnum in range(leaf.doc_count_all())
        }


def live_ids() -> set[str]:
    with open_dir(settings.HAYSTACK_CONNECTIONS["default"]["PATH"]).searcher() as s:
        return {fields["id"] for fields in s.all_stored_fields()}


def two_public_testimonies(coast):
    kept = factories.testimony(
        narrative="Gunmen came to Banias at dawn.",
        places=[coast["banias"]],
        communities=("sunni",),
        event_types=("looting",),
    )
    target = factories.testimony(
        narrative="In Jableh the shooting lasted all night.",
        places=[coast["jableh"]],
        communities=("alawite",),
        event_types=("killing", "threat"),
        incident=(datetime.date(2013, 5, 1),) * 2,
    )
    return kept, target


def replayed_by_the_next_search(client_for, users):
    """Past REPLAY_AFTER, with the lock free, a search writes what is
    pending (it was left by a process that never came back). The clock is
    moved on rather than waited for."""
    later = timezone.now() + REPLAY_AFTER + datetime.timedelta(seconds=0.1)
    with time_machine.travel(later, tick=True):
        return public_answer(client_for, users)


def test_a_withdrawal_the_index_could_not_take_is_in_force_at_once(
    search_index, coast, users, client_for
):
    kept, target = two_public_testimonies(coast)
    before = facet_counts(public_answer(client_for, users))
    assert before[("place", "jableh")] == 1 and before[("year", "2013")] == 1

    with index_locked_elsewhere(search_index):
        # Committed; its index write gives up on the lock, and says so in
        # the log, not to the person withdrawing.
        consent_withdraw(
            testimony=target, scopes=None, reason="afraid", obtained_by="test"
        )
        assert f"testimonies.testimony.{target.pk}" in live_ids()  # stale index
        answer = public_answer(client_for, users)

    assert {r["id"] for r in answer["results"]} == {kept.public_id}
    # Counts and facets as the database has it, not as the index still does.
    assert facet_counts(answer) == {
        "count": 1,
        ("place", "sy"): 1,
        ("place", "tartus-governorate"): 1,
        ("place", "banias"): 1,
        ("community", "sunni"): 1,
        ("event_type", "looting"): 1,
        ("year", "2025"): 1,
    }
    assert PendingIndexChange.objects.filter(testimony_pk=target.pk).exists()

    answer = replayed_by_the_next_search(client_for, users)
    assert f"testimonies.testimony.{target.pk}" not in live_ids()
    assert not PendingIndexChange.objects.exists()
    assert facet_counts(answer) == facet_counts(public_answer(client_for, users))
    assert answer["count"] == 1


def test_a_partial_withdrawal_narrows_every_answer_and_keeps_the_rest(
    search_index, coast, users, client_for
):
    kept, target = two_public_testimonies(coast)
    with index_locked_elsewhere(search_index):
        consent_withdraw(
            testimony=target, scopes=["public"], reason="afraid", obtained_by="x"
        )
        public = public_answer(client_for, users)
        researcher = client_for(users["researcher"]).get("/api/search/").json()
    assert public["count"] == 1
    # Left out for everyone until the index has caught up (it fails closed)...
    assert researcher["count"] == 1
    replayed_by_the_next_search(client_for, users)
    # ...and back for those it is still open to once it has.
    researcher = client_for(users["researcher"]).get("/api/search/").json()
    assert {r["id"] for r in researcher["results"]} == {
        kept.public_id,
        target.public_id,
    }
    assert public_answer(client_for, users)["count"] == 1


def test_an_erasure_the_index_could_not_take_is_purged_by_the_next_search(
    search_index, coast, users, client_for, moderator
):
    kept, target = two_public_testimonies(coast)
    with index_locked_elsewhere(search_index):
        testimony_erase(testimony=target, reason="threats", erased_by=moderator)
        answer = public_answer(client_for, users)
        similar = client_for(users["anonymous"]).get(kept.get_absolute_url())
    assert {r["id"] for r in answer["results"]} == {kept.public_id}
    assert ("place", "jableh") not in facet_counts(answer)
    assert target.public_id not in similar.content.decode()

    replayed_by_the_next_search(client_for, users)
    # Purged: not even a deleted document holds it in the index's files.
    assert f"testimonies.testimony.{target.pk}" not in indexed_ids()
    assert not PendingIndexChange.objects.exists()


def test_exports_leave_out_what_the_index_still_holds(
    search_index, coast, users, client_for
):
    kept, target = two_public_testimonies(coast)
    with index_locked_elsewhere(search_index):
        consent_withdraw(
            testimony=target, scopes=None, reason="afraid", obtained_by="test"
        )
        export = client_for(users["researcher"]).get("/search/export.json").json()
    assert export["count"] == 1
    assert [row["id"] for row in export["results"]] == [kept.public_id]


def test_a_change_still_being_written_is_left_out_but_not_written_twice(
    search_index, coast, users, client_for
):
    """A pending change younger than REPLAY_AFTER belongs to a process that
    is still writing it: searches leave the testimony out, and leave the
    writing to that process."""
    kept, target = two_public_testimonies(coast)
    with index_locked_elsewhere(search_index):
        consent_withdraw(
            testimony=target, scopes=None, reason="afraid", obtained_by="test"
        )
    answer = public_answer(client_for, users)  # at once: the lock is free
    assert answer["count"] == 1
    assert PendingIndexChange.objects.filter(testimony_pk=target.pk).exists()
    assert f"testimonies.testimony.{target.pk}" in live_ids()


def test_the_index_lock_wait_is_well_under_the_worker_timeout():
    """A withdrawal waits for the index's lock after its commit. If that
    wait could outlast gunicorn's worker timeout, the worker would be
    killed in it: the wait must end first, with time left to answer."""
    from archive.settings.base import search_connection

    timeout = float(
        re.search(r"^timeout = (\d+)", GUNICORN_CONFIG.read_text(), re.M).group(1)
    )
    lock_wait = search_connection(environ={})["WRITE_LOCK_TIMEOUT"]
    assert lock_wait * 3 <= timeout


def test_erasures_of_one_transaction_share_one_purge(
    search_index, coast, moderator, caplog
):
    kept, first = two_public_testimonies(coast)
    second = factories.testimony(narrative="Another account from Jableh.")
    caplog.set_level("INFO", logger="search.indexing")
    with transaction.atomic():
        testimony_erase(testimony=first, reason="threats", erased_by=moderator)
        testimony_erase(testimony=second, reason="threats", erased_by=moderator)
    purges = [r.getMessage() for r in caplog.records if "purged" in r.getMessage()]
    assert purges == ["search index: 2 documents purged"]
    assert indexed_ids() == {f"testimonies.testimony.{kept.pk}"}
    assert not PendingIndexChange.objects.exists()


def test_an_erasure_rolled_back_purges_nothing_at_the_next_commit(
    search_index, coast, moderator
):
    kept, target = two_public_testimonies(coast)
    try:
        with transaction.atomic():
            testimony_erase(testimony=target, reason="threats", erased_by=moderator)
            raise RuntimeError("the request failed after the erasure")
    except RuntimeError:
        pass
    other = factories.testimony(narrative="A later account, committed.")
    testimony_erase(testimony=other, reason="threats", erased_by=moderator)
    assert live_ids() == {
        f"testimonies.testimony.{kept.pk}",
        f"testimonies.testimony.{target.pk}",
    }
