"""A haystack backend on PostgreSQL's full-text search
(django.contrib.postgres.search), over the table of search.postgres.models.

Analysis. A document's words are folded in Python first, exactly as the
Whoosh engine folds them (testimonies.textnorm.words: case, diacritics,
tashkeel, alef forms, taa marbuta, invisible characters, presentation forms,
homoglyphs, digits of every script), with the steps of the archive's Arabic
stemming that must precede a Snowball stemmer (search.postgres.analysis);
then PostgreSQL makes two vectors of that text, one with its Snowball Arabic
configuration and one with its Snowball English configuration, and stores
them concatenated. A word of a query is prepared the same way and looked for
under both configurations (either may match): قتل, قُتِلَ and وقتلوا meet on
the Arabic stem, killing and killed on the English one. Prefixes (kill*)
match the words as folded, under the `simple` configuration. The archive's
stop words are dropped from a query as the Whoosh engine drops them.

Queries. The haystack conditions search.selectors builds (the parsed query
of search.query_syntax, the role filter of testimonies.policy.search_filter,
facet and date filters) become one Django Q over the table
(PostgresSearchQuery): words and phrases are text-search matches
(`@@`, phrases with `<->`), prefixes `:*`, NOT is SQL's NOT; multi-valued
fields (audiences, places...) are arrays matched by containment. Facets are
counted by one GROUP BY per facet over the same conditions.
"""

import datetime
import functools
import json
import logging
import operator
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import haystack
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, router, transaction
from django.db.models import F, FloatField, Q, Value
from django.utils import timezone
from haystack.backends import (
    BaseEngine,
    BaseSearchBackend,
    BaseSearchQuery,
    SearchNode,
    log_query,
)
from haystack.exceptions import SearchBackendError
from haystack.inputs import BaseInput, Exact
from haystack.models import SearchResult
from haystack.utils import get_identifier

from search.documents import documents_prepare
from search.engine import ArchiveSearchBackend, asks_keys_only
from search.postgres.analysis import engine_word, folded_words, is_term
from search.postgres.documents import (
    MULTI_VALUED,
    PREFIX_CONFIG,
    STORED_FIELDS,
    TEXT_CONFIGS,
    document_row,
)
from search.postgres.models import SearchDocument, SearchDocumentChange
from search.postgres.rebuild import index_rebuild
from search.postgres.vocabulary import VisibleVocabulary

logger = logging.getLogger(__name__)

# Single-valued fields a condition or an order may name, with their columns.
SCALAR_COLUMNS = {
    "id": "identifier",
    "django_ct": "django_ct",
    "django_id": "django_id",
    "public_id": "public_id",
    "pseudonym": "pseudonym",
    "language": "language",
    "incident_start": "incident_start",
    "incident_end": "incident_end",
    "recorded_on": "recorded_on",
    "visible_from": "visible_from",
    "owner": "owner",
}
# Haystack's lookups, as Django's.
_LOOKUPS = {
    "content": "exact",
    "exact": "exact",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
    "in": "in",
    "startswith": "startswith",
}
# Words drawn from a testimony's text to find others like it, as many as
# the Whoosh engine draws (search.whoosh.similar).
SIMILAR_KEY_TERMS = 12
# The testimonies' documents (haystack's identifier "testimonies.testimony.<pk>").
TESTIMONY_CT = "testimonies.testimony"
# How long a write to the index is remembered for the replicas: a replica
# that has not replayed a write this old is too far behind to be searched
# (the primary answers instead), and older marks are deleted.
REPLICA_MARKS_KEPT = datetime.timedelta(minutes=5)
_FACET_SUFFIX = "_exact"
_LEXEME = re.compile(r"\w+")


def _json(value):
    """A json column as psycopg gives it (decoded, or text)."""
    return json.loads(value) if isinstance(value, str) else value


def document_vector():
    """The tsvector of a row's analysed text: Snowball Arabic, then English."""
    vectors = [SearchVector("analysed", config=config) for config in TEXT_CONFIGS]
    return functools.reduce(operator.add, vectors)


def words_query(text: str, *, phrase: bool = False) -> SearchQuery | None:
    """The text-search query of `text`'s words (several: side by side, in
    this order), under each configuration; None for stop words alone,
    which the Whoosh engine drops from a query too."""
    found = folded_words(text)
    # Stop words at either end of a phrase ask for nothing (the Whoosh
    # engine drops them): "حي القصور" is القصور. Those inside keep their
    # place between the words around them.
    while found and not is_term(found[0]):
        found.pop(0)
    while found and not is_term(found[-1]):
        found.pop()
    if not found:
        return None
    given = " ".join(engine_word(word) for word in found)
    search_type = "phrase" if phrase or len(found) > 1 else "plain"
    queries = [
        SearchQuery(given, config=c, search_type=search_type) for c in TEXT_CONFIGS
    ]
    return functools.reduce(operator.or_, queries)


def prefix_query(stem: str) -> SearchQuery | None:
    """Words beginning with `stem` (folded, one word)."""
    folded = "".join(folded_words(stem))
    if not _LEXEME.fullmatch(folded):
        return None
    # Letters and digits only: nothing in it is tsquery syntax.
    return SearchQuery(f"'{folded}':*", config=PREFIX_CONFIG, search_type="raw")


@dataclass
class BuiltQuery:
    """What PostgresSearchQuery makes of haystack's conditions."""

    condition: Q
    # The words looked for (not those excluded), to rank the results by.
    ranking: list = field(default_factory=list)
    # Words were asked for and every one of them was a stop word: nothing
    # matches, as on the Whoosh engine.
    nothing: bool = False

    def __str__(self):
        return str(self.condition)


class _Builder:
    def __init__(self):
        self.ranking = []
        self.words_asked = 0
        self.words_kept = 0

    def build(self, node) -> BuiltQuery:
        condition = self.node(node, negated=False)
        return BuiltQuery(
            condition=condition if condition is not None else Q(),
            ranking=self.ranking,
            nothing=bool(self.words_asked) and not self.words_kept,
        )

    def node(self, node, *, negated) -> Q | None:
        negated = negated != bool(node.negated)
        parts = []
        for child in node.children:
            if isinstance(child, SearchNode):
                part = self.node(child, negated=negated)
            else:
                expression, value = child
                name, filter_type = node.split_expression(expression)
                part = self.leaf(name, filter_type, value, negated=negated)
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        joined = functools.reduce(
            operator.or_ if node.connector == SearchNode.OR else operator.and_, parts
        )
        return ~joined if node.negated else joined

    def leaf(self, name, filter_type, value, *, negated) -> Q | None:
        if name == "content":
            return self.text(filter_type, value, negated=negated)
        if name.endswith(_FACET_SUFFIX):
            name = name[: -len(_FACET_SUFFIX)]
        if name in MULTI_VALUED:
            if filter_type in ("content", "exact"):
                return Q(**{f"{name}__contains": [str(value)]})
            if filter_type == "in":
                return Q(**{f"{name}__overlap": [str(v) for v in value]})
        elif name in SCALAR_COLUMNS and filter_type in _LOOKUPS:
            if filter_type == "in":
                value = list(value)
            column = SCALAR_COLUMNS[name]
            return Q(**{f"{column}__{_LOOKUPS[filter_type]}": value})
        raise SearchBackendError(f"Cannot search {name} with {filter_type}.")

    def text(self, filter_type, value, *, negated) -> Q | None:
        self.words_asked += 1
        if filter_type == "startswith":
            query = prefix_query(_input_text(value))
        elif filter_type in ("content", "contains", "exact"):
            phrase = isinstance(value, Exact) or filter_type == "exact"
            query = words_query(_input_text(value), phrase=phrase)
        else:
            raise SearchBackendError(f"Cannot search the text with {filter_type}.")
        if query is None:
            return None
        self.words_kept += 1
        if not negated:
            self.ranking.append(query)
        return Q(search_vector=query)


def _input_text(value) -> str:
    return value.query_string if isinstance(value, BaseInput) else str(value)


def allowed_condition(allowed) -> Q:
    """A role filter (haystack SQ, None for none) as a condition on the table."""
    if allowed is None:
        return Q()
    return _Builder().build(allowed).condition


class PostgresSearchQuery(BaseSearchQuery):
    """Haystack's conditions as one Django condition on the table."""

    def build_query(self):
        return _Builder().build(self.query_filter)

    def build_query_fragment(self, field, filter_type, value):
        raise NotImplementedError("conditions are built whole (build_query)")

    def matching_all_fragment(self):
        return Q()


class PostgresSearchBackend(BaseSearchBackend, ArchiveSearchBackend):
    """The index as a table of the archive's database (see the module's
    docstring). Written in the caller's transaction: a withdrawal's removal
    commits or rolls back with it (shares_transactions_with,
    search.indexing)."""

    # "Did you mean" reads the words of what the reader may see
    # (search.postgres.vocabulary).
    corrects_from_index = True
    # rebuild_index builds a new table in bulk and swaps it in
    # (search.postgres.rebuild).
    rebuilds_itself = True

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        # The database alias the table is read and written through.
        self.database = connection_options.get("DATABASE", "default")

    def documents(self):
        """The table on the primary (writes)."""
        return SearchDocument.objects.using(self.database)

    @contextmanager
    def reading(self):
        """(rows, database alias) to read the index from in one consistent
        view: a replica's when the router names one (search.postgres.routers),
        less the testimonies whose latest index write that replica has not
        replayed yet (SearchDocumentChange, read on the primary); the
        primary's otherwise, or when the replica lags more than
        REPLICA_MARKS_KEPT behind."""
        alias = router.db_for_read(SearchDocument) or self.database
        if alias == self.database:
            yield self.documents(), alias
            return
        since = timezone.now() - 2 * REPLICA_MARKS_KEPT
        marks = list(
            SearchDocumentChange.objects.using(self.database)
            .filter(created_at__gte=since)
            .values_list("testimony_pk", "xid", "created_at")
        )
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                # One snapshot for the check and every query of the search.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(
                    "SELECT x FROM unnest(%s::bigint[]) AS x "
                    "WHERE NOT txid_visible_in_snapshot(x, txid_current_snapshot())",
                    [sorted({xid for _pk, xid, _at in marks})],
                )
                unseen = {xid for (xid,) in cursor.fetchall()}
            behind = [at for _pk, xid, at in marks if xid in unseen]
            if behind and min(behind) < timezone.now() - REPLICA_MARKS_KEPT:
                logger.warning(
                    "search: the replica %s is more than %s behind; the "
                    "primary answers",
                    alias,
                    REPLICA_MARKS_KEPT,
                )
            else:
                hidden = sorted({pk for pk, xid, _at in marks if xid in unseen})
                rows = SearchDocument.objects.using(alias)
                yield (rows.exclude(django_id__in=hidden) if hidden else rows), alias
                return
        yield self.documents(), self.database

    def _mark_written(self, pks) -> None:
        """Remember, for the replicas, that this transaction writes the
        documents of these testimonies (no replica: nothing to do)."""
        if not settings.ARCHIVE_SEARCH_REPLICAS or not pks:
            return
        with connections[self.database].cursor() as cursor:
            table = SearchDocumentChange._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} (testimony_pk, xid, created_at) "  # noqa: S608
                "SELECT pk, txid_current(), now() FROM unnest(%s::bigint[]) AS pk",
                [sorted(pks)],
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE created_at < now() - %s",  # noqa: S608
                [2 * REPLICA_MARKS_KEPT],
            )

    # -- writing -----------------------------------------------------------

    def shares_transactions_with(self, using: str) -> bool:
        return using == self.database

    def update(self, index, iterable, commit=True, urgent=False, lock_timeout=None):
        """Write the documents of these objects as the database has them now,
        and delete those that may no longer be indexed or that the index
        refuses (search.search_indexes). Part of the caller's transaction,
        if one is open.

        The testimonies are read again, their rows locked as a withdrawal
        locks them (testimonies.consent.services): a writer that read a
        testimony before a withdrawal committed (a rebuild, another worker)
        waits for that transaction, reads the testimony as it left it, and
        cannot write the withdrawn document back."""
        pks = sorted({obj.pk for obj in iterable})
        if not pks:
            return
        label = index.get_model()._meta.label_lower
        with transaction.atomic(using=self.database):
            fresh = list(
                index.index_queryset(using=self.database)
                .using(self.database)
                .filter(pk__in=pks)
                .order_by("pk")
                .select_for_update(of=("self",))
            )
            self._mark_written(pks)
            prepared = documents_prepare(index, fresh)
            rows = [document_row(document) for document in prepared.values()]
            gone = [f"{label}.{pk}" for pk in pks if pk not in prepared]
            if rows:
                self.documents().bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["identifier"],
                    update_fields=[
                        f.name
                        for f in SearchDocument._meta.concrete_fields
                        if f.name not in ("identifier", "search_vector")
                    ],
                )
                self.documents().filter(
                    identifier__in=[row.identifier for row in rows]
                ).update(search_vector=document_vector())
            if gone:
                self.documents().filter(identifier__in=gone).delete()

    def remove(self, obj_or_string, commit=True):
        self.remove_many([get_identifier(obj_or_string)])

    def remove_many(self, identifiers, *, lock_timeout=None):
        identifiers = list(identifiers)
        with transaction.atomic(using=self.database):
            self._mark_written(
                {
                    int(i.rsplit(".", 1)[-1])
                    for i in identifiers
                    if i.startswith(TESTIMONY_CT)
                }
            )
            self.documents().filter(identifier__in=identifiers).delete()

    def purge_many(self, identifiers, *, lock_timeout=None):
        """Delete the rows, then have PostgreSQL reclaim their space
        (VACUUM) when no transaction is open. A deleted row's bytes stay in
        the table's pages until VACUUM frees them and new rows overwrite
        them, and in the write-ahead log until it is recycled
        (docs/search.md, PostgreSQL full-text search)."""
        self.remove_many(identifiers)
        connection = connections[self.database]
        if connection.in_atomic_block:
            logger.warning(
                "search index: %d erased documents deleted inside a "
                "transaction; their space is reclaimed by the next VACUUM",
                len(identifiers),
            )
            return
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {SearchDocument._meta.db_table}")

    def clear(self, models=None, commit=True):
        documents = self.documents()
        if models is not None:
            labels = [model._meta.label_lower for model in models]
            documents = documents.filter(django_ct__in=labels)
        documents.delete()

    def rebuild(self, *, resume, batch_size, workers, progress):
        return index_rebuild(
            resume=resume, batch_size=batch_size, workers=workers, progress=progress
        )

    # -- searching ---------------------------------------------------------

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
        built = query_string
        if not isinstance(built, BuiltQuery):
            raise SearchBackendError("Only PostgresSearchQuery's queries are searched.")
        if narrow_queries or date_facets or query_facets:
            raise SearchBackendError(
                "The PostgreSQL engine takes filters, not narrow or date/query facets."
            )
        if built.nothing:
            return {"results": [], "hits": 0, "facets": {}}
        labels = self._model_labels(models, limit_to_registered_models)
        with self.reading() as (rows, alias):
            matching = rows.filter(built.condition)
            if labels is not None:
                matching = matching.filter(django_ct__in=labels)
            hits, page, counted = self._matched(
                matching,
                sort_by=sort_by,
                ranking=built.ranking,
                facets=facets or {},
                window=(start_offset, end_offset),
                alias=alias,
            )
            # A keys-only search (haystack's values_list: the map and the
            # timeline) reads the id columns, not the stored text.
            stored_fields = () if asks_keys_only(fields) else STORED_FIELDS
            stored_rows = rows.filter(identifier__in=[i for i, _s in page]).only(
                "identifier", "django_ct", "django_id", *stored_fields
            )
            by_identifier = {row.identifier: row for row in stored_rows}
            result_class = result_class or SearchResult
            results = []
            for identifier, score in page:
                row = by_identifier[identifier]
                app_label, model_name = row.django_ct.split(".")
                stored = {name: getattr(row, name) for name in stored_fields}
                pk, score = str(row.django_id), score or 0.0
                results.append(result_class(app_label, model_name, pk, score, **stored))
        return {
            "results": results,
            "hits": hits,
            "facets": {"fields": counted},
            "spelling_suggestion": None,
        }

    def _matched(self, matching, *, sort_by, ranking, facets, window, alias):
        """(hits, [(identifier, score) of the page], facet counts) in one
        statement: the matching rows are read once (their identifiers,
        facet values, sort values and rank, never their text or vector:
        a MATERIALIZED common table expression), and counted, paged and
        grouped by each facet from there. The page's stored fields are read
        after, for its rows alone."""
        columns = {}
        for name in facets:
            column = name.removesuffix(_FACET_SUFFIX)
            if column not in MULTI_VALUED and column not in SCALAR_COLUMNS:
                raise SearchBackendError(f"Cannot count the facet {name}.")
            columns[name] = SCALAR_COLUMNS.get(column, column)
        order = []
        for name in sort_by or ():
            column = SCALAR_COLUMNS.get(name.lstrip("-"))
            if column is None:
                raise SearchBackendError(f"Cannot sort by {name}.")
            direction = "DESC" if name.startswith("-") else "ASC"
            order.append(f'"{column}" {direction} NULLS LAST')
        wanted = ["identifier", *dict.fromkeys(columns.values())]
        wanted += [c for c in SCALAR_COLUMNS.values() if f'"{c}" ' in " ".join(order)]
        wanted = list(dict.fromkeys(wanted))
        selected = matching.order_by()
        if not order and ranking:
            query = functools.reduce(operator.or_, ranking)
            selected = selected.annotate(score=SearchRank(F("search_vector"), query))
            order.append('"score" DESC')
        else:
            selected = selected.annotate(score=Value(None, output_field=FloatField()))
        inner, params = selected.values_list(*wanted, "score").query.sql_with_params()
        names = ", ".join(f'"{c}"' for c in [*wanted, "score"])
        start, end = window
        limit = "" if end is None else f" LIMIT {max(int(end) - int(start), 0)}"
        ordering = ", ".join([*order, "identifier"])
        parts = [
            "(SELECT count(*) FROM m)",
            "(SELECT coalesce(json_agg(json_build_array(identifier, score) "  # noqa: S608
            f"ORDER BY {ordering}), '[]') FROM (SELECT * FROM m ORDER BY {ordering}"
            f"{limit} OFFSET {int(start or 0)}) AS p)",
        ]
        for name, options in facets.items():
            column = columns[name]
            limit = options.get("limit")
            limit = f" LIMIT {int(limit)}" if limit is not None and limit >= 0 else ""
            values = (
                f'FROM m CROSS JOIN LATERAL unnest(m."{column}") AS v'
                if column in MULTI_VALUED
                else f'FROM (SELECT m."{column}" AS v FROM m) AS s'  # noqa: S608
            )
            parts.append(
                "(SELECT coalesce(json_agg(json_build_array(v, n)), '[]') FROM "  # noqa: S608
                f"(SELECT v, count(*) AS n {values} WHERE v IS NOT NULL "
                f"GROUP BY v ORDER BY n DESC, v{limit}) AS f)"
            )
        sql = (
            f"WITH m ({names}) AS MATERIALIZED ({inner}) "  # noqa: S608
            f"SELECT {', '.join(parts)}"
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        hits, page = found[0], [(i, s) for i, s in _json(found[1])]
        counted = {
            name: [(str(value), n) for value, n in _json(found[2 + number])]
            for number, name in enumerate(facets)
        }
        return hits, page, counted

    def _model_labels(self, models, limit_to_registered_models):
        if models:
            return sorted(model._meta.label_lower for model in models)
        if limit_to_registered_models is None:
            limit_to_registered_models = getattr(
                settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True
            )
        if not limit_to_registered_models:
            return None
        return sorted(model._meta.label_lower for model in self.build_models_list())

    def build_models_list(self):
        unified = haystack.connections[self.connection_alias].get_unified_index()
        return unified.get_indexed_models()

    # -- what the archive asks beyond haystack (search.engine) -------------

    def similar_pks(self, *, pk, text: str, allowed, top: int) -> list[int]:
        """The testimonies that share most of the text's most frequent words
        (stop words left out), ranked by PostgreSQL's ts_rank, among those
        `allowed` lets through; never `pk` itself."""
        counted = Counter(
            word for word in folded_words(text) if is_term(word) and len(word) > 2
        )
        queries = [
            words_query(word) for word, _n in counted.most_common(SIMILAR_KEY_TERMS)
        ]
        queries = [query for query in queries if query is not None]
        if not queries:
            return []
        query = functools.reduce(operator.or_, queries)
        with self.reading() as (rows, _alias):
            found = list(
                rows.filter(allowed_condition(allowed), search_vector=query)
                .filter(django_ct=TESTIMONY_CT)
                .exclude(django_id=pk)
                .annotate(score=SearchRank(F("search_vector"), query))
                .order_by("-score", "identifier")
                .values_list("django_id", flat=True)[:top]
            )
        return found

    @contextmanager
    def vocabulary(self, allowed):
        with self.reading() as (rows, _alias):
            yield VisibleVocabulary(
                rows.filter(allowed_condition(allowed)),
                known=lambda visible, term: visible.filter(
                    search_vector=words_query(term)
                ).exists(),
            )


class PostgresSearchEngine(BaseEngine):
    backend = PostgresSearchBackend
    query = PostgresSearchQuery
