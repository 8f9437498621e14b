"""The public text of a testimony approved with a generalised public view.

When the re-identification check (testimonies.redaction.reidentification) leads a
moderator to raise the place or widen the dates for the public, the public
must not read the precise ones in the text either: a narrative that says
"in Hai Al Kusour on Friday 7 March" undoes a public view of "Banias, March
2025". So, after the names are redacted (testimonies.redaction.redactor), the text
the public reads is rewritten here:

- Places finer than the view, in every spelling and script the gazetteer
  knows (name, Arabic name, spelling variants; with Arabic clitics and the
  article: "بالقصور", "وللقصور"; with a kind word: "حي القصور", "the Kusour
  neighbourhood"), become their generalised form in the language of the
  text: "[a neighbourhood of Banias]", "[حي في بانياس]". A mentioned place
  is finer than the view unless it is one of the places shown, contains one,
  or is no more precise (by kind: governorate, district, subdistrict, town
  or village, neighbourhood) than the least precise place shown. Inside the
  places shown every finer place is replaced; elsewhere only neighbourhoods
  are (a town elsewhere tells nothing finer about where the account
  happened, and many towns are also common words: الباب, the door, is
  Al-Bab). It is replaced by the shown place it lies in, else by its
  nearest ancestor the view allows (a neighbourhood elsewhere by its
  town). A testimony tagged with no
  place has no place to raise (the review then offers no place view): the
  places in its text are left as written.
- Date expressions finer than the view become the month ("[March 2025]",
  "[آذار 2025]") or the year ("[2025]"): days, day lists and ranges
  ("7-8 March", "7 و8 آذار"), weekdays ("on Friday", "يوم الجمعة"),
  ordinals ("the 8th", "الثامن من آذار"), English month names, the Syrian
  (آذار، نيسان ...) and Egyptian (مارس، أبريل ...) Arabic ones, numeric
  dates (8/3/2025, 2025-03-08), in ASCII or Arabic-Indic digits. A day
  without its month (a weekday, "the 8th") becomes the view's own month or
  year. Month names that are also common words ("آب" is written like "أب",
  father; "مارس" is a verb; "May") count only where the context makes them
  a date.

Matching folds the text as redaction does (testimonies.textnorm), so the
spellings that redaction sees through are seen through here too. The
replacements are listed with their positions so that the moderator sees
them highlighted before approving (generalisation_preview).

Who reads which text: the public reads this one wherever it can reach the
text (the testimony page, search excerpts, the search index and therefore
its terms and suggestions, "more like this", exports, which leave the
archive whoever asks); researchers, documenters and moderators read the text
as recorded (names redacted) inside the archive, as they see the recorded
places and dates (testimonies.policy.sees_precise_details).
"""

import dataclasses
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from testimonies.models import IncidentDates, Place, PlaceKind, Testimony
from testimonies.places.gazetteer import gazetteer_memo
from testimonies.places.models import SETTLEMENT_KINDS, generalised_paths, path_slugs
from testimonies.redaction.redactor import (
    PreviewText,
    RedactedTexts,
    Redactor,
    Segment,
    redacted_texts,
    redacted_texts_many,
)
from testimonies.textnorm import fold, fold_with_offsets
from testimonies.vault.identity import READ_NOW, identity_rows

# How precise each kind of place is: a place is finer than another when its
# kind ranks higher. Kinds are compared rather than depths in the gazetteer,
# because a GeoNames village may hang straight under its governorate.
KIND_RANK = {
    PlaceKind.COUNTRY: 0,
    PlaceKind.GOVERNORATE: 1,
    PlaceKind.DISTRICT: 2,
    PlaceKind.SUBDISTRICT: 3,
    PlaceKind.TOWN: 4,
    PlaceKind.VILLAGE: 4,
    PlaceKind.NEIGHBOURHOOD: 5,
}
_PRECISIONS = ("day", "month", "year")
_MAX_WORDS = 5  # the longest place name matched, in words
_MIN_KEY_LENGTH = 3  # shorter names ("as") are not matched alone
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02bf\u02be]")
# A word of a name: letters and digits, apostrophes inside ("Da'tour"), but
# not an English possessive 's (the place stays "Kusour" in "Kusour's").
_WORD = re.compile(r"[^\W_]+(?:['\u2019\u02bc](?![sS]\b)[^\W_]+)*")
# The apostrophe of an English possessive ("Kusour's").
_POSSESSIVE = re.compile(r"['\u2019\u02bc](?=[sS]\b)")
# What may stand between two words of one name.
_NAME_GAP = re.compile(r"[\s\-\u2010\u2011\u2013_]+")
# Arabic conjunctions and prepositions written joined to the next word.
_PROCLITICS = "وفبكل"
_ARTICLE = "ال"
# Kind words that belong to the name they stand beside: "حي القصور" and
# "the Kusour neighbourhood" are replaced whole. Arabic ones before the
# name (folded), English ones after it.
_KIND_WORDS_BEFORE = {
    PlaceKind.NEIGHBOURHOOD: {fold(w) for w in ("حي", "حارة")},
    PlaceKind.TOWN: {fold(w) for w in ("قرية", "بلدة", "مدينة", "ضيعة")},
    PlaceKind.VILLAGE: {fold(w) for w in ("قرية", "بلدة", "مدينة", "ضيعة")},
}
_KIND_WORDS_AFTER = {
    PlaceKind.NEIGHBOURHOOD: {"neighbourhood", "neighborhood", "quarter"},
    PlaceKind.TOWN: {"village", "town", "city"},
    PlaceKind.VILLAGE: {"village", "town", "city"},
}
# Kind words that a governorate's or district's name may be given without.
_AREA_WORDS = {
    "governorate", "province", "district", "subdistrict", "nahiya", "region",
    fold("محافظة"), fold("منطقة"), fold("ناحية"),
}  # fmt: skip
_AREA_KINDS = {PlaceKind.GOVERNORATE, PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT}


def name_words(text: str) -> list[str]:
    """The words of a name in their matching form."""
    return [_APOSTROPHES.sub("", w) for w in _WORD.findall(fold(text))]


class PlaceLexicon:
    """Every name of every place of the gazetteer, as words in their
    matching form (see place_lexicon())."""

    def __init__(self):
        self.by_key: dict[tuple[str, ...], list[Place]] = {}
        self.by_path: dict[str, Place] = {}
        for place in Place.objects.only(
            "slug", "kind", "name", "name_ar", "variants", "path"
        ):
            self.by_path[place.path] = place
            for key in self._keys(place):
                self.by_key.setdefault(key, []).append(place)

    @staticmethod
    def _keys(place) -> set[tuple[str, ...]]:
        keys = set()
        for name in [place.name, place.name_ar, *place.variants]:
            words = tuple(name_words(name or ""))
            if not words:
                continue
            keys.add(words)
            if place.kind in _AREA_KINDS:
                bare = tuple(w for w in words if w not in _AREA_WORDS)
                if bare:
                    keys.add(bare)
        return {
            key
            for key in keys
            if len("".join(key)) >= _MIN_KEY_LENGTH and len(key) <= _MAX_WORDS
        }

    def named(self, words: tuple[str, ...]) -> list[Place]:
        found = self.by_key.get(words, [])
        if len(found) > 1:
            # A plain name shared by a town and the units named after it
            # means the town (as everywhere in the archive).
            towns = [p for p in found if p.kind in SETTLEMENT_KINDS]
            if len(towns) == 1 and all(
                towns[0].path.startswith(p.path) for p in found if p is not towns[0]
            ):
                return towns
        return found

    def nearest_ancestor(self, place, keep):
        """The nearest place above `place` for which `keep(place)` holds."""
        slugs = path_slugs(place.path)
        for depth in range(len(slugs) - 1, 0, -1):
            path = "/" + "".join(f"{s}/" for s in slugs[:depth])
            found = self.by_path.get(path)
            if found is not None and keep(found):
                return found
        return None


def place_lexicon() -> PlaceLexicon:
    """The current PlaceLexicon (built again when the gazetteer changes)."""
    return gazetteer_memo("testimonies:place-lexicon", PlaceLexicon)


@dataclass(frozen=True)
class PublicView:
    """What the public may know of where and when: the places shown (None:
    as tagged, no place is replaced) and the date precision ("": as
    recorded, "month", "year"), with the incident's dates as shown."""

    place_paths: tuple[str, ...] | None
    date_precision: str
    incident: IncidentDates

    @property
    def changes_anything(self) -> bool:
        return self.place_paths is not None or bool(self.date_precision)


def public_view(testimony, *, place_levels_up=None, date_precision=None):
    """The public view of `testimony` (places prefetched), as its approval
    chose it or as `place_levels_up` / `date_precision` would make it."""
    levels = (
        testimony.public_place_levels_up if place_levels_up is None else place_levels_up
    )
    precision = (
        testimony.public_date_precision if date_precision is None else date_precision
    )
    tagged = [place.path for place in testimony.places.all()]
    paths = tuple(generalised_paths(tagged, levels)) if levels and tagged else None
    if precision:
        # Widening never narrows: a date known to the year stays a year.
        precision = max(precision, testimony.incident_precision, key=_PRECISIONS.index)
    return PublicView(paths, precision or "", testimony.incident.widened(precision))


@dataclass(frozen=True)
class Replacement:
    """A stretch of a text finer than the public view (offsets in the text)
    and what the public reads instead; `kind` is "place" or "date"."""

    start: int
    end: int
    text: str
    kind: str


def _output_language(language: str, text: str) -> str:
    """The language generalised forms are written in: the text's own, by
    its script (an English summary of an Arabic account reads the English
    forms); by its language code when it has no letters to tell."""
    arabic = sum(1 for char in text if "\u0600" <= char <= "\u06ff" and char.isalpha())
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    if arabic or latin:
        return "ar" if arabic > latin else "en"
    return "ar" if language == "ar" else "en"


def _in(language: str, message: str, **values) -> str:
    """`message` (marked with gettext_noop) in `language`, not the reader's:
    what replaces a piece of a text is written in the text's language."""
    with translation.override(language):
        return gettext(message) % values if values else gettext(message)


# ---------------------------------------------------------------- places

# What a finer place becomes, by its kind (in brackets, like a redacted name).
_PLACE_FORMS = {
    PlaceKind.NEIGHBOURHOOD: gettext_noop("a neighbourhood of %(place)s"),
    PlaceKind.TOWN: gettext_noop("a town or village in %(place)s"),
    # Not "a village": the public text says no more than a town would.
    PlaceKind.VILLAGE: gettext_noop("a town or village in %(place)s"),
    PlaceKind.SUBDISTRICT: gettext_noop("a subdistrict of %(place)s"),
    PlaceKind.DISTRICT: gettext_noop("a district of %(place)s"),
    PlaceKind.GOVERNORATE: gettext_noop("a governorate of %(place)s"),
}
_SOME_PLACE_IN = gettext_noop("a place in %(place)s")
_SOME_PLACE = gettext_noop("a place")
_THAT_MONTH = gettext_noop("that month")
_THAT_YEAR = gettext_noop("that year")


class _PlaceRule:
    """Which mentioned places the view allows, and what replaces the others."""

    def __init__(self, view_paths: tuple[str, ...], lexicon: PlaceLexicon):
        self.lexicon = lexicon
        self.shown = sorted(view_paths, key=len, reverse=True)  # deepest first
        ranks = [
            KIND_RANK.get(lexicon.by_path[p].kind, 0)
            for p in view_paths
            if p in lexicon.by_path
        ]
        self.rank = min(ranks) if ranks else 0

    def related(self, place) -> bool:
        """Does the place lie in a place shown, or hold one?"""
        return any(
            place.path.startswith(path) or path.startswith(place.path)
            for path in self.shown
        )

    def allowed(self, place) -> bool:
        if any(path.startswith(place.path) for path in self.shown):
            return True  # a place shown, or one that holds a place shown
        rank = KIND_RANK.get(place.kind, 0)
        if rank <= self.rank or self.related(place):
            return rank <= self.rank
        # Elsewhere, a town says nothing finer about where this account
        # happened ("we fled to Jableh"), and replacing every town that is
        # also a word would ruin texts ("الباب", the door, is Al-Bab); a
        # neighbourhood (or anything finer than a town) is replaced anywhere.
        return rank < KIND_RANK[PlaceKind.NEIGHBOURHOOD]

    def anchor(self, place):
        """What a finer place is shown as: the shown place it lies in, else
        its nearest ancestor that the view allows (a neighbourhood elsewhere
        as one of its town)."""
        for path in self.shown:
            if place.path.startswith(path):
                return self.lexicon.by_path.get(path)
        return self.lexicon.nearest_ancestor(place, self.allowed)

    def replacement(self, places, language: str) -> str | None:
        """The generalised form of a mention that may name any of `places`,
        or None when the view allows one of them (it is left as written)."""
        if not places or any(self.allowed(p) for p in places):
            return None
        anchors = [self.anchor(p) for p in places]
        anchor = _common_ancestor(anchors, self.lexicon)
        kinds = {p.kind for p in places}
        if anchor is None:
            return "[" + _in(language, _SOME_PLACE) + "]"
        name = (anchor.name_ar or anchor.name) if language == "ar" else anchor.name
        form = _PLACE_FORMS.get(kinds.pop()) if len(kinds) == 1 else None
        return "[" + _in(language, form or _SOME_PLACE_IN, place=name) + "]"


def _common_ancestor(places, lexicon: PlaceLexicon):
    if any(p is None for p in places):
        return None
    common = path_slugs(places[0].path)
    for place in places[1:]:
        slugs = path_slugs(place.path)
        size = 0
        while size < min(len(common), len(slugs)) and common[size] == slugs[size]:
            size += 1
        common = common[:size]
    if not common:
        return None
    return lexicon.by_path.get("/" + "".join(f"{s}/" for s in common))


def _first_word_forms(word: str) -> list[tuple[int, str]]:
    """(letters of a joined clitic, the word without it) for each way of
    reading the first word of a name: as written; without و ف ب ك ل (one or
    two); and ل + ال written لل ("للقصور" is "to al-Qusour")."""
    forms = [(0, word)]
    for size in (1, 2):
        prefix, rest = word[:size], word[size:]
        if len(prefix) < size or any(c not in _PROCLITICS for c in prefix):
            break
        if len(rest) < _MIN_KEY_LENGTH:
            break
        forms.append((size, rest))
        if prefix.endswith("ل") and rest.startswith("ل"):
            forms.append((size, "ا" + rest))  # keeps the folded length of rest
    return forms


def _place_replacements(text, folded, origins, rule, language) -> list[Replacement]:
    words = list(_WORD.finditer(folded))
    keys = [_APOSTROPHES.sub("", m.group()) for m in words]
    found, index = [], 0
    while index < len(words):
        match = _match_at(words, keys, folded, index, rule.lexicon, rule.related)
        if match is None:
            index += 1
            continue
        start, end, last, places = match
        replacement = rule.replacement(places, language)
        if replacement is not None:
            found.append(
                Replacement(
                    origins[start],
                    _end_in_text(text, origins, end),
                    replacement,
                    "place",
                )
            )
        index = last + 1
    return found


def _joined(words, folded, first: int, last: int) -> bool:
    """Do words first..last stand together as one name (only spaces,
    hyphens or underscores between them)?"""
    return all(
        _NAME_GAP.fullmatch(folded[words[i].end() : words[i + 1].start()])
        for i in range(first, last)
    )


def _match_at(words, keys, folded, index, lexicon, related):
    """The longest place name starting at word `index` (after a clitic, or
    after a kind word that belongs to it): (start, end, last word, places)
    in the folded text, or None. `related(place)`: does the place lie in or
    hold one the view shows?"""
    for size in range(min(_MAX_WORDS, len(words) - index), 0, -1):
        last = index + size - 1
        if not _joined(words, folded, index, last):
            continue
        for clitic, first in _first_word_forms(keys[index]):
            places = lexicon.named((first, *keys[index + 1 : last + 1]))
            if clitic and size == 1 and len(first) < 4:
                # A short name read through a clitic is as likely another
                # word ("ورقة", a sheet of paper, is not "و" + "رقة", Raqqa):
                # only the places this testimony is about are taken so.
                places = [p for p in places if related(p)]
            if places:
                start = words[index].start() + clitic
                last = _kind_word_after(words, keys, folded, last, places)
                return start, words[last].end(), last, places
            if size > 1 and first in _kind_words_before():
                places = lexicon.named(tuple(keys[index + 1 : last + 1]))
                if places and all(
                    first in _KIND_WORDS_BEFORE.get(p.kind, ()) for p in places
                ):
                    start = words[index].start() + clitic
                    return start, words[last].end(), last, places
    return None


def _kind_words_before() -> set[str]:
    return set().union(*_KIND_WORDS_BEFORE.values())


def _kind_word_after(words, keys, folded, last, places) -> int:
    """The last word of the mention: the name's, or a kind word after it."""
    following = last + 1
    if following < len(words) and _joined(words, folded, last, following):
        word = keys[following]
        if all(word in _KIND_WORDS_AFTER.get(p.kind, ()) for p in places):
            return following
    return last


def _end_in_text(text: str, origins: list[int], folded_end: int) -> int:
    end = origins[folded_end - 1] + 1
    # Keep combining marks that trail the last letter inside the mention.
    while end < len(text) and fold(text[end]) == "":
        end += 1
    return end


# ----------------------------------------------------------------- dates

_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
    "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_EN_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_EN_WEEKDAYS = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip
_EN_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth twentieth thirtieth"
).split()
# Syrian (Levantine) month names first: what the public reads in Arabic.
_AR_MONTH_NAMES = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
_AR_EGYPTIAN_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4,
    "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8,
    "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
_AR_MONTHS = {
    **{fold(name): number for number, name in enumerate(_AR_MONTH_NAMES, start=1)},
    **{fold(name): number for name, number in _AR_EGYPTIAN_MONTHS.items()},
}
# Also common words once folded (أب father, مارسَ practised, مايوه): a date
# only beside a day, a year or the word شهر (month).
_AR_AMBIGUOUS_MONTHS = {fold("آب"), fold("مارس"), fold("مايو")}
_AR_WEEKDAYS = [
    fold(w) for w in ("الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس",
                      "الجمعة", "السبت", "الأحد")
]  # fmt: skip
_AR_UNITS = (
    "الحادي", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع",
    "الثامن", "التاسع",
)  # fmt: skip
_AR_ORDINALS = [
    fold(w)
    for w in (
        "الأول", "أول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس",
        "السابع", "الثامن", "التاسع", "العاشر", "العشرين", "الثلاثين",
        *(f"{unit} عشر" for unit in _AR_UNITS),
        *(f"{unit} والعشرين" for unit in _AR_UNITS),
        "الحادي والثلاثين",
    )
]  # fmt: skip


def _alternatives(words) -> str:
    escaped = (r"\s+".join(map(re.escape, w.split())) for w in words)
    return "(?:" + "|".join(sorted(escaped, key=len, reverse=True)) + ")"


_YEAR = r"(?P<year>(?<!\d)\d{4}(?!\d))"
_EN_FULL_MONTHS = {name.lower() for name in _EN_MONTH_NAMES}
# Full names, and abbreviations with or without their dot (a full name's
# dot ends a sentence and stays).
_EN_MONTH = (
    r"(?P<month>"
    + "|".join(
        sorted(
            [
                form + (r"\b" if m in _EN_FULL_MONTHS else r"\b\.?")
                for m in _EN_MONTHS
                for form in (m.capitalize(), m.upper())
            ],
            key=len,
            reverse=True,
        )
    )
    + r")"
)
_EN_ORDINAL_WORD = (
    r"(?i:(?:(?:twenty|thirty)[\s\-])?" + _alternatives(_EN_ORDINALS) + r")"
)
_EN_DAY = r"(?:(?<!\d)\d{1,2}(?:st|nd|rd|th)?(?!\d)|" + _EN_ORDINAL_WORD + r")"
_EN_DAYS = (
    _EN_DAY + r"(?:\s*(?:-|–|—|,|&|\bto\b|\band\b)\s*(?:the\s+)?" + _EN_DAY + ")*"
)
_EN_WEEKDAY = r"(?:" + "|".join(_EN_WEEKDAYS) + r")s?"
_EN_WEEKDAY_BEFORE = r"(?:" + _EN_WEEKDAY + r",?\s+)?"
_SUFFIXED_DAY = r"(?<!\d)\d{1,2}(?:st|nd|rd|th)(?!\w)"

_AR_DAY = r"(?:(?<!\d)\d{1,2}(?!\d)|" + _alternatives(_AR_ORDINALS) + ")"
_AR_DAYS = _AR_DAY + r"(?:\s*(?:-|–|/|و|الي|حتي)\s*" + _AR_DAY + ")*"
_AR_MONTH = r"(?P<month>" + _alternatives(_AR_MONTHS) + ")"
_AR_SECOND_MONTH = r"(?:\s*[/(]\s*" + _alternatives(_AR_MONTHS) + r"\s*\)?)?"
_AR_YEAR = r"(?:\s+(?:(?:من\s+)?(?:عام|سنه|العام)\s+)?" + _YEAR + r"(?:\s*م(?!\w))?)"
_AR_WEEKDAY = _alternatives(_AR_WEEKDAYS)
_AR_DAY_WORDS = r"(?:(?:يوم|ليله|صباح|مساء|فجر|ظهر)\s+)?"
# A joined conjunction or preposition ("بآذار", "لشهر آذار") before an
# Arabic expression: matched, and left outside what is replaced.
_CLITIC = r"(?<!\w)(?P<clitic>[وفبلك]{0,2}?)"

# (pattern, precision of what it names: "day" or "month"), matched on the
# text (English, whose capitals tell March from march) or on its folded
# form (Arabic). Where two overlap the earlier and longer wins.
_EN_PATTERNS = [
    (_EN_WEEKDAY_BEFORE + r"(?:the\s+)?" + _EN_DAYS + r"\s+(?:of\s+)?" + _EN_MONTH
     + r"(?:,?\s+" + _YEAR + ")?", "day"),
    (_EN_WEEKDAY_BEFORE + _EN_MONTH + r"\s+(?:the\s+)?" + _EN_DAYS
     + r"(?:,?\s+" + _YEAR + ")?", "day"),
    (_EN_MONTH + r",?\s+(?:of\s+)?" + _YEAR, "month"),
    (r"\b" + _EN_WEEKDAY + r"\b", "day"),
    (r"\bthe\s+" + _SUFFIXED_DAY + r"(?:\s*(?:-|–|and|&|to)\s*(?:the\s+)?"
     + _SUFFIXED_DAY + ")*", "day"),
    # A month alone: full names only ("Jan" and "Mar" are also names).
    (r"(?<![\w.])(?P<month>" + "|".join(_EN_MONTH_NAMES) + r")\b", "month"),
]  # fmt: skip
_AR_PATTERNS = [
    (_CLITIC + r"(?:يوم\s+)?(?:" + _AR_WEEKDAY + r"\s+)?" + _AR_DAY_WORDS + _AR_DAYS
     + r"(?:\s+من)?(?:\s+شهر)?\s+" + _AR_MONTH + _AR_SECOND_MONTH + _AR_YEAR + "?"
     + r"(?!\w)", "day"),
    (_CLITIC + r"(?:شهر\s+)?" + _AR_MONTH + _AR_SECOND_MONTH + _AR_YEAR + r"(?!\w)",
     "month"),
    (_CLITIC + r"(?:شهر\s+)?" + _AR_MONTH + _AR_SECOND_MONTH + r"(?!\w)", "month"),
    (_CLITIC + r"(?:يوم\s+)?" + _AR_WEEKDAY + r"(?!\w)", "day"),
]  # fmt: skip
# Numbers: day/month/year and year-month-day (either script of digits),
# and month/year.
_NUMERIC_PATTERNS = [
    (r"(?<![\w/.\-])(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})"
     r"(?![\w/\-]|\.\d)", "numeric"),
    (r"(?<![\w/.\-])(?P<year>\d{4})[/.\-](?P<b>\d{1,2})[/.\-](?P<a>\d{1,2})"
     r"(?![\w/\-]|\.\d)", "iso"),
    (r"(?<![\w/.\-])(?P<b>\d{1,2})[/\-](?P<year>\d{4})(?![\w/\-]|\.\d)", "month"),
    (r"(?<![\w/.\-])(?P<year>\d{4})-(?P<b>\d{1,2})(?![\w/\-]|\.\d)", "month"),
]  # fmt: skip
_COMPILED = {
    "en": [(re.compile(p), level) for p, level in _EN_PATTERNS],
    "ar": [(re.compile(p), level) for p, level in _AR_PATTERNS],
    "numeric": [(re.compile(p), level) for p, level in _NUMERIC_PATTERNS],
}
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class _DateMention:
    start: int
    end: int
    precision: str  # "day" or "month"
    year: int | None
    month: int | None
    arabic_digits: bool


def _year(value: str | None) -> int | None:
    if not value:
        return None
    number = int(value.translate(_ARABIC_INDIC))
    if len(value) == 2:
        number += 2000 if number < 50 else 1900
    return number if 1900 <= number <= 2100 else None


def _number(match, group: str) -> int:
    return int(match.group(group).translate(_ARABIC_INDIC))


def _numeric_mention(match, level, incident) -> tuple[str, int | None] | None:
    """(precision, month) of a numeric date, or None when it is no date."""
    b = _number(match, "b")
    if level == "month":
        return ("month", b) if 1 <= b <= 12 else None
    a = _number(match, "a")
    if level == "iso":
        return ("day", b) if 1 <= b <= 12 and 1 <= a <= 31 else None
    # Day first, as Syria writes it; month first only when the day-first
    # reading is impossible, or when only it falls in the incident's months.
    readings = [(day, month) for day, month in ((a, b), (b, a))
                if 1 <= day <= 31 and 1 <= month <= 12]  # fmt: skip
    if not readings:
        return None
    months = {month for _day, month in readings}
    if len(months) > 1 and incident.start:
        inside = [
            m for m in months if _month_in(incident, _year(match.group("year")), m)
        ]
        if len(inside) == 1:
            return ("day", inside[0])
        return ("day", None)  # cannot tell: the year alone is certain
    return ("day", readings[0][1])


def _month_in(incident: IncidentDates, year, month) -> bool:
    start, end = incident.start, incident.end or incident.start
    if year is None:
        return any(d.month == month for d in (start, end))
    return (start.year, start.month) <= (year, month) <= (end.year, end.month)


def _date_mentions(text: str, folded: str, origins, incident) -> list[_DateMention]:
    found = []
    for pattern, level in _COMPILED["en"]:
        for match in pattern.finditer(text):
            month = match.groupdict().get("month")
            found.append(
                _DateMention(
                    match.start(),
                    match.end(),
                    level,
                    _year(match.groupdict().get("year")),
                    _EN_MONTHS.get(month.rstrip(".").lower()) if month else None,
                    False,
                )
            )
    for source in ("ar", "numeric"):
        for pattern, level in _COMPILED[source]:
            for match in pattern.finditer(folded):
                groups = match.groupdict()
                month = None
                if source == "numeric":
                    read = _numeric_mention(match, level, incident)
                    if read is None:
                        continue
                    level, month = read
                elif groups.get("month"):
                    key = " ".join(groups["month"].split())
                    month = _AR_MONTHS.get(key)
                    if (
                        key in _AR_AMBIGUOUS_MONTHS
                        and level == "month"
                        and not groups.get("year")
                        and "شهر" not in match.group()
                    ):
                        continue
                # A joined clitic stays outside the replacement.
                start = match.end("clitic") if "clitic" in groups else match.start()
                end = _end_in_text(text, origins, match.end())
                # As written: folding made every digit ASCII.
                raw = text[origins[start] : end]
                found.append(
                    _DateMention(
                        origins[start],
                        end,
                        level,
                        _year(groups.get("year")),
                        month,
                        any("\u0660" <= c <= "\u0669" or "\u06f0" <= c <= "\u06f9"
                            for c in raw),
                    )
                )  # fmt: skip
    return _without_overlaps(found)


def _without_overlaps(mentions):
    """Overlapping mentions as one ("يوم الجمعة" inside "يوم الجمعة 7
    آذار"), as precise as the finer and with what either says."""
    merged = []
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if merged and mention.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = _DateMention(
                last.start,
                max(last.end, mention.end),
                min(last.precision, mention.precision, key=_PRECISIONS.index),
                last.year or mention.year,
                last.month or mention.month,
                last.arabic_digits or mention.arabic_digits,
            )
        else:
            merged.append(mention)
    return merged


def _digits(number: int, arabic: bool) -> str:
    text = str(number)
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) if arabic else text


def _single(incident: IncidentDates, part: str) -> int | None:
    """The incident's month or year, when its public dates hold only one."""
    if not incident.start:
        return None
    start, end = incident.start, incident.end or incident.start
    if part == "year":
        return start.year if start.year == end.year else None
    same = (start.year, start.month) == (end.year, end.month)
    return start.month if same else None


def _date_replacement(mention, precision, incident, language) -> str | None:
    """What the public reads instead of a date mention, or None when the
    mention is no finer than the view."""
    if _PRECISIONS.index(mention.precision) >= _PRECISIONS.index(precision):
        return None
    year = mention.year
    if precision == "year":
        year = year or _single(incident, "year")
        if year is None:
            return "[" + _in(language, _THAT_YEAR) + "]"
        return f"[{_digits(year, mention.arabic_digits)}]"
    month = mention.month
    if month is None and mention.year is None:
        # A weekday or a day without its month: the view's own month.
        month, year = _single(incident, "month"), _single(incident, "year")
        if month is None:
            with translation.override(language):
                label = incident.label
            return f"[{label}]" if label else "[" + _in(language, _THAT_MONTH) + "]"
    if month is None:
        return f"[{_digits(year, mention.arabic_digits)}]"
    names = _AR_MONTH_NAMES if language == "ar" else _EN_MONTH_NAMES
    label = names[month - 1]
    if year:
        label = f"{label} {_digits(year, mention.arabic_digits)}"
    return f"[{label}]"


# -------------------------------------------------------------- together


class Generaliser:
    """Rewrites texts to a public view (see the module's docstring)."""

    def __init__(self, view: PublicView, lexicon: PlaceLexicon | None = None):
        self.view = view
        self.places = (
            _PlaceRule(view.place_paths, lexicon or place_lexicon())
            if view.place_paths is not None
            else None
        )

    def replacements(self, text: str, language: str = "en") -> list[Replacement]:
        """Every stretch of `text` finer than the view, in order."""
        if not text or not self.view.changes_anything:
            return []
        output = _output_language(language, text)
        folded, origins = fold_with_offsets(text)
        found = []
        if self.places is not None:
            # Folding drops apostrophes (Da'tour is datour), which would glue
            # an English possessive to the name ("Kusour's" as kusours): the
            # place is read apart from its 's, which stays in the text.
            apart = _POSSESSIVE.sub(" ", text)
            place_folded, place_origins = fold_with_offsets(apart)
            found += _place_replacements(
                text, place_folded, place_origins, self.places, output
            )
        if self.view.date_precision:
            for mention in _date_mentions(text, folded, origins, self.view.incident):
                replacement = _date_replacement(
                    mention, self.view.date_precision, self.view.incident, output
                )
                if replacement is not None:
                    found.append(
                        Replacement(mention.start, mention.end, replacement, "date")
                    )
        kept, end = [], -1
        for item in sorted(found, key=lambda r: (r.start, -(r.end - r.start))):
            if item.start >= end:
                kept.append(item)
                end = item.end
        return kept

    def generalise(self, text: str, language: str = "en") -> str:
        return "".join(s.text for s in self.segments(text, language)[1])

    def segments(
        self, text: str, language: str = "en"
    ) -> tuple[list[Segment], list[Segment]]:
        """`text` cut at what the view replaces, as written and as the
        public reads it; a replaced piece carries its replacement as
        `placeholder`."""
        original, public, cursor = [], [], 0
        for found in self.replacements(text, language):
            if found.start > cursor:
                piece = Segment(text[cursor : found.start])
                original.append(piece)
                public.append(piece)
            original.append(Segment(text[found.start : found.end], found.text))
            public.append(Segment(found.text, found.text))
            cursor = found.end
        if cursor < len(text or ""):
            original.append(Segment(text[cursor:]))
            public.append(Segment(text[cursor:]))
        return original, public

    def texts(self, texts: RedactedTexts, language: str) -> RedactedTexts:
        """Redacted texts of a testimony (in `language`, translations in
        theirs), as the public reads them."""
        return RedactedTexts(
            narrative=self.generalise(texts.narrative, language),
            translations={
                code: self.generalise(text, code)
                for code, text in texts.translations.items()
            },
            summary=self.generalise(texts.summary, language),
            undecided=texts.undecided,
        )


def generaliser_for(testimony, **choice) -> Generaliser | None:
    """The generaliser of a testimony's public view (or of the view that
    `place_levels_up` / `date_precision` would make), None when the public
    reads the text as recorded. Reads the (prefetched) places."""
    view = public_view(testimony, **choice)
    return Generaliser(view) if view.changes_anything else None


def public_texts(
    testimony, *, identity_row=READ_NOW, redactor: Redactor | None = None
) -> RedactedTexts:
    """The testimony's texts as the public reads them: names redacted, then
    places and dates no finer than its public view. `redactor`: the
    testimony's (redaction.redactor_for), when the caller has it already."""
    texts = redacted_texts(testimony, identity_row=identity_row, redactor=redactor)
    generaliser = generaliser_for(testimony)
    return generaliser.texts(texts, testimony.language) if generaliser else texts


def readable_texts_many(testimonies, *, public: bool) -> dict[int, RedactedTexts]:
    """{pk: texts} of these testimonies as one reader reads them: with names
    redacted, and for the public (`public`) no finer than each one's public
    view. The witnesses' identities are read in one query."""
    if not public:
        return redacted_texts_many(testimonies)
    testimonies = list(testimonies)
    rows = identity_rows(t.witness_id for t in testimonies)
    return {
        t.pk: public_texts(t, identity_row=rows.get(t.witness_id)) for t in testimonies
    }


def readable_texts(testimony: Testimony, *, public: bool) -> RedactedTexts:
    """One testimony's texts as readable_texts_many gives them."""
    return public_texts(testimony) if public else redacted_texts(testimony)


@dataclass(frozen=True)
class ViewPreview:
    """What one public view would replace, for the review page: each text
    (names already redacted) as researchers read it, with the finer
    stretches marked, and as the public would read it."""

    key: str
    label: str
    texts: list[PreviewText]
    replaced: int


def generalisation_previews(
    testimony, generalisations, *, redaction: list[PreviewText]
) -> list[ViewPreview]:
    """A ViewPreview of each of `generalisations` (testimonies.
    reidentification), from the redaction preview of the same testimony."""
    previews = []
    for generalisation in generalisations:
        generaliser = generaliser_for(
            testimony,
            place_levels_up=generalisation.place_levels_up,
            date_precision=generalisation.date_precision,
        )
        texts, replaced = [], 0
        for text in redaction:
            redacted = "".join(segment.text for segment in text.redacted)
            if generaliser is None:
                original = public = [Segment(redacted)]
            else:
                original, public = generaliser.segments(redacted, text.language)
            replaced += sum(1 for segment in public if segment.placeholder)
            texts.append(dataclasses.replace(text, original=original, redacted=public))
        previews.append(
            ViewPreview(generalisation.key, str(generalisation.label), texts, replaced)
        )
    return previews
