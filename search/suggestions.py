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
   documents this user may see (in at least MIN_DOCUMENTS of them), and
   the corrected query as a whole must find more testimonies for this user
   than the one typed. It is shown as that document writes it, not as the
   index's stem.

Every answer depends only on what the asking user may see: a word (or a
place a documenter added) found only in testimonies hidden from the user is
corrected exactly as a word found nowhere is; otherwise whether a word gets a
correction would tell that it stands in a hidden testimony.
"""

from whoosh.support.levenshtein import damerau_levenshtein

from search.engine import search_engine
from search.places import name_key

FEW_HITS = 3
# Documents the user may see that must hold a word of the index's vocabulary
# for it to be proposed (the engine's Vocabulary.correction).
MIN_DOCUMENTS = 2


def max_distance(word: str) -> int:
    """Edits allowed for a word of this length: none for short words, where
    one edit makes another word."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def _gazetteer_correction(word: str, names) -> tuple[int, str] | None:
    """(distance, spelling) of the nearest one-word name of a place the user
    may know (`names`: search.places.VisiblePlaceNames)."""
    key = name_key(word)
    limit = max_distance(key)
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


def query_suggestion(*, query: str, allowed, names, count_for, found: int) -> str:
    """A corrected `query`, or "" if none finds more than `found`.

    `allowed` is the user's haystack filter (testimonies.policy.search_filter),
    `names` the place names the user may know (search.places.place_names_for);
    `count_for(q)` counts what query q finds for the user with the search's
    other filters."""
    words = query.split()
    if not words or '"' in query or any(w[0] in "-+" for w in words):
        return ""
    with search_engine().vocabulary(allowed) as vocabulary:
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
