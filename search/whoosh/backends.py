"""The embedded Whoosh engine: a backend whose writes are never lost.

Stock haystack writes with an AsyncWriter (updates) and a plain writer
(removals) and, with SILENTLY_FAIL, logs and drops a write that meets
another process's lock. For this archive a dropped removal is a withdrawn
testimony left searchable. Here every write, removal and clear waits for
Whoosh's inter-process write lock (fcntl) up to WRITE_LOCK_TIMEOUT seconds,
and a write that still cannot happen raises instead of vanishing.
"""

import datetime
import heapq
import logging
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from haystack.backends import SQ, log_query
from haystack.backends.whoosh_backend import (
    WhooshEngine,
    WhooshSearchBackend,
    WhooshSearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, FILTER_SEPARATOR, ID
from haystack.exceptions import SearchBackendError
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import formats
from whoosh import query as whoosh_query
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.index import TOC, EmptyIndexError, LockError
from whoosh.reading import TermNotFound
from whoosh.searching import Results, ResultsPage
from whoosh.writing import CLEAR

from search.analysis import text_analyzer
from search.documents import documents_prepare
from search.engine import ArchiveSearchBackend, asks_keys_only
from search.whoosh import ranking, rebuild, similar
from search.whoosh.journal import JOURNAL_EVERYTHING, JOURNAL_PURGED, journal_append
from search.whoosh.searchers import CachedOverlapFacet, docs_bitmap, shared_searcher
from search.whoosh.vocabulary import IndexVocabulary

logger = logging.getLogger(__name__)

# The text's matches of the current request (one_request): (version of the
# index, query) -> their scores; None outside a request that asked.
_REQUEST_MATCHES: ContextVar[dict | None] = ContextVar(
    "whoosh_request_matches", default=None
)

# The query's words marked in excerpts, at most (a prefix may stand for many).
_MARKED_TERMS = 64


class LockingWhooshSearchBackend(WhooshSearchBackend, ArchiveSearchBackend):
    rebuilds_itself = True
    corrects_from_index = True
    gives_match_spans = True

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.write_lock_timeout = float(
            connection_options.get("WRITE_LOCK_TIMEOUT", 60.0)
        )

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        self._analyse_text(schema[content_field_name])
        self._lighten_text(schema, content_field_name)
        self._keep_characters(schema[content_field_name])
        return content_field_name, schema

    @staticmethod
    def _keep_characters(field):
        """Each word's occurrences keep where they stand in the text, as
        well as their positions: a page of results marks the query's words
        in its excerpts from the postings (match_spans), without analysing
        each text again."""
        field.format = formats.Characters(field_boost=field.format.field_boost)

    @staticmethod
    def _lighten_text(schema, name):
        """Haystack makes the document field sortable (a column holding every
        text again) and spell-checked (a second field of every word). Nothing
        sorts by the text, and suggestions read the text field's own terms
        (search.whoosh.vocabulary): both only slowed indexing, about threefold."""
        field = schema[name]
        field.column_type = None
        if field.spelling:
            field.spelling = False
            schema.remove(f"spell_{name}")

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

    # Searching ------------------------------------------------------------

    def _shared(self):
        if not self.setup_complete:
            self.setup()
        return shared_searcher(self.path)

    def _open_index(self):
        self.index = self.index.refresh()
        return self.index

    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        within=None,
        dwithin=None,
        distance_point=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        """One search on the process's open searcher (search.whoosh.searchers).

        Narrow queries (FilteringWhooshSearchQuery puts the role filter and
        every facet or date filter there) become one Whoosh filter of the
        same search, their matches cached until the index changes. The
        matching documents are found once (_matching: for a query of words,
        by scoring them, search.whoosh.ranking); their count and the field
        facets come from that set (facets as bitmaps kept with the
        searcher: _field_counts), and only the requested page is ranked or
        sorted (_page) and read.
        """
        holder = self._shared()
        query_string = force_str(query_string)
        # As stock haystack: an empty or one-character query finds nothing.
        if not query_string or (len(query_string) <= 1 and query_string != "*"):
            return {"results": [], "hits": 0}
        sort_by, reverse = self._whoosh_sort(sort_by)
        if query_facets is not None:
            warnings.warn("Whoosh does not handle query faceting.", stacklevel=2)
        parsed = self.parser.parse(query_string)
        if parsed is None:  # stopwords only
            return {"results": [], "hits": 0}
        filters = [force_str(nq) for nq in sorted(narrow_queries or ())]
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        with holder.searching(self._open_index) as searcher:
            if not searcher.doc_count():
                return {"results": [], "hits": 0, "spelling_suggestion": None}
            filters += self._model_filter(
                holder, searcher, models, limit_to_registered_models
            )
            found = self._matching(holder, searcher, parsed, filters)
            matched = found.docs
            group_by, facet_types = self._grouping(holder, facets, date_facets)
            counted_apart = not date_facets
            if not matched:
                return self._nothing_found(facet_types)
            try:
                raw_page = self._page(
                    searcher,
                    found if counted_apart else found._replace(docs=None),
                    page_num,
                    page_length,
                    sortedby=sort_by,
                    reverse=reverse,
                    groupedby=None if counted_apart else group_by,
                )
            except ValueError:
                if not self.silently_fail:
                    raise
                return {"results": [], "hits": 0, "spelling_suggestion": None}
            # Whoosh answers the last page for a page past the end: no
            # results then, but the count and facets of the whole search
            # (the caller tells how many pages there are).
            past_the_end = raw_page.pagenum < page_num
            if asks_keys_only(fields) and not group_by:
                return {
                    "results": []
                    if past_the_end
                    else self._key_results(holder, searcher, raw_page, result_class),
                    "hits": len(raw_page),
                    "facets": {},
                    "spelling_suggestion": None,
                }
            # highlight(spans=True): where the query's words stand in each
            # result's stored text, rather than haystack's marked text.
            spans = isinstance(highlight, dict) and highlight.get("spans")
            processed = self._process_results(
                raw_page,
                highlight=bool(highlight) and not spans and not past_the_end,
                query_string=query_string,
                spelling_query=spelling_query,
                result_class=result_class,
                facet_types=None if counted_apart else facet_types,
            )
            if counted_apart and facet_types:
                processed["facets"] = self._field_counts(
                    holder, searcher, facet_types, matched
                )
            if past_the_end:
                processed["results"] = []
            elif spans:
                self._match_spans(searcher, parsed, raw_page, processed["results"])
            return processed

    @contextmanager
    def one_request(self):
        """Within the block, each text's matches and scores are computed
        once per version of the index (_matching): a request's page and its
        facet counts without one filter each search the same text."""
        token = _REQUEST_MATCHES.set({})
        try:
            yield
        finally:
            _REQUEST_MATCHES.reset(token)

    @staticmethod
    def _page(searcher, found: "_Matching", page_num, page_length, **options):
        """Whoosh's search_page for what _matching `found`. When it knows
        which documents match, the page is ranked from their scores, sorted
        by the asked fields, or (with no text to rank) taken in index order,
        by search.whoosh.ranking where it can; and Whoosh is told how many
        match, which it would otherwise count by walking every match again.
        """
        query, matched = found.query, found.docs
        if matched is None:
            return searcher.search_page(
                query, page_num, pagelen=page_length, filter=found.allowed, **options
            )
        if page_num < 1:
            raise ValueError("pagenum must be >= 1")
        limit = page_num * page_length
        if options.get("sortedby"):
            ranked = ranking.sorted_page(
                searcher, options["sortedby"], options.get("reverse"), matched, limit
            )
        elif found.scores is not None:
            ranked = ranking.best_ranked(found.scores, matched, limit)
        elif not found.has_text:
            ranked = [(0.0, docnum) for docnum in heapq.nsmallest(limit, matched)]
        else:  # a query search.whoosh.ranking does not score: Whoosh ranks
            ranked = None
        if ranked is None:
            options["filter"] = found.allowed
            results = searcher.search(query, limit=limit, **options)
        else:
            results = Results(searcher, query, ranked)
        # The count Results.__len__ would compute: Whoosh keeps it here.
        results._total = len(matched)
        return ResultsPage(results, page_num, page_length)

    @staticmethod
    def _nothing_found(facet_types):
        facets = {"fields": {}, "dates": {}, "queries": {}} if facet_types else {}
        for name, kind in (facet_types or {}).items():
            facets[kind][name] = []
        return {
            "results": [],
            "hits": 0,
            "facets": facets,
            "spelling_suggestion": None,
        }

    @staticmethod
    def _field_counts(holder, searcher, facet_types, matched: set) -> dict:
        """The field facets of the documents `matched`, as haystack's
        _process_results gives them: (value, count), most first, then by
        value, with documents holding no value counted under None last
        among equals."""
        bitmap = docs_bitmap(matched)
        facets = {"fields": {}, "dates": {}, "queries": {}}
        for name in facet_types:
            counts = holder.counts_by_value(searcher, name, bitmap)
            valueless = counts.pop(None, None)
            listed = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            if valueless is not None:
                at = next(
                    (i for i, (_v, n) in enumerate(listed) if n < valueless),
                    len(listed),
                )
                listed.insert(at, (None, valueless))
            facets["fields"][name] = listed
        return facets

    def _key_results(self, holder, searcher, raw_page, result_class):
        """The page's results as haystack's values_list() reads them, with
        their model and primary key only, read from the index's terms (the
        holder keeps them per segment), not from the stored documents: a
        whole document holds the testimony's text, which the map and the
        timeline never read, and reading thousands of them was most of
        their time. The caller checks every key against the database, as
        for any result."""
        result_class = result_class or SearchResult
        content_types = holder.field_values(searcher, DJANGO_CT)
        ids = holder.field_values(searcher, DJANGO_ID)
        indexed = set(self.build_models_list())  # "app_label.model_name"
        results = []
        for hit in raw_page:  # a Hit reads no stored field until asked
            label, pk = content_types(hit.docnum), ids(hit.docnum)
            if label not in indexed or pk is None:
                continue
            app_label, model_name = label.split(".")
            results.append(result_class(app_label, model_name, pk, hit.score or 0))
        return results

    def _match_spans(self, searcher, parsed, raw_page, results):
        """Give each result `match_spans`: (start, end, term) of every
        occurrence of the query's words in its stored text, read from the
        postings of the page's documents (the field keeps characters), so
        that no text is analysed again. Left unset on an index built
        before characters were kept: the excerpt then analyses the text."""
        name = self.content_field_name
        field = searcher.schema[name]
        if not field.supports("characters"):
            return
        docnums = {str(hit["django_id"]): hit.docnum for hit in raw_page}
        wanted = sorted(docnums.values())
        terms = sorted(
            text
            for fieldname, text in parsed.existing_terms(searcher.reader(), expand=True)
            if fieldname == name
        )[:_MARKED_TERMS]
        found = {docnum: [] for docnum in wanted}
        for term in terms:
            try:
                postings = searcher.postings(name, term)
            except TermNotFound:
                continue
            word = field.from_bytes(term)
            for docnum in wanted:
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                if postings.is_active() and postings.id() == docnum:
                    found[docnum] += [
                        (start, end, word)
                        for _position, start, end in postings.value_as("characters")
                    ]
        for result in results:
            docnum = docnums.get(str(result.pk))
            result.match_spans = sorted(found.get(docnum, ()))

    @staticmethod
    def _whoosh_sort(sort_by):
        """Haystack's order_by fields as Whoosh's sortedby and reverse."""
        if not sort_by:
            return None, False
        descending = [field.startswith("-") for field in sort_by]
        if any(descending) and not all(descending):
            raise SearchBackendError(
                "Whoosh requires all order_by fields to use the same sort direction"
            )
        return [field.lstrip("-") for field in sort_by], descending[0]

    @staticmethod
    def _grouping(holder, facets, date_facets):
        group_by, facet_types = [], {}
        for field in facets or ():
            group_by.append(CachedOverlapFacet(field, holder))
            facet_types[field] = "fields"
        if date_facets:
            from haystack.backends.whoosh_backend import (
                Count,
                DateRangeFacet,
                RelativeDelta,
            )

            for key, value in date_facets.items():
                start, end = (
                    _as_datetime(value["start_date"]),
                    _as_datetime(value["end_date"]),
                )
                gap = RelativeDelta(
                    **{f"{value['gap_by']}s": value.get("gap_amount", 1)}
                )
                group_by.append(DateRangeFacet(key, start, end, gap, maptype=Count))
                facet_types[key] = "dates"
        return group_by, facet_types

    def _model_filter(self, holder, searcher, models, limit_to_registered_models):
        """Haystack's restriction to the asked (or registered) models, as a
        filter query, left out when the index holds nothing else."""
        if limit_to_registered_models is None:
            limit_to_registered_models = getattr(
                settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True
            )
        if models:
            choices = {f"{m._meta.app_label}.{m._meta.model_name}" for m in models}
        elif limit_to_registered_models:
            choices = set(self.build_models_list())
        else:
            return []
        if not choices or holder.content_types(searcher, DJANGO_CT) <= choices:
            return []
        return [" OR ".join(f"{DJANGO_CT}:{ct}" for ct in sorted(choices))]

    def _matching(self, holder, searcher, parsed, filters) -> "_Matching":
        """What the search `parsed` under the narrow queries `filters`
        matches. With no text, the most selective filter stands for the
        query and the others filter it. A query of words alone is scored
        once (search.whoosh.ranking), which also tells what it matches."""
        if isinstance(parsed, whoosh_query.Every):
            # Every document has a text: all of them, without walking the
            # text field's whole vocabulary as Every("text") would.
            parsed = whoosh_query.Every()
        docsets = {
            text: holder.filter_docs(searcher, text, self._filter_query(text))
            for text in filters
        }
        order = sorted(filters, key=lambda text: len(docsets[text]))
        has_text = not isinstance(parsed, whoosh_query.Every)
        matched = scores = None
        if not has_text and not order:
            everything = set(searcher.reader().all_doc_ids())
            return _Matching(parsed, None, everything, None, has_text)
        if not has_text:
            most_selective, order = order[0], order[1:]
            parsed = self.parser.parse(most_selective)
            matched = docsets[most_selective]
        else:
            scores = self._word_scores(holder, searcher, parsed)
            if scores is not None:
                matched = set(scores)
        allowed = None
        for text in order:
            allowed = docsets[text] if allowed is None else allowed & docsets[text]
        if matched is None:
            matched = set(searcher.docs_for_query(parsed))
        if allowed is not None:
            matched = matched & allowed
        return _Matching(parsed, allowed, matched, scores, has_text)

    @staticmethod
    def _word_scores(holder, searcher, parsed):
        """search.whoosh.ranking.word_scores, kept for the request when the
        caller asked (one_request), for this version of the index only."""
        kept = _REQUEST_MATCHES.get()
        key = (holder.stamp, str(parsed))
        if kept is not None and holder.stamp is not None and key in kept:
            return kept[key]
        scores = ranking.word_scores(searcher, holder, parsed)
        if kept is not None and holder.stamp is not None:
            kept[key] = scores
        return scores

    def _filter_query(self, text):
        return lambda: self.parser.parse(text)

    # Writing --------------------------------------------------------------

    def _writer(self, *, urgent=False, lock_timeout=None):
        """A writer holding the index's write lock, waited for up to
        `lock_timeout` seconds (default WRITE_LOCK_TIMEOUT; 0: one try). An
        `urgent` writer (a removal: a withdrawal or an erasure) looks at the
        lock ten times as often as the others, so that when several
        processes wait, it is usually the next to have it.
        """
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        timeout = self.write_lock_timeout if lock_timeout is None else lock_timeout
        try:
            return self.index.writer(timeout=timeout, delay=0.005 if urgent else 0.05)
        except LockError as error:
            raise SearchBackendError(
                _("The search index stayed locked by another writer for %(s)s s.")
                % {"s": timeout}
            ) from error

    def update(self, index, iterable, commit=True, urgent=False, lock_timeout=None):
        """Write the documents of these objects as the database has them now.

        The objects are read again under the write lock: a rebuild or another
        worker that read the database before a withdrawal committed cannot
        write the withdrawn testimony back after its removal. Objects that
        may no longer be indexed are removed instead. Documents are prepared
        in batches (search.documents), without a query per object. `urgent`:
        see _writer.
        """
        pks = [obj.pk for obj in iterable]
        if not pks:
            return
        writer = self._writer(urgent=urgent, lock_timeout=lock_timeout)
        try:
            self.write_fresh(writer, index, pks)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def write_fresh(self, writer, index, pks):
        """Under the held write lock: read these objects from the database,
        write the documents of those that may be indexed and delete the
        others."""
        meta = index.get_model()._meta
        fresh = index.index_queryset().filter(pk__in=pks).in_bulk()
        documents = documents_prepare(index, list(fresh.values()))
        for pk in pks:
            document = documents.get(pk)
            if document is None:
                writer.delete_by_term(ID, f"{meta.label_lower}.{pk}")
            else:
                writer.update_document(**self.whoosh_fields(document))
        journal_append(self.path, [f"{meta.label_lower}.{pk}" for pk in pks])

    def whoosh_fields(self, document: dict) -> dict:
        document = dict(document)
        document.pop("boost", None)
        return {k: self._from_python(v) for k, v in document.items()}

    def remove(self, obj_or_string, commit=True):
        self.remove_many([get_identifier(obj_or_string)])

    def remove_many(self, identifiers, *, lock_timeout=None):
        """Remove documents by haystack identifier ("app.model.pk")."""
        self._delete(identifiers, purge=False, lock_timeout=lock_timeout)

    def purge_many(self, identifiers, *, lock_timeout=None):
        """Remove documents so that nothing of them is left on disk.

        A Whoosh delete only marks a document deleted: its stored fields
        (the redacted text) and its terms stay in the segment files, readable
        by anyone who opens them, until a merge happens to rewrite that
        segment. For an erased testimony the deletion and a full merge
        (optimize) are committed together under the write lock: the merge
        copies only live documents into a new segment, and the commit then
        deletes the old segment files. Slower than remove_many, since the
        whole index is rewritten; used for erasure only. A rebuild running
        meanwhile is told (JOURNAL_PURGED): it merges fully too when it adds
        a segment prepared before the erasure.
        """
        self._delete(identifiers, purge=True, lock_timeout=lock_timeout)

    def _delete(self, identifiers, *, purge, lock_timeout=None):
        writer = self._writer(urgent=True, lock_timeout=lock_timeout)
        try:
            for identifier in identifiers:
                writer.delete_by_term(ID, identifier)
            journal_append(
                self.path, [*identifiers, JOURNAL_PURGED] if purge else identifiers
            )
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=purge)

    # What the archive asks of its engine (search.engine) -------------------

    # Each thread has its own backend (haystack's connections are per
    # thread), set up at its first use: the schema and the text field's name
    # exist only then.

    def similar_pks(self, *, pk, text, allowed, top):
        if not self.setup_complete:
            self.setup()
        return similar.similar_pks(self, pk=pk, text=text, allowed=allowed, top=top)

    def index_version(self):
        holder = self._shared()
        with holder.searching(self._open_index):
            return holder.stamp

    @contextmanager
    def vocabulary(self, allowed):
        if not self.setup_complete:
            self.setup()
        with self.searching() as searcher:
            yield IndexVocabulary(self, searcher, allowed)

    def text_analyzer(self):
        if not self.setup_complete:
            self.setup()
        return self.schema[self.content_field_name].analyzer

    def rebuild(self, *, resume, batch_size, workers, progress):
        return rebuild.index_rebuild(
            resume=resume, batch_size=batch_size, workers=workers, progress=progress
        )

    @contextmanager
    def searching(self):
        """The process's searcher (search.whoosh.searchers), as the index is
        now: the one every search uses, not a new one opened for each call."""
        with self._shared().searching(self._open_index) as searcher:
            yield searcher

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
            journal_append(self.path, [JOURNAL_EVERYTHING])
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


class _Matching(NamedTuple):
    """What a search matches (LockingWhooshSearchBackend._matching)."""

    # What Whoosh runs where it must: the text's query, or with no text the
    # most selective filter.
    query: whoosh_query.Query
    # The documents the other filters let through (None: any).
    allowed: set | None
    # The documents matched (global numbers; None: left to Whoosh).
    docs: set | None
    # Their scores, for a query of words alone (search.whoosh.ranking).
    scores: dict | None
    # Whether there is a text to rank by.
    has_text: bool


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


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime(value.year, value.month, value.day)


def _scores(child, content_fields) -> bool:
    """Does this part of a haystack query (a lookup or an SQ) search the
    text, and so belong to what ranks the results?"""
    if hasattr(child, "children"):
        return any(_scores(grandchild, content_fields) for grandchild in child.children)
    expression, _value = child
    return expression.split(FILTER_SEPARATOR)[0] in content_fields


class FilteringWhooshSearchQuery(WhooshSearchQuery):
    """Haystack's Whoosh query, with everything that only narrows (the role
    filter, facet values, dates) sent as narrow queries, which our backend
    runs as a Whoosh filter of the same search, cached per index version,
    and the text alone as the query that ranks. Without text, the filters
    are the query."""

    def _parts(self):
        tree = self.query_filter
        if tree.connector != SQ.AND or tree.negated or len(tree.children) < 2:
            return tree, None
        from haystack import connections

        document_field = connections[self._using].get_unified_index().document_field
        content_fields = {"content", document_field}
        ranking, narrowing = SQ(), []
        for child in tree.children:
            if _scores(child, content_fields):
                ranking.children.append(child)
            else:
                narrowing.append(child)
        return ranking, narrowing

    def build_query(self):
        ranking, _narrowing = self._parts()
        final_query = ranking.as_query_string(self.build_query_fragment)
        if not final_query:
            final_query = self.matching_all_fragment()
        if self.boost:
            boosts = " ".join(self.boost_fragment(w, v) for w, v in self.boost.items())
            final_query = f"{final_query} {boosts}"
        return final_query

    def build_params(self, spelling_query=None):
        kwargs = super().build_params(spelling_query)
        _ranking, narrowing = self._parts()
        if narrowing:
            narrow = set(kwargs.get("narrow_queries") or ())
            for child in narrowing:
                node = SQ()
                node.children.append(child)
                narrow.add(node.as_query_string(self.build_query_fragment))
            kwargs["narrow_queries"] = narrow
        return kwargs


class LockingWhooshEngine(WhooshEngine):
    backend = LockingWhooshSearchBackend
    query = FilteringWhooshSearchQuery
