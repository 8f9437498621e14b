"""The two reference engines of the search benchmark, answering the same
queries as /api/search/ over the same documents.

- RawWhoosh: the Whoosh engine itself on the archive's own index, with one
  searcher kept open: the same text analyzer (the query is parsed against
  the index's schema), the same filters (facets, the role's audience and
  embargo date), the same four facet counts, a page of 20 with highlighted
  excerpts. What haystack and the archive's database checks cost on top.
- Fts5: SQLite FTS5 over the same redacted documents (prepared by the
  archive's own search index class), with the same filters, counts and
  page, and snippets for highlights.
- RawPostgres: the PostgreSQL engine's own table (search.postgres), queried
  in SQL through Django's connection: the same conditions the engine builds
  (the words under both text-search configurations, the role's audience and
  embargo date, the facet filters), the count, the four facet counts, a
  page of 20 ranked with ts_headline excerpts. What haystack and the
  archive's database checks cost on top of PostgreSQL itself.
"""

import datetime
import sqlite3
import time
from pathlib import Path

FACETS = {"place": "places", "community": "communities", "event_type": "event_types"}
FACET_FIELDS = [*FACETS.values(), "years"]
PAGE = 20


class RawWhoosh:
    def __init__(self, path: str):
        from whoosh.index import open_dir

        self.index = open_dir(path)
        self.searcher = self.index.searcher()

    def close(self):
        self.searcher.close()

    def _query(self, params: dict, audience: str):
        from whoosh import query as q
        from whoosh.qparser import AndGroup, QueryParser

        today = datetime.datetime.combine(datetime.date.today(), datetime.time())
        parts = [
            q.Term("audiences", audience),
            q.DateRange("visible_from", None, today),
        ]
        if params.get("q"):
            parser = QueryParser("text", self.index.schema, group=AndGroup)
            parts.append(parser.parse(params["q"]))
        for name, field in FACETS.items():
            values = params.get(name) or []
            if values:
                parts.append(q.Or([q.Term(field, value) for value in values]))
        return q.And(parts)

    def search(self, params: dict, audience: str) -> dict:
        from whoosh.sorting import Count, FieldFacet

        groups = [
            FieldFacet(f"{field}_exact", allow_overlap=True, maptype=Count)
            for field in FACET_FIELDS
        ]
        options = {"limit": PAGE, "groupedby": groups}
        if not params.get("q"):
            options.update(sortedby="recorded_on", reverse=True)
        results = self.searcher.search(self._query(params, audience), **options)
        excerpts = [hit.highlights("text") for hit in results[:PAGE]]
        facets = {name: results.groups(name) for name in results.facet_names()}
        return {"count": len(results), "excerpts": excerpts, "facets": facets}


class Fts5:
    """An FTS5 table of the documents, with their facet values and the
    audience fields in plain tables beside it."""

    def __init__(self, path: Path):
        self.connection = sqlite3.connect(path)

    @classmethod
    def build(cls, path: Path, documents) -> tuple["Fts5", float]:
        """Write `documents` (dicts as the search index prepares them) into a
        new database at `path`; returns it and the seconds it took."""
        started = time.monotonic()
        path.unlink(missing_ok=True)
        connection = sqlite3.connect(path)
        connection.executescript(
            """
            CREATE VIRTUAL TABLE doc USING fts5(
                text, tokenize = "unicode61 remove_diacritics 2");
            CREATE TABLE meta (id INTEGER PRIMARY KEY, recorded_on TEXT,
                               visible_from TEXT, opening TEXT);
            CREATE TABLE tag (id INTEGER, facet TEXT, value TEXT);
            """
        )
        for number, document in enumerate(documents, start=1):
            connection.execute(
                "INSERT INTO doc (rowid, text) VALUES (?, ?)",
                (number, document["text"]),
            )
            connection.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?)",
                (
                    number,
                    str(document["recorded_on"]),
                    str(document["visible_from"]),
                    document["text"][:280],
                ),
            )
            connection.executemany(
                "INSERT INTO tag VALUES (?, ?, ?)",
                [
                    (number, field, str(value))
                    for field in [*FACET_FIELDS, "audiences"]
                    for value in document.get(field) or []
                ],
            )
        connection.executescript(
            """
            CREATE INDEX tag_value ON tag (facet, value, id);
            CREATE INDEX tag_id ON tag (id, facet, value);
            CREATE INDEX meta_recorded ON meta (recorded_on);
            """
        )
        connection.commit()
        connection.close()
        return cls(path), time.monotonic() - started

    def _filters(self, params: dict, audience: str) -> tuple[str, list]:
        # "+id": not a constraint handed to the FTS5 table (which then looks
        # up each of the list's rows, seconds per query) but a set built
        # once and probed for each match.
        clauses = [
            "+id IN (SELECT id FROM tag WHERE facet = 'audiences' AND value = ?)",
            "+id IN (SELECT id FROM meta WHERE visible_from <= ?)",
        ]
        args = [audience, datetime.date.today().isoformat()]
        for name, field in FACETS.items():
            values = params.get(name) or []
            if values:
                marks = ", ".join("?" * len(values))
                clauses.append(
                    "+id IN (SELECT id FROM tag"
                    f" WHERE facet = ? AND value IN ({marks}))"
                )
                args += [field, *values]
        return " AND ".join(clauses), args

    def search(self, params: dict, audience: str) -> dict:
        where, args = self._filters(params, audience)
        text = params.get("q")
        if text:
            match = " ".join(f'"{word}"' for word in text.split())
            matching = f"SELECT rowid AS id FROM doc WHERE doc MATCH ? AND {where}"
            matching_args = [match, *args]
            # The page's rows first, snippets for them only: SQLite computes
            # every result column before it sorts, and a snippet of each of
            # 40,000 matches took minutes.
            page = self.connection.execute(
                "SELECT rowid, snippet(doc, 0, '<mark>', '</mark>', ' … ', 40) "
                "FROM doc WHERE doc MATCH ? AND +rowid IN ("
                f"  SELECT rowid FROM doc WHERE doc MATCH ? AND +rowid IN ({matching})"
                "   ORDER BY rank LIMIT ?"
                ") ORDER BY rank",
                [match, match, *matching_args, PAGE],
            ).fetchall()
        else:
            matching = f"SELECT id FROM meta WHERE {where}"
            matching_args = args
            page = self.connection.execute(
                f"SELECT id, opening FROM meta WHERE {where} "
                "ORDER BY recorded_on DESC LIMIT ?",
                [*args, PAGE],
            ).fetchall()
        (count,) = self.connection.execute(
            f"SELECT count(*) FROM ({matching})", matching_args
        ).fetchone()
        marks = ", ".join("?" * len(FACET_FIELDS))
        facets = self.connection.execute(
            f"SELECT facet, value, count(*) FROM tag WHERE facet IN ({marks}) "
            f"AND id IN ({matching}) GROUP BY facet, value",
            [*FACET_FIELDS, *matching_args],
        ).fetchall()
        return {"count": count, "excerpts": [row[1] for row in page], "facets": facets}

    def close(self):
        self.connection.close()


class RawPostgres:
    """The PostgreSQL engine's table, searched in SQL with the engine's own
    query of the words (search.postgres.backends.words_query)."""

    def close(self):
        pass

    def _matching(self, params: dict, audience: str):
        from search.models import SearchDocument
        from search.postgres.backends import words_query

        rows = SearchDocument.objects.filter(
            audiences__contains=[audience], visible_from__lte=datetime.date.today()
        )
        query = None
        for word in (params.get("q") or "").split():
            query = words_query(word)
            if query is not None:
                rows = rows.filter(search_vector=query)
        for name, field in FACETS.items():
            values = params.get(name) or []
            if values:
                rows = rows.filter(**{f"{field}__overlap": values})
        return rows, query

    def search(self, params: dict, audience: str) -> dict:
        from django.contrib.postgres.search import SearchHeadline, SearchRank
        from django.db import connection
        from django.db.models import F

        rows, query = self._matching(params, audience)
        if query is not None:
            page = (
                rows.annotate(
                    rank=SearchRank(F("search_vector"), query),
                    excerpt=SearchHeadline("analysed", query, max_fragments=2),
                )
                .order_by("-rank")
                .values_list("excerpt", flat=True)[:PAGE]
            )
        else:
            page = rows.order_by("-recorded_on").values_list("text", flat=True)[:PAGE]
        excerpts = [text[:280] for text in page]
        count = rows.count()
        facets = {}
        inner, args = rows.values_list("identifier").query.sql_with_params()
        with connection.cursor() as cursor:
            for field in FACET_FIELDS:
                cursor.execute(
                    f"SELECT v, count(*) FROM search_searchdocument d "  # noqa: S608
                    f"CROSS JOIN LATERAL unnest(d.{field}) AS v "
                    f"WHERE d.identifier IN ({inner}) GROUP BY v",
                    args,
                )
                facets[field] = cursor.fetchall()
        return {"count": count, "excerpts": excerpts, "facets": facets}
