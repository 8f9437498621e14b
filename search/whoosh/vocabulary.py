"""The index's vocabulary for "did you mean" (search.suggestions), read
through one searcher and counted only among the documents one user may see.
"""

from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from search.suggestions import MIN_DOCUMENTS, max_distance
from search.whoosh.index_reading import allowed_query


class IndexVocabulary:
    """The index's terms, read through one searcher (search.engine.Vocabulary)."""

    def __init__(self, backend, searcher, allowed):
        self.field = backend.content_field_name
        self.analyzer = backend.schema[self.field].analyzer
        self.searcher = searcher
        self.reader = searcher.reader()
        self.allowed = allowed_query(backend, allowed)

    def terms(self, word: str) -> list[str]:
        return [token.text for token in self.analyzer(word)]

    def visible_frequency(self, term: str) -> int:
        """In how many documents the user may see the term stands. Never the
        index's own count: that counts documents hidden from the user (and
        deleted ones until a merge), and a word known only there must get
        the answer an unknown word gets."""
        hits = self.searcher.search(
            wq.Term(self.field, term), limit=None, filter=self.allowed
        )
        return len(hits)

    def known(self, term: str) -> bool:
        return self.visible_frequency(term) > 0

    def correction(self, term: str) -> tuple[int, str] | None:
        """(distance, word as written) of the nearest term common among the
        documents the user may see."""
        limit = max_distance(term)
        if not limit:
            return None
        candidates = []
        for found in self.reader.terms_within(self.field, term, limit, prefix=1):
            if found == term:
                continue
            frequency = self.visible_frequency(found)
            if frequency >= MIN_DOCUMENTS:
                distance = damerau_levenshtein(term, found, limit + 1)
                candidates.append((distance, -frequency, found))
        for distance, _frequency, found in sorted(candidates):
            written = self._as_written(found)
            if written:
                return distance, written
        return None

    def _as_written(self, term: str) -> str:
        """The term as a document the user may see writes it; "" if no such
        document has it."""
        hits = self.searcher.search(
            wq.Term(self.field, term), limit=1, filter=self.allowed
        )
        if not hits:
            return ""
        text = hits[0].get(self.field) or ""
        for token in self.analyzer(text, chars=True, mode="index"):
            if token.text == term:
                return text[token.startchar : token.endchar]
        return term  # the index does not store the text: its own form
