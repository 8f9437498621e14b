"""A Whoosh backend whose writes are never lost.

Stock haystack writes with an AsyncWriter (updates) and a plain writer
(removals) and, with SILENTLY_FAIL, logs and drops a write that meets
another process's lock. For this archive a dropped removal is a withdrawn
testimony left searchable. Here every write, removal and clear waits for
Whoosh's inter-process write lock (fcntl) up to WRITE_LOCK_TIMEOUT seconds,
and a write that still cannot happen raises instead of vanishing.
"""

from django.utils.translation import gettext as _
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_CT, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.utils import get_identifier
from whoosh.index import LockError
from whoosh.writing import CLEAR


class LockingWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.write_lock_timeout = float(
            connection_options.get("WRITE_LOCK_TIMEOUT", 60.0)
        )

    def _writer(self):
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        try:
            return self.index.writer(timeout=self.write_lock_timeout, delay=0.05)
        except LockError as error:
            raise SearchBackendError(
                _("The search index stayed locked by another writer for %(s)s s.")
                % {"s": self.write_lock_timeout}
            ) from error

    def update(self, index, iterable, commit=True):
        """Write the documents of these objects as the database has them now.

        The objects are read again under the write lock: a rebuild or another
        worker that read the database before a withdrawal committed cannot
        write the withdrawn testimony back after its removal. Objects that
        may no longer be indexed are removed instead.
        """
        pks = [obj.pk for obj in iterable]
        if not pks:
            return
        meta = index.get_model()._meta
        writer = self._writer()
        try:
            fresh = index.index_queryset().filter(pk__in=pks).in_bulk()
            for pk in pks:
                document = self._document(index, fresh.get(pk))
                if document is None:
                    writer.delete_by_term(ID, f"{meta.label_lower}.{pk}")
                else:
                    writer.update_document(**document)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _document(self, index, obj):
        if obj is None:
            return None
        try:
            document = index.full_prepare(obj)
        except SkipDocument:
            return None
        document.pop("boost", None)
        return {k: self._from_python(v) for k, v in document.items()}

    def remove(self, obj_or_string, commit=True):
        self.remove_many([get_identifier(obj_or_string)])

    def remove_many(self, identifiers):
        """Remove documents by haystack identifier ("app.model.pk")."""
        writer = self._writer()
        try:
            for identifier in identifiers:
                writer.delete_by_term(ID, identifier)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def purge_many(self, identifiers):
        """Remove documents so that nothing of them is left on disk.

        A Whoosh delete only marks a document deleted: its stored fields
        (the redacted text) and its terms stay in the segment files, readable
        by anyone who opens them, until a merge happens to rewrite that
        segment. For an erased testimony the deletion and a full merge
        (optimize) are committed together under the write lock: the merge
        copies only live documents into a new segment, and the commit then
        deletes the old segment files. Slower than remove_many, since the
        whole index is rewritten; used for erasure only.
        """
        writer = self._writer()
        try:
            for identifier in identifiers:
                writer.delete_by_term(ID, identifier)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)

    def clear(self, models=None, commit=True):
        writer = self._writer()
        if models is None:
            # Empties the index under the lock; the next setup() after a
            # schema change recreates it (rebuild_index).
            writer.commit(mergetype=CLEAR)
            self.setup_complete = False
            self._recreate_if_schema_changed()
            return
        try:
            for model in models:
                app_model = f"{model._meta.app_label}.{model._meta.model_name}"
                writer.delete_by_term(DJANGO_CT, app_model)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _recreate_if_schema_changed(self):
        self.setup()
        stored = self.index.schema
        if sorted(stored.names()) != sorted(self.schema.names()):
            lock = self.index.lock("WRITELOCK")
            lock.acquire(blocking=True)
            try:
                self.index = self.storage.create_index(self.schema)
            finally:
                lock.release()


class LockingWhooshEngine(WhooshEngine):
    backend = LockingWhooshSearchBackend
