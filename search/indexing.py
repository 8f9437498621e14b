"""Keeping the index in step with the database, after each commit.

Every change that can alter what a testimony's document holds or who may see
it (the testimony, its consent, its witness's identity, its places) schedules
the testimony here. Once the transaction commits, the documents of all the
testimonies it touched are rewritten in one write, and those that may no
longer be indexed are removed. It runs in the same request or command, so a
withdrawal has left the index when the request returns; if the write fails
it raises, and the database check on every result still hides the testimony.
"""

import logging

from django.db import transaction
from haystack import connections

logger = logging.getLogger(__name__)


def testimonies_reindex(pks, *, using="default", urgent=False) -> None:
    """Rewrite or remove the search documents of these testimonies now.
    Removals are always urgent (search.backends: they go first when several
    processes wait for the index); so are updates after a consent change."""
    from testimonies.models import Testimony

    pks = set(pks)
    if not pks:
        return
    unified = connections["default"].get_unified_index()
    index = unified.get_index(Testimony)
    backend = connections["default"].get_backend()
    indexable = list(index.index_queryset().using(using).filter(pk__in=pks))
    gone = pks - {t.pk for t in indexable}
    if indexable:
        if urgent and hasattr(backend, "write_fresh"):
            backend.update(index, indexable, urgent=True)
        else:
            backend.update(index, indexable)
    if gone:
        identifiers = [f"testimonies.testimony.{pk}" for pk in sorted(gone)]
        if hasattr(backend, "remove_many"):
            backend.remove_many(identifiers)
        else:
            for identifier in identifiers:
                backend.remove(identifier)
    logger.info("search index: %d updated, %d removed", len(indexable), len(gone))


def testimonies_purge(pks) -> None:
    """Remove these testimonies from the index and from the index's files,
    for erasure: a plain removal leaves the text on disk until a merge."""
    identifiers = [f"testimonies.testimony.{pk}" for pk in sorted(set(pks))]
    if not identifiers:
        return
    backend = connections["default"].get_backend()
    if not hasattr(backend, "purge_many"):
        # Another engine: it removes the documents, and must be told
        # separately to expunge deleted ones (Elasticsearch: forcemerge
        # with only_expunge_deletes).
        logger.error(
            "search index: %s cannot purge; %d erased documents only removed",
            type(backend).__name__,
            len(identifiers),
        )
        for identifier in identifiers:
            backend.remove(identifier)
        return
    backend.purge_many(identifiers)
    logger.info("search index: %d documents purged", len(identifiers))


def testimonies_schedule_reindex(pks, *, using="default", urgent=False) -> None:
    """Reindex these testimonies once the current transaction commits (at
    once outside a transaction).

    Every call registers its own callback, so none can be lost; they share
    one set per connection, and the first to run writes the whole batch in
    one go. Testimonies left in the set by a rolled-back transaction are
    simply reindexed at the next commit, which is harmless.
    """
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    connection = transaction.get_connection(using)
    state = connection.__dict__
    batch = state.setdefault("_archive_reindex_batch", set())
    batch.update(pks)
    state["_archive_reindex_urgent"] = state.get("_archive_reindex_urgent") or urgent

    def run():
        drained, was_urgent = set(batch), state.get("_archive_reindex_urgent", False)
        batch.clear()
        state["_archive_reindex_urgent"] = False
        try:
            testimonies_reindex(drained, using=using, urgent=was_urgent)
        except Exception:
            # Retried at the next commit on this connection, as urgent.
            batch.update(drained)
            state["_archive_reindex_urgent"] = state["_archive_reindex_urgent"] or (
                was_urgent
            )
            raise

    transaction.on_commit(run, using=using)
