"""Did you mean: a corrected query for a search that found no or few
testimonies. Never computed in the normal path: search.selectors asks for
it only when fewer than FEW_HITS testimonies matched.

Where corrections come from, and why in this order:
1. The gazetteer's names. They are public knowledge, never anyone's private
   data, and the words most often misspelt here (transliterated place names).
2. The index's vocabulary (the words of the redacted texts, as the text
   field's analyzer made them). Names of people are replaced by placeholders
   before anything is indexed, so the vocabulary should hold none; but a
   redaction can miss a name, and a word can stand in testimonies the user
   may not see. So a word is proposed only if it is common among the
   documents this user may see (in at least _MIN_DOCUMENTS of them), and
   the corrected query as a whole must find more testimonies for this user
   than the one typed. It is shown as that document writes it, not as the
   index's stem.

Every answer depends only on what the asking user may see: a word (or a
place a documenter added) found only in testimonies hidden from the user is
corrected exactly as a word found nowhere is; otherwise whether a word gets a
correction would tell that it stands in a hidden testimony.
"""

from contextlib import nullcontext

from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from search.index_reading import allowed_query, index_searcher, whoosh_backend
from search.places import name_key

FEW_HITS = 3
_MIN_DOCUMENTS = 2


def _max_distance(word: str) -> int:
    """Edits allowed for a word of this length: none for short words, where
    one edit makes another word."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def _gazetteer_correction(word: str, names) -> tuple[int, str] | None:
    """(distance, spelling) of the nearest one-word name of a place the user
    may know (`names`: search.places.VisiblePlaceNames)."""
    key = name_key(word)
    limit = _max_distance(key)
    if not limit or " " in key:
        return None
    near = []
    for candidate, spelling in names.spellings.items():
        if abs(len(candidate) - len(key)) > limit or " " in candidate:
            continue
        distance = damerau_levenshtein(key, candidate, limit + 1)
        if distance <= limit:
            near.append((distance, candidate, spelling))
    # Nearest first; a name only places hidden from the user bear is skipped
    # as if no place bore it.
    for distance, candidate, spelling in sorted(near):
        if names.named(candidate):
            return distance, spelling
    return None


class _Vocabulary:
    """The index's terms, read through one searcher."""

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
        limit = _max_distance(term)
        if not limit:
            return None
        candidates = []
        for found in self.reader.terms_within(self.field, term, limit, prefix=1):
            if found == term:
                continue
            frequency = self.visible_frequency(found)
            if frequency >= _MIN_DOCUMENTS:
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


def query_suggestion(*, query: str, allowed, names, count_for, found: int) -> str:
    """A corrected `query`, or "" if none finds more than `found`.

    `allowed` is the user's haystack filter (testimonies.policy.search_filter),
    `names` the place names the user may know (search.places.place_names_for);
    `count_for(q)` counts what query q finds for the user with the search's
    other filters."""
    words = query.split()
    if not words or '"' in query or any(w[0] in "-+" for w in words):
        return ""
    backend = whoosh_backend()
    with index_searcher(backend) if backend else nullcontext() as searcher:
        vocabulary = _Vocabulary(backend, searcher, allowed) if backend else None
        corrected = [_correct(w, names, vocabulary) for w in words]
    changed = corrected != words
    if not changed:
        return ""
    suggestion = " ".join(corrected)
    return suggestion if count_for(suggestion) > found else ""


def _correct(word, names, vocabulary) -> str:
    if names.named(name_key(word)):
        return word  # a place name as typed
    terms = vocabulary.terms(word) if vocabulary else [word]
    if not terms or (vocabulary and all(vocabulary.known(t) for t in terms)):
        return word  # a stop word, or a word the index knows
    options = []
    place = _gazetteer_correction(word, names)
    if place:
        options.append((place[0], 0, place[1]))
    if vocabulary and len(terms) == 1:
        indexed = vocabulary.correction(terms[0])
        if indexed:
            options.append((indexed[0], 1, indexed[1]))
    # Nearest first; at the same distance the gazetteer's name.
    return min(options)[2] if options else word
