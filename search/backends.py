"""A Whoosh backend whose writes are never lost.

Stock haystack writes with an AsyncWriter (updates) and a plain writer
(removals) and, with SILENTLY_FAIL, logs and drops a write that meets
another process's lock. For this archive a dropped removal is a withdrawn
testimony left searchable. Here every write, removal and clear waits for
Whoosh's inter-process write lock (fcntl) up to WRITE_LOCK_TIMEOUT seconds,
and a write that still cannot happen raises instead of vanishing.
"""

import logging

from django.utils.translation import gettext as _
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_CT, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.utils import get_identifier
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.index import TOC, EmptyIndexError, LockError
from whoosh.writing import CLEAR

from .analysis import text_analyzer

logger = logging.getLogger(__name__)


class LockingWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.write_lock_timeout = float(
            connection_options.get("WRITE_LOCK_TIMEOUT", 60.0)
        )

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        self._analyse_text(schema[content_field_name])
        return content_field_name, schema

    @staticmethod
    def _analyse_text(field):
        """The document field reads Arabic and English (search.analysis),
        where haystack would give it Whoosh's English StemmingAnalyzer."""
        field.analyzer = text_analyzer()

    def setup(self):
        super().setup()
        if self._schema_changed():
            logger.warning(
                "The search index was built with another schema or text "
                "analysis: run rebuild_index, or queries may miss documents."
            )

    def _process_results(self, raw_page, highlight=False, query_string="", **kw):
        processed = super()._process_results(
            raw_page, highlight=False, query_string=query_string, **kw
        )
        if highlight:
            self._highlight(processed["results"], query_string)
        return processed

    def _highlight(self, results, query_string):
        """Haystack's highlighting, with the text field's own analyzer
        (haystack hard-codes StemmingAnalyzer, which marks no Arabic)."""
        analyzer = self.schema[self.content_field_name].analyzer
        terms = {token.text for token in analyzer(query_string)}
        for result in results:
            text = getattr(result, self.content_field_name, None) or ""
            marked = highlight(
                text, terms, analyzer, ContextFragmenter(), HtmlFormatter("em")
            )
            result.highlighted = {self.content_field_name: [marked]}

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

    def _stored_schema(self):
        """The schema pickled in the index on disk (the open index reports
        the schema it was opened with, not the stored one); None when there
        is no index or its schema no longer unpickles."""
        try:
            return TOC.read(self.storage, self.index.indexname).schema
        except EmptyIndexError:
            return None
        except Exception:  # a class of an older analysis that is gone
            logger.warning("search: the stored index schema is unreadable")
            return None

    def _schema_changed(self) -> bool:
        """Whether the index on disk was built with other fields or another
        text analysis. Whoosh compares fields without their analyzers, so
        the analyzers are compared here too."""
        stored = self._stored_schema()
        if stored is None or sorted(stored.names()) != sorted(self.schema.names()):
            return True
        return any(
            _field_signature(stored[name]) != _field_signature(field)
            for name, field in self.schema.items()
        )

    def _recreate_if_schema_changed(self):
        # Haystack's own setup: this is the rebuild the warning asks for.
        super().setup()
        if self._schema_changed():
            lock = self.index.lock("WRITELOCK")
            lock.acquire(blocking=True)
            try:
                self.index = self.storage.create_index(self.schema)
            finally:
                lock.release()


def _field_signature(field) -> tuple:
    """What decides the terms and layout of a field on disk. Whoosh's own
    field equality leaves the analyzer out and compares sort columns by
    identity, which never holds for an unpickled schema."""
    return (
        type(field),
        field.format,
        field.scorable,
        field.stored,
        field.unique,
        type(field.column_type),
        getattr(field, "analyzer", None),
    )


class LockingWhooshEngine(WhooshEngine):
    backend = LockingWhooshSearchBackend
