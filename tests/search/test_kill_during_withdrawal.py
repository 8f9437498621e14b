"""A withdrawal or an erasure killed with SIGKILL at each point of its index
write leaves no trace in any public answer, and the index catches up with
no one doing anything.

Real processes on a real installation (tests.installation): gunicorn with
the production settings answers the public; `manage.py withdraw_consent`
and `manage.py erase_testimony` are started and killed at the moment
named: right after their commit, while they wait for the index's lock, and
inside the index write itself (while they hold the lock)."""

import signal
import time

import pytest
from whoosh.index import open_dir

from tests.installation import Installation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(prepared_installation):
    with Installation(workers=2, prepared=prepared_installation) as installation:
        yield installation


@pytest.fixture(scope="module")
def public_targets(site):
    """Public testimonies, one for each test to withdraw or erase."""
    answer = site.get("/api/search/", page_size=100).json()
    targets = [result["id"] for result in answer["results"]]
    assert len(targets) >= 12, "the seeds hold enough public testimonies"
    return iter(targets)


def public_answer(site) -> dict:
    """What the public is told: every result (page size 100), the count and
    the facet counts."""
    response = site.get("/api/search/", page_size=100)
    assert response.status_code == 200, response.text
    answer = response.json()
    return {
        "ids": sorted(result["id"] for result in answer["results"]),
        "count": answer["count"],
        "facets": answer["facets"],
        "tags": {
            result["id"]: (result["communities"], result["event_types"])
            for result in answer["results"]
        },
    }


def facet_count(answer, facet, slug) -> int:
    return next((v["count"] for v in answer["facets"][facet] if v["slug"] == slug), 0)


def pk_of(site, public_id) -> int:
    ((pk,),) = site.query(
        "SELECT id FROM testimonies_testimony WHERE public_id = ?", public_id
    )
    return pk


def status_of(site, public_id) -> str:
    ((status,),) = site.query(
        "SELECT status FROM testimonies_testimony WHERE public_id = ?", public_id
    )
    return status


def indexed(site, pk, *, deleted_too=False):
    """The stored fields of the testimony's document in the index files
    (with `deleted_too`, also a copy marked deleted but still on disk)."""
    identifier = f"testimonies.testimony.{pk}"
    with open_dir(str(site.index_path)).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            for docnum in range(leaf.doc_count_all()):
                if not deleted_too and leaf.is_deleted(docnum):
                    continue
                fields = leaf.stored_fields(docnum)
                if fields["id"] == identifier:
                    return fields
    return None


def wait_until(condition, *, seconds=60, every=0.02, what=""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


def kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def caught_up(site, public_id, *, written) -> dict:
    """Searches (as the public does) until the index holds what the killed
    process committed, `written(stored fields or None)`: the server writes
    it by itself. Then the public answer."""
    pk = pk_of(site, public_id)
    wait_until(
        lambda: public_answer(site) and written(indexed(site, pk)),
        seconds=60,
        every=0.3,
        what="the index to catch up by itself",
    )
    return public_answer(site)


def removed(document) -> bool:
    return document is None


def assert_gone_from_public(site, public_id, *, before, answer):
    """Gone from the results, the count and every facet count."""
    assert public_id not in answer["ids"]
    assert answer["count"] == before["count"] - 1
    communities, event_types = before["tags"][public_id]
    for facet, slugs in [("community", communities), ("event_type", event_types)]:
        for slug in slugs:
            assert facet_count(answer, facet, slug) == (
                facet_count(before, facet, slug) - 1
            ), (facet, slug)
    assert site.get(f"/testimonies/{public_id}/").status_code == 404


def withdrawal_killed_after_commit(site, public_id, *, wait_for_lock=0.0):
    """Withdraw everything while the index is locked by someone else; kill
    the command once its commit is in the database (and, with
    `wait_for_lock`, after it has been waiting that long for the lock).
    Returns the public answer while the lock is still held."""
    with site.index_locked():
        command = site.manage("withdraw_consent", public_id, "--reason", "afraid")
        wait_until(
            lambda: status_of(site, public_id) == "withdrawn",
            what="the withdrawal's commit",
        )
        time.sleep(wait_for_lock)
        assert command.poll() is None, "the command ended before it was killed"
        kill(command)
        assert indexed(site, pk_of(site, public_id)) is not None  # index stale
        # The lock is still held: no one can have written the index yet.
        return public_answer(site)


def test_killed_right_after_its_commit(site, public_targets):
    public_id = next(public_targets)
    before = public_answer(site)
    answer = withdrawal_killed_after_commit(site, public_id)
    assert_gone_from_public(site, public_id, before=before, answer=answer)
    assert caught_up(site, public_id, written=removed) == answer


def test_killed_while_waiting_for_the_index_lock(site, public_targets):
    public_id = next(public_targets)
    before = public_answer(site)
    answer = withdrawal_killed_after_commit(site, public_id, wait_for_lock=1.5)
    assert_gone_from_public(site, public_id, before=before, answer=answer)
    assert caught_up(site, public_id, written=removed) == answer


def killed_inside_the_index_write(site, public_targets, args):
    """Run the command on public testimonies until it is killed while it
    holds the index's write lock with its work not yet committed (the
    document still as it was); returns (public id, answer before)."""
    for _attempt in range(12):
        public_id = next(public_targets)
        before = public_answer(site)
        pk = pk_of(site, public_id)
        command = site.manage(*args(public_id))
        # A millisecond between looks: the command holds the lock for ten
        # milliseconds or more, and looking without a pause spent a whole
        # core for the seconds of its start-up, which the command and the
        # other tests were waiting for.
        while command.poll() is None and not site.index_busy():
            time.sleep(0.001)
        if command.poll() is not None:
            continue  # done before the probe saw it write: another one
        kill(command)
        document = indexed(site, pk)
        if document is not None and "public" in document["audiences"]:
            return public_id, before
        # It had committed: once it is all written, another testimony.
        wait_until(lambda: not site.index_busy(), what="the lock")
    pytest.fail("never caught a command inside its index write")


def test_killed_inside_the_index_write(site, public_targets):
    # Withdrawing `public` only: the document is rewritten for researchers,
    # the longest write a withdrawal makes.
    public_id, before = killed_inside_the_index_write(
        site,
        public_targets,
        lambda public_id: (
            "withdraw_consent", public_id, "--scope", "public", "--reason", "afraid"
        ),
    )  # fmt: skip
    answer = public_answer(site)
    assert_gone_from_public(site, public_id, before=before, answer=answer)
    for_researchers = caught_up(
        site,
        public_id,
        written=lambda document: document["audiences"] == "researcher,export",
    )
    assert for_researchers == answer


def test_erasure_killed_inside_its_purge(site, public_targets):
    public_id, before = killed_inside_the_index_write(
        site,
        public_targets,
        lambda public_id: (
            "erase_testimony", public_id, "--reason", "threats", "--yes"
        ),
    )  # fmt: skip
    answer = public_answer(site)
    assert_gone_from_public(site, public_id, before=before, answer=answer)
    assert caught_up(site, public_id, written=removed) == answer
    # Purged: not even a copy marked deleted is left in the index's files.
    pk = pk_of(site, public_id)
    wait_until(lambda: indexed(site, pk, deleted_too=True) is None, what="purge")


def test_a_restarted_server_writes_what_was_left_before_answering(site, public_targets):
    public_id = next(public_targets)
    answer = withdrawal_killed_after_commit(site, public_id)
    pk = pk_of(site, public_id)
    assert indexed(site, pk) is not None
    site.restart()  # every worker replays at start, before its first request
    assert indexed(site, pk) is None
    assert public_answer(site) == answer
