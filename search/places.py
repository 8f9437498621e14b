"""Places named in a search, in any spelling or script.

A word or a few words of the query box ("Baniyas", "بانياس", "Tartous",
"Hai al Kusour") that are a known name of a place also match the testimonies
tagged with that place or any place under it (the index's `places` field
holds each testimony's place path, as the public may see it). A `place`
filter may name its place the same ways as by slug.

Names are compared in their folded form (testimonies.textnorm.fold: case,
diacritics, Arabic letter variants), punctuation read as a space. A
governorate or district is also known by its name without the kind word
("Tartus" for "Tartus Governorate"): a search for a place name means the
whole area that bears it.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from testimonies import policy
from testimonies.models import Place, PlaceKind
from testimonies.places.gazetteer import PlaceResolver, gazetteer_memo
from testimonies.textnorm import fold

MAX_WORDS = 4  # the longest place name matched in a query, in words
_MIN_KEY_LENGTH = 3  # shorter words ("al", "as") are not place names alone
_KIND_WORDS = {
    "governorate", "province", "district", "subdistrict", "nahiya", "region",
    fold("محافظة"), fold("منطقة"), fold("ناحية"),
}  # fmt: skip
_AREA_KINDS = {PlaceKind.GOVERNORATE, PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT}
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02bf\u02be]")
_NOT_WORD = re.compile(r"[^\w]+")
# Arabic conjunctions and prepositions written joined to the next word:
# "وبانياس" is "and Banias", "بطرطوس" "in Tartus".
_CONJUNCTIONS, _PREPOSITIONS = "وف", "بلك"


def name_key(text: str) -> str:
    """The form in which two spellings of one name meet."""
    text = _APOSTROPHES.sub("", fold(text))
    return " ".join(word for word in _NOT_WORD.split(text) if word)


def _keys_of(place) -> set[str]:
    keys = set()
    for name in [place.name, place.name_ar, *place.variants]:
        key = name_key(name or "")
        if not key:
            continue
        keys.add(key)
        if place.kind in _AREA_KINDS:
            bare = " ".join(w for w in key.split() if w not in _KIND_WORDS)
            if bare and bare != key:
                keys.add(bare)
    return {key for key in keys if len(key.replace(" ", "")) >= _MIN_KEY_LENGTH}


def place_spellings(place) -> list[str]:
    """Every spelling of a place, folded, one each: a text naming the place
    in any of them is about that place."""
    return sorted(_keys_of(place))


class PlaceNames:
    """Every known name of every place, folded (see place_names())."""

    def __init__(self):
        self.places = list(
            Place.objects.only(
                "slug", "kind", "name", "name_ar", "variants", "path", "parent_id",
                "added_by_documenter",
            )
        )  # fmt: skip
        self.by_key: dict[str, list[Place]] = {}
        self.spellings: dict[str, str] = {}  # key -> a name as written
        for place in self.places:
            for key in _keys_of(place):
                self.by_key.setdefault(key, []).append(place)
            for name in [place.name, place.name_ar, *place.variants]:
                if name:
                    self.spellings.setdefault(name_key(name), name)
        self.by_path = {place.path: place for place in self.places}

    def named(self, key: str) -> list[Place]:
        return self.by_key.get(key, [])

    def governorate_of(self, place) -> Place | None:
        slugs = [s for s in place.path.split("/") if s]
        for depth in range(len(slugs), 0, -1):
            path = "/" + "".join(f"{s}/" for s in slugs[:depth])
            found = self.by_path.get(path)
            if found is not None and found.kind == PlaceKind.GOVERNORATE:
                return found
        return None


class VisiblePlaceNames:
    """PlaceNames as one user may know them: a place a documenter added is
    known only to those who may see a testimony that shows it
    (testimonies.policy.places_visible). A name only such a place bears gets,
    for anyone else, the answer a name no place bears gets. Asked lazily,
    one name at a time, and remembered for the request."""

    def __init__(self, names: PlaceNames, user):
        self.names, self.user = names, user
        self.spellings = names.spellings
        self._named: dict[str, list[Place]] = {}

    def named(self, key: str) -> list[Place]:
        if key not in self._named:
            self._named[key] = policy.places_visible(self.names.named(key), self.user)
        return self._named[key]

    def governorate_of(self, place) -> Place | None:
        return self.names.governorate_of(place)


@dataclass
class PlaceMatch:
    """Words of the query that name places."""

    words: str  # as typed
    places: list[Place]  # every place so named: their testimonies match
    offered: list[Place] = field(default_factory=list)  # offered as a filter
    governorates: dict = field(default_factory=dict)  # offered slug -> Place


def _offered(places: list[Place]) -> list[Place]:
    """What the words most likely mean, to offer as a filter: the town where a
    town and the units named after it share the name (docs/import-format.md),
    else every place so named."""
    preferred = PlaceResolver.prefer_town(places)
    return sorted(preferred, key=lambda p: (p.path.count("/"), p.path))


def _candidates(names: PlaceNames, words: list[str]) -> list[Place]:
    key = " ".join(name_key(w) for w in words).strip()
    found = names.named(key)
    if not found and len(words) == 1:
        for stripped in _without_clitics(key):
            found = names.named(stripped)
            if found:
                break
    return found


def _without_clitics(word: str) -> list[str]:
    """The word without a joined conjunction and/or preposition."""
    forms = []
    if word[:1] in _CONJUNCTIONS:
        forms.append(word[1:])
        if word[1:2] in _PREPOSITIONS:
            forms.append(word[2:])
    elif word[:1] in _PREPOSITIONS:
        forms.append(word[1:])
    return [f for f in forms if len(f) >= _MIN_KEY_LENGTH]


def place_names() -> PlaceNames:
    """The current PlaceNames (built again when the gazetteer changes)."""
    return gazetteer_memo("search:place-names", PlaceNames)


def place_names_for(user) -> VisiblePlaceNames:
    """The place names `user` may know."""
    return VisiblePlaceNames(place_names(), user)


def query_places(query: str, names: VisiblePlaceNames):
    """The places the query names (among those the user of `names` may
    know) and the query's other words.

    Returns (matches, rest): longest names first, each stretch of words read
    once. A query with quotes or operators is left to the text search alone:
    cutting words out of it could change what it asks."""
    if not query or '"' in query:
        return [], query
    words = query.split()
    if any(w[0] in "-+" or w.upper() in {"AND", "OR", "NOT"} for w in words):
        return [], query
    matches, rest, start = [], [], 0
    while start < len(words):
        for size in range(min(MAX_WORDS, len(words) - start), 0, -1):
            found = _candidates(names, words[start : start + size])
            if found:
                offered = _offered(found)
                matches.append(
                    PlaceMatch(
                        words=" ".join(words[start : start + size]),
                        places=found,
                        offered=offered,
                        governorates={p.slug: names.governorate_of(p) for p in offered},
                    )
                )
                start += size
                break
        else:
            rest.append(words[start])
            start += 1
    return matches, " ".join(rest)


class PlaceFilterError(ValueError):
    def __init__(self, message, candidates=()):
        super().__init__(message)
        self.candidates = list(candidates)


def place_filter_slugs(values: list[str], user) -> list[str]:
    """The slugs of the places a `place` filter names: each value a slug, or
    any name, Arabic name or spelling variant of exactly one place (a plain
    name shared by a town and its governorate means the town), among the
    places `user` may know (testimonies.policy.places_visible). Unknown or
    ambiguous values raise PlaceFilterError naming the candidates."""
    slugs = []
    known = {
        place.slug
        for place in policy.places_visible(Place.objects.filter(slug__in=values), user)
    }
    resolver = None
    for value in values:
        if value in known:
            if value not in slugs:
                slugs.append(value)
            continue
        resolver = resolver or PlaceResolver()
        candidates = resolver.candidates(
            value, among=lambda places: policy.places_visible(places, user)
        )
        if len(candidates) == 1:
            if candidates[0].slug not in slugs:
                slugs.append(candidates[0].slug)
        elif not candidates:
            # The wording of every other unknown filter value.
            raise PlaceFilterError(_("Unknown value: %(values)s.") % {"values": value})
        else:
            raise PlaceFilterError(
                _("The place %(value)s is ambiguous: it could be %(candidates)s.")
                % {
                    "value": value,
                    "candidates": ", ".join(
                        f"{p.name} ({p.get_kind_display()}, {p.slug})"
                        for p in candidates
                    ),
                },
                candidates,
            )
    return slugs
