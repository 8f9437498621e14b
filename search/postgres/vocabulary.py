"""The PostgreSQL engine's vocabulary for "did you mean" (search.suggestions):
the words of the documents one user may see, and only those.

A word is proposed when pg_trgm finds it similar to the one typed among the
words of the visible documents, it stands in at least MIN_DOCUMENTS of
them, and it is within the edit distance search.suggestions allows. The
rows are narrowed by the user's role filter before any word is read: a word
that stands only in testimonies hidden from the user is never counted, so it
gets the answer a word found nowhere gets.
"""

from django.db import connections
from whoosh.support.levenshtein import damerau_levenshtein

from search.postgres.analysis import as_folded, folded_words, is_term
from search.suggestions import MIN_DOCUMENTS, max_distance

# Trigram similarity a candidate must reach before its edit distance is
# measured: low enough for one or two edits in a short word.
_MIN_SIMILARITY = 0.2
# Candidates measured, most similar first.
_CANDIDATES = 50


class VisibleVocabulary:
    """search.engine.Vocabulary over `rows`, the SearchDocument rows the
    user may see; `known(rows, term)` says whether one of them matches the
    term as a search would."""

    def __init__(self, rows, *, known):
        self.rows = rows
        self._known = known

    def terms(self, word: str) -> list[str]:
        """The word folded as the index folds it (a stop word: none). The
        configurations' stems stay inside PostgreSQL: a word is known when
        a search for it finds a visible document."""
        return [folded for folded in folded_words(word) if is_term(folded)]

    def known(self, term: str) -> bool:
        return self._known(self.rows, term)

    def correction(self, term: str) -> tuple[int, str] | None:
        """(distance, word) of the nearest word common among the documents
        the user may see, folded as the archive folds words."""
        limit = max_distance(term)
        if not limit:
            return None
        inner, params = (
            self.rows.order_by().values_list("analysed").query.sql_with_params()
        )
        sql = (
            "SELECT w, count(*) FROM ("  # noqa: S608
            f"{inner}) AS d(analysed) CROSS JOIN LATERAL "
            "(SELECT DISTINCT unnest(string_to_array(d.analysed, ' ')) AS w) AS ws "
            "WHERE w <> %s AND similarity(w, %s) >= %s "
            "GROUP BY w HAVING count(*) >= %s "
            "ORDER BY similarity(w, %s) DESC, w LIMIT %s"
        )
        with connections[self.rows.db].cursor() as cursor:
            cursor.execute(
                sql,
                [
                    *params,
                    term,
                    term,
                    _MIN_SIMILARITY,
                    MIN_DOCUMENTS,
                    term,
                    _CANDIDATES,
                ],
            )
            found = cursor.fetchall()
        candidates = []
        for word, frequency in found:
            folded = as_folded(word)
            if folded == term or not is_term(folded):
                continue
            distance = damerau_levenshtein(term, folded, limit + 1)
            if distance <= limit:
                candidates.append((distance, -frequency, folded))
        if not candidates:
            return None
        distance, _frequency, word = min(candidates)
        return distance, word
