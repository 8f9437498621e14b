"""What the archive changes in haystack's OpenSearch and Elasticsearch backends.

ARCHIVE_SEARCH_ENGINE chooses the engine (archive.settings.base).

Beyond one machine the embedded Whoosh index (search.whoosh) gives way to a
search cluster. Two maintained haystack backends speak to one:
django-haystack-opensearch (the opensearch-py client, OpenSearch 1 to 3) and
haystack's own elasticsearch7_backend (the elasticsearch 7 client). Both are
subclassed with the same changes (search.cluster.opensearch,
search.cluster.elasticsearch), which this archive's safety needs:

- The document text (redacted narrative, translations, summary, places) is
  analysed by the engine's own `arabic` analyzer (normalisation of alef,
  teh marbuta and yeh forms, Arabic stop words, light stemming), with an
  `english` sub-field (`text.en`, Porter stemming); a query's words match in
  either.
- Every other string field is a keyword, matched whole: a filter on a place
  slug, a community, an event type or an audience (the role filter of
  testimonies.policy.search_filter) matches that value exactly, never a word
  inside another one. The facet copies (`*_exact`) are keywords as haystack
  makes them.
- Every write is followed by a refresh before it returns, so that a
  withdrawn testimony is gone from the very next search (a search engine
  otherwise shows changes only at its next periodic refresh).
- Documents are read again from the database just before they are sent, and
  those that may no longer be indexed, or that the index refuses (a flagged
  word undecided, search.search_indexes), are deleted instead: a rebuild that
  read a testimony before its withdrawal committed does not write it back
  from its stale copy. (A remote engine has no lock shared with the
  database, so this narrows the window rather than closing it; the
  database check on every result, search.selectors, covers the rest.)
- "More testimonies like this" is the engine's `more_like_this` query over
  the text and its English sub-field, the text to be like passed as the
  reader may see it, narrowed by the role filter. "Did you mean" reads the
  gazetteer only: the engine's term suggester counts words over the whole
  index, whatever the reader may see, and a word proposed from a hidden
  testimony would tell that it exists (search.suggestions).
- `purge_many` (erasure) deletes, then asks the engine to rewrite every
  segment that holds a deleted document (force merge with
  only_expunge_deletes; the index allows no deleted documents to be kept by
  that merge), and reports any that the engine still retains.

The test suite has no live cluster: it checks the settings, the mapping and
the requests built, not what the engine does with them (docs/production.md,
Search engine).
"""

import copy
import logging

import haystack
from haystack.constants import DJANGO_CT, DJANGO_ID
from haystack.query import SearchQuerySet
from haystack.utils import get_identifier

from search.engine import ArchiveSearchBackend

logger = logging.getLogger(__name__)

# The sub-field of the document text analysed as English.
ENGLISH_SUBFIELD = "en"
# Facet values returned when every one is asked for (haystack's limit=-1):
# the engines have no "all", only a size.
FACET_SIZE_ALL = 10_000
# How long a force merge may take before the request gives up (seconds).
FORCE_MERGE_TIMEOUT = 600

# The testimonies' documents (haystack's django_ct).
TESTIMONY_CT = "testimonies.testimony"
# Key terms drawn from a testimony's text to find others like it, as many
# as the Whoosh engine draws (search.whoosh.similar).
SIMILAR_KEY_TERMS = 12

TEXT_MAPPING = {
    "type": "text",
    "analyzer": "arabic",
    "fields": {ENGLISH_SUBFIELD: {"type": "text", "analyzer": "english"}},
}


def archive_index_settings(base: dict) -> dict:
    """The index settings the backend creates its index with: haystack's
    analysis settings, and a merge policy under which a force merge with
    only_expunge_deletes rewrites every segment holding a deleted document
    (by default segments with fewer than 10% deleted documents are left
    alone, keeping an erased testimony's text on disk)."""
    index_settings = copy.deepcopy(base)
    index = index_settings.setdefault("settings", {}).setdefault("index", {})
    index["merge.policy.expunge_deletes_allowed"] = 0
    return index_settings


class ArchiveEngineMixin(ArchiveSearchBackend):
    """What both engines' backends change; see the module docstring. A
    cluster has no write lock shared with this machine's processes: the
    `urgent` and `lock_timeout` of search.engine are accepted and have no
    use here.

    Subclasses set `bulk_helper`, their client library's helpers.bulk."""

    bulk_helper = None

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if field_class.document:
                mapping[name] = copy.deepcopy(TEXT_MAPPING)
            elif mapping[name]["type"] == "text":
                mapping[name] = {"type": "keyword"}
            if not field_class.indexed:
                mapping[name]["index"] = False
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, facets=None, **kwargs):
        """Haystack's search, with the words looked for in the text as
        Arabic and as English, and facet limits as the engines take them."""
        if facets is not None:
            facets = {name: _terms_options(opts) for name, opts in facets.items()}
        search = super().build_search_kwargs(query_string, facets=facets, **kwargs)
        _search_both_analyses(search.get("query"), self.content_field())
        return search

    def similar_pks(self, *, pk, text: str, allowed, top: int) -> list[int]:
        """The engine's more_like_this over the text and its English
        sub-field, with `text` as the document to be like (the redacted text
        the reader may see, never the stored one), narrowed by the role
        filter `allowed` and never the testimony itself."""
        if not text.strip():
            return []
        if not self.setup_complete:
            self.setup()
        field = self.content_field()
        filters = [{"term": {DJANGO_CT: TESTIMONY_CT}}]
        if allowed is not None:
            built = SearchQuerySet(using=self.connection_alias).filter(allowed)
            filters.append({"query_string": {"query": built.query.build_query()}})
        body = {
            "query": {
                "bool": {
                    "must": [
                        {
                            "more_like_this": {
                                "fields": [field, f"{field}.{ENGLISH_SUBFIELD}"],
                                "like": text,
                                "min_term_freq": 1,
                                "min_doc_freq": 1,
                                "max_query_terms": SIMILAR_KEY_TERMS,
                            }
                        }
                    ],
                    "filter": filters,
                    "must_not": [{"ids": {"values": [f"{TESTIMONY_CT}.{pk}"]}}],
                }
            },
            "size": top,
            "_source": [DJANGO_ID],
        }
        raw = self.conn.search(body=body, index=self.index_name)
        found = [int(hit["_source"][DJANGO_ID]) for hit in raw["hits"]["hits"]]
        return [other for other in found if other != pk][:top]

    def content_field(self) -> str:
        unified = haystack.connections[self.connection_alias].get_unified_index()
        return unified.document_field

    def update(self, index, iterable, commit=True, urgent=False, lock_timeout=None):
        """Write the documents of these objects as the database has them now,
        delete those that may no longer be indexed, and refresh."""
        pks = [obj.pk for obj in iterable]
        if not pks:
            return
        fresh = index.index_queryset().filter(pk__in=pks).in_bulk()
        current = [fresh[pk] for pk in pks if pk in fresh]
        label = index.get_model()._meta.label_lower
        gone = [f"{label}.{pk}" for pk in pks if pk not in fresh]
        if current:
            super().update(index, current, commit=False)
            # Documents the index refused (search.search_indexes) were not
            # sent: an earlier version of them must go.
            gone += [
                f"{label}.{obj.pk}"
                for obj in current
                if getattr(obj, "_index_refused", None)
            ]
        if gone:
            self._delete(gone)
        self.refresh()

    def remove(self, obj_or_string, commit=True):
        self.remove_many([get_identifier(obj_or_string)])

    def remove_many(self, identifiers, *, lock_timeout=None):
        """Delete documents by haystack identifier ("app.model.pk") and
        refresh, so that no search finds them any more."""
        self._delete(identifiers)
        self.refresh()

    def purge_many(self, identifiers, *, lock_timeout=None):
        """Delete documents and have the engine rewrite the segments that
        held them, for erasure: a delete only marks a document deleted, and
        its text stays in the segment files until they are merged."""
        self.remove_many(identifiers)
        self.conn.indices.forcemerge(
            index=self.index_name,
            only_expunge_deletes=True,
            request_timeout=FORCE_MERGE_TIMEOUT,
        )
        stats = self.conn.indices.stats(index=self.index_name, metric="docs")
        retained = stats["_all"]["total"]["docs"]["deleted"]
        if retained:
            # Soft deletes kept for a replica's recovery (retention leases)
            # survive a merge until the lease moves on (docs/production.md).
            logger.warning(
                "search index: %d deleted documents still retained by the "
                "engine after the force merge",
                retained,
            )

    def refresh(self):
        if not self.setup_complete:
            self.setup()
        self.conn.indices.refresh(index=self.index_name)

    def _delete(self, identifiers):
        if not self.setup_complete:
            self.setup()
        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": identifier}
            for identifier in identifiers
        ]
        # A document already gone (404) is what a removal wants.
        self.bulk_helper(self.conn, actions, ignore_status=(404,))


def _terms_options(options: dict) -> dict:
    """Haystack's facet options (`limit`, as Whoosh and Solr take it, -1 for
    all) as a terms aggregation's (`size`): the engines refuse `limit`."""
    options = dict(options)
    limit = options.pop("limit", None)
    if limit is not None:
        options["size"] = FACET_SIZE_ALL if limit < 0 else limit
    return options


def _search_both_analyses(query, content_field) -> None:
    """Point haystack's query_string at the text and its English sub-field
    (in place). Field-qualified clauses (filters) are left as they are."""
    if isinstance(query, dict):
        inner = query.get("query_string")
        if isinstance(inner, dict) and inner.get("default_field") == content_field:
            del inner["default_field"]
            inner["fields"] = [content_field, f"{content_field}.{ENGLISH_SUBFIELD}"]
        for value in query.values():
            _search_both_analyses(value, content_field)
    elif isinstance(query, list):
        for value in query:
            _search_both_analyses(value, content_field)
