"""Keeping the index in step with the database, after each commit.

Every change that can alter what a testimony's document holds or who may see
it (the testimony, its consent, its witness's identity, its places) schedules
the testimony here. The transaction that makes the change also writes a
PendingIndexChange row (search.models): the change and the promise to bring
the index in line commit together. Once the transaction commits, the
documents of all the testimonies it touched are rewritten in one write, and
those that may no longer be indexed are removed; then the rows go. It runs
in the same request or command, so a withdrawal has left the index when the
request returns.

If that process dies between its commit and the end of the index write
(killed while it waited for the index's lock, or inside the write), the rows
stay behind. Every search asks index_pending() first: it leaves those
testimonies out of the results, the counts and the facets, and replays
whatever a dead process left; every server process replays them all when
it starts (index_pending_replay). Nobody has to run anything by hand.
"""

import datetime
import logging

from django.db import DatabaseError, transaction
from django.utils import timezone
from haystack import connections
from haystack.exceptions import SearchBackendError

from search.engine import search_engine
from search.models import PendingIndexChange
from testimonies.models import Testimony

logger = logging.getLogger(__name__)

# A change younger than this is still being written by the process that
# made it (it is waiting for the lock, or writing): a search leaves it out
# but does not write it again. Older ones, found while the index's lock is
# free, were left by a process that died.
REPLAY_AFTER = datetime.timedelta(seconds=1)


def testimonies_reindex(pks, *, using="default", urgent=False, lock_timeout=None):
    """Rewrite or remove the search documents of these testimonies now.
    Removals are always urgent (they go first when several processes wait
    for the index: search.engine); so are updates after a consent change.
    `lock_timeout`: seconds to wait for the index's lock, for an engine that
    has one (default: the connection's WRITE_LOCK_TIMEOUT)."""
    pks = set(pks)
    if not pks:
        return
    index = connections["default"].get_unified_index().get_index(Testimony)
    engine = search_engine()
    indexable = list(index.index_queryset().using(using).filter(pk__in=pks))
    gone = pks - {t.pk for t in indexable}
    if indexable:
        engine.update(index, indexable, urgent=urgent, lock_timeout=lock_timeout)
    if gone:
        engine.remove_many(
            [f"testimonies.testimony.{pk}" for pk in sorted(gone)],
            lock_timeout=lock_timeout,
        )
    logger.info("search index: %d updated, %d removed", len(indexable), len(gone))


def testimonies_purge(pks, *, lock_timeout=None) -> None:
    """Remove these testimonies from the index and from the index's files,
    for erasure: a plain removal leaves the text on disk until a merge."""
    identifiers = [f"testimonies.testimony.{pk}" for pk in sorted(set(pks))]
    if not identifiers:
        return
    search_engine().purge_many(identifiers, lock_timeout=lock_timeout)
    logger.info("search index: %d documents purged", len(identifiers))


def _pending_record(pks, *, using, purge=False) -> list[int]:
    """Write the promise of these index changes into the current
    transaction; returns the rows' ids."""
    rows = PendingIndexChange.objects.using(using).bulk_create(
        [PendingIndexChange(testimony_pk=pk, purge=purge) for pk in sorted(pks)]
    )
    return [row.pk for row in rows]


def _pending_done(ids, *, using) -> None:
    PendingIndexChange.objects.using(using).filter(pk__in=list(ids)).delete()


def testimonies_schedule_reindex(pks, *, using="default", urgent=False) -> None:
    """Reindex these testimonies once the current transaction commits (at
    once outside a transaction), with the promise to do so written in it.

    Every call registers its own callback, so none can be lost; they share
    one set per connection, and the first to run writes the whole batch in
    one go. Testimonies left in the set by a rolled-back transaction are
    simply reindexed at the next commit, which is harmless. A write that
    fails (the index stayed locked) is logged and left to the pending rows:
    searches leave those testimonies out until one of them replays it.
    """
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    if urgent and search_engine().shares_transactions_with(using):
        # An index in this database (search.postgres): the change that may
        # narrow who sees these testimonies (a withdrawal) rewrites or
        # removes their documents in its own transaction, so that they
        # commit together or not at all. The rewrite after the commit
        # below still runs, with the state the transaction left.
        testimonies_reindex(pks, using=using, urgent=True)
    connection = transaction.get_connection(using)
    state = connection.__dict__
    batch = state.setdefault("_archive_reindex_batch", set())
    batch.update(pks)
    pending = state.setdefault("_archive_reindex_pending", set())
    pending.update(_pending_record(pks, using=using))
    state["_archive_reindex_urgent"] = state.get("_archive_reindex_urgent") or urgent

    def run():
        drained, was_urgent = set(batch), state.get("_archive_reindex_urgent", False)
        promised = set(pending)
        batch.clear()
        pending.clear()
        state["_archive_reindex_urgent"] = False
        try:
            testimonies_reindex(drained, using=using, urgent=was_urgent)
        except (SearchBackendError, OSError, DatabaseError):
            # The change is committed and its rows say so: every search
            # leaves these testimonies out until one replays them.
            logger.exception(
                "search index: %d testimonies not written; left pending",
                len(drained),
            )
            batch.update(drained)
            pending.update(promised)
            state["_archive_reindex_urgent"] = state["_archive_reindex_urgent"] or (
                was_urgent
            )
            return
        _pending_done(promised, using=using)

    transaction.on_commit(run, using=using)


def testimonies_schedule_purge(pks, *, using="default") -> None:
    """Purge these (erased) testimonies from the index once the current
    transaction commits, with the promise to do so written in it.

    A purge rewrites the whole index, so the erasures of one transaction
    share one: the first callback to run purges every testimony whose
    promise committed. A promise rolled back with its erasure is gone from
    the database, and its testimony is not purged."""
    pks = set(pks)
    if not pks:
        return
    engine = search_engine()
    if engine.shares_transactions_with(using):
        # An index in this database: the documents go in the erasure's own
        # transaction; the purge after the commit reclaims their space.
        engine.remove_many([f"testimonies.testimony.{pk}" for pk in sorted(pks)])
    connection = transaction.get_connection(using)
    promises = connection.__dict__.setdefault("_archive_purge_pending", set())
    promises.update(_pending_record(pks, using=using, purge=True))

    def run():
        ids = set(promises)
        promises.clear()
        committed = dict(
            PendingIndexChange.objects.using(using)
            .filter(pk__in=ids, purge=True)
            .values_list("pk", "testimony_pk")
        )
        if not committed:
            return
        try:
            testimonies_purge(committed.values())
        except (SearchBackendError, OSError) as error:
            logger.error("search index: erased testimonies left pending: %s", error)
            return
        _pending_done(committed, using=using)

    transaction.on_commit(run, using=using)


def index_pending(*, using="default", lock_timeout=0.0) -> set[int]:
    """The testimonies whose index documents may not match the database:
    every search leaves them out of its results, counts and facets.

    Changes left by a process that died (older than REPLAY_AFTER) are
    replayed first if the index's lock can be had within `lock_timeout`
    seconds (by default one try: a search never waits behind a writer);
    those written are no longer pending. Never raises for the index: what
    cannot be written now stays pending, and left out."""
    rows = list(
        PendingIndexChange.objects.using(using).values_list(
            "pk", "testimony_pk", "purge", "created_at"
        )
    )
    if not rows:
        return set()
    due_before = timezone.now() - REPLAY_AFTER
    due = [row for row in rows if row[3] <= due_before]
    written = _replay(due, using=using, lock_timeout=lock_timeout) if due else set()
    return {pk for row_id, pk, _purge, _at in rows if row_id not in written}


def index_pending_replay(*, using="default", lock_timeout=None) -> int:
    """Write every pending index change now (a server process starting, an
    operator); returns how many changes are still pending afterwards."""
    rows = list(
        PendingIndexChange.objects.using(using).values_list(
            "pk", "testimony_pk", "purge", "created_at"
        )
    )
    written = _replay(rows, using=using, lock_timeout=lock_timeout)
    return len(rows) - len(written)


def _replay(rows, *, using, lock_timeout) -> set[int]:
    """Apply these pending rows; the ids of those written."""
    if not rows:
        return set()
    purged = {pk for _id, pk, purge, _at in rows if purge}
    changed = {pk for _id, pk, purge, _at in rows if not purge} - purged
    try:
        if changed:
            testimonies_reindex(
                changed, using=using, urgent=True, lock_timeout=lock_timeout
            )
        if purged:
            testimonies_purge(purged, lock_timeout=lock_timeout)
    except (SearchBackendError, OSError):
        # Another writer has the lock: an everyday moment, not news.
        logger.debug("search index: %d pending changes wait for the lock", len(rows))
        return set()
    ids = {row[0] for row in rows}
    _pending_done(ids, using=using)
    logger.info("search index: %d pending changes replayed", len(rows))
    return ids


def index_pending_replay_at_start(*, lock_timeout=5.0) -> None:
    """For a server process starting (archive.wsgi, archive.asgi): write
    what a process that died left pending, before answering anyone. Never
    stops the start: the database may not be migrated yet, the index may
    stay locked (searches then leave those testimonies out, and replay them
    later)."""
    try:
        left = index_pending_replay(lock_timeout=lock_timeout)
    except DatabaseError as error:
        logger.warning("search index: pending changes not read at start: %s", error)
        return
    if left:
        logger.warning("search index: %d pending changes wait for the lock", left)
