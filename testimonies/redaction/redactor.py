"""Replacing names in narratives before anyone but the allowed sees them.

The witness's name (and each part of it) becomes the witness's pseudonym;
every person named in the testimony becomes a numbered placeholder, the same
number for the same person throughout the narrative, translations and
summary (an entry of persons_named may list a person's spellings in several
scripts). Words marked in the text (testimonies.redaction.marks) are replaced whole,
each with the placeholder of the person they belong to. The witness's
contact, and their birth year or age where the text states them, are
replaced too (testimonies.redaction.quasi_identifiers).

Matching reads the text as the search index does (testimonies.textnorm:
case, diacritics, invisible characters, compatibility forms, Persian and
Kurdish letters, homoglyphs, digits of every script), sees through the
Arabic proclitics و ف ب ك ل attached to a name (and the ل that swallows the
alef of a name's article: للحسن), lets any run of white space, "_" or
hyphens stand between two words of a name (#أيمن_فارس) and a hyphen and a
line break inside a word (Ay-\\nman), and takes digits glued to a name
(ayman1968), tanween with its alef (سميراً) and a possessive 's. Arabic
compound names (عبد الله, أبو علي, نور الدين) are one name
(testimonies.redaction.name_forms).

What is not certainly a name is never replaced blindly, nor left silently:
it is flagged for a person to decide, occurrence by occurrence (`Reason`):
a name part that is also a common word (على for علي, نور, said), a match
that only holds if ى is read as ي in a short word, a word the search index
would read as a name part (the article added, another ending), a
transliteration (Aiman for Ayman, Sameer for Samir, Şiyar for Shiyar, a
Sorani spelling), a spelling one letter from a name of five letters or
more, and phone numbers and e-mail addresses other than the witness's own.
A decision (testimonies.redaction.marks, Testimony.redaction_decisions) replaces or
keeps that one occurrence; until every flagged word is decided, the
testimony is released to no one (services.testimony_approve, the import,
the search index and the pages refuse it).
"""

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from testimonies.core.bilingual import translation_heading
from testimonies.core.models import person_spellings
from testimonies.redaction.marks import (
    WITNESS,
    decisions_map,
    mark_owners,
    spelling_key,
)
from testimonies.redaction.name_forms import (
    KURDISH_LETTERS,
    arabic_skeleton,
    is_common_word,
    is_latin,
    joined_variants,
    name_parts,
    name_words,
    one_edit_apart,
    transliteration_key,
)
from testimonies.redaction.quasi_identifiers import (
    AGE,
    BIRTH_YEAR,
    CONTACT,
    EMAIL,
    PHONE,
    birth_statements_in,
    contact_forms,
    contacts_in,
)
from testimonies.textnorm import (
    ARABIC_LETTERS,
    WORD,
    fold,
    fold_with_offsets,
    index_term,
    span_end,
    words,
)
from testimonies.vault.identity import (
    READ_NOW,
    RedactionTerms,
    identity_redaction_terms,
    identity_rows,
)


class Reason(StrEnum):
    """Why a word is flagged for a person to decide."""

    COMMON_WORD = "common-word"
    LETTER_FOLD = "letter-fold"
    SAME_TERM = "same-term"
    TRANSLITERATION = "transliteration"
    NEAR_SPELLING = "near-spelling"
    PHONE = "phone"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    Reason.COMMON_WORD: _("a name part that is also a common word"),
    Reason.LETTER_FOLD: _(
        "the same as a name part only if ى and ي are read as one letter"
    ),
    Reason.SAME_TERM: _(
        "another form of a name part (the search would read it as the name)"
    ),
    Reason.TRANSLITERATION: _("another spelling or transliteration of a name"),
    Reason.NEAR_SPELLING: _("one letter away from a name"),
    Reason.PHONE: _("a phone number"),
    Reason.EMAIL: _("an e-mail address"),
}

# Placeholders are written in the language of the text they stand in.
_PERSON_LABEL = {"ar": "شخص", "en": "person"}
_DETAIL_LABELS = {
    CONTACT: {"ar": "وسيلة اتصال", "en": "contact"},
    BIRTH_YEAR: {"ar": "سنة الميلاد", "en": "year of birth"},
    AGE: {"ar": "العمر", "en": "age"},
}
_ARTICLE = "ال"
# A one-word name of at most this many letters reads as another word when
# ى and ي are made one (على / علي, منى / مني).
_SHORT_WORD = 3
# Names this long and longer are looked for one letter away, among words
# of at least _NEAR_WORD letters.
_NEAR_LENGTH = 5
_NEAR_WORD = 4
# Words on either side of an occurrence in its key.
_CONTEXT_WORDS = 3
# Characters on either side shown with a flagged word.
_CONTEXT_CHARS = 60

# A word hyphenated across a line break (Ay-\nman): names are looked for
# a second time with these joined.
_LINE_BREAK = re.compile(r"(?<=[^\W\d_])-[^\S\n]*\n\s*(?=[^\W\d_])")
# Between two words of a name: white space, "_" or hyphens, or nothing.
_BETWEEN_WORDS = r"[\s_\-]*"
# Arabic proclitics and the article: و ف, then ب ك ل, or ال after ب ك, or
# لل (ل + ال).
_PREFIX = r"(?P<pre>[وف]?(?:[بك]?ال|لل|[بكل])?)"
_APOSTROPHE_S = re.compile(r"['`\u2018\u2019\u02bc]")
_TANWEEN_FATH = "\u064b"


def _canonical(form: str) -> str:
    """A form's words with nothing between them: the key forms and matches
    share (a compound written joined or apart is one name)."""
    return re.sub(r"[\s_\-]", "", form)


def _form_pattern(form: str) -> str:
    return _BETWEEN_WORDS.join(map(re.escape, form.split(" ")))


def _unhyphenated(folded: str, origins: list[int]) -> tuple[str, list[int]]:
    """The folded text with words hyphenated across a line break joined, and
    its origins."""
    pieces, kept, cursor = [], [], 0
    for match in _LINE_BREAK.finditer(folded):
        pieces.append(folded[cursor : match.start()])
        kept.extend(origins[cursor : match.start()])
        cursor = match.end()
    pieces.append(folded[cursor:])
    kept.extend(origins[cursor:])
    return "".join(pieces), kept


@dataclass(frozen=True)
class _Form:
    """A spelling looked for: whose it is, and whether finding it is enough
    (`whole`: a full name, a compound or a mark) or a one-word part that
    may be something else (`common`: also a common word; `strict`: its
    spellings with ى kept apart from ي)."""

    owner: object
    whole: bool
    common: bool = False
    strict: frozenset = frozenset()
    article: bool = False


@dataclass(frozen=True)
class Replacement:
    """One name found in a text: where (offsets in the original text) and
    what replaces it."""

    start: int
    end: int
    placeholder: str
    owner: object = None
    # Set when a person decided to replace a flagged word.
    reason: "Reason | None" = None


@dataclass(frozen=True)
class Candidate:
    """A word flagged for a person to decide: where it is in the original
    text, why, whose name it may be (`owner`: "witness", a person's number,
    or "contact"), the key its decision is kept under, and the decision
    (None: not decided; True: replaced; False: kept as written)."""

    start: int
    end: int
    word: str = field(repr=False)
    reason: Reason
    owner: object
    key: str = field(repr=False)
    before: str = field(default="", repr=False)
    after: str = field(default="", repr=False)
    decision: bool | None = None
    placeholder: str = ""

    @property
    def reason_label(self) -> str:
        return self.reason.label


@dataclass(frozen=True)
class Scan:
    """What redaction found in one text: the replacements (decided
    candidates included) and every flagged word."""

    replacements: list[Replacement]
    candidates: list[Candidate]

    @property
    def undecided(self) -> int:
        return sum(c.decision is None for c in self.candidates)


@dataclass(frozen=True)
class Segment:
    """A piece of text for the side-by-side preview; `placeholder` is set on
    a piece that is (or replaces) a name, `flag` on a word waiting for a
    person's decision (the reason)."""

    text: str
    placeholder: str = ""
    flag: str = ""


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    owner: object
    reason: Reason | None  # None: replaced


def occurrence_key(text: str, start: int, end: int, found_words) -> str:
    """The key of a decision on text[start:end]: the words folded, and the
    words around them (so the decision holds while they stay the same)."""
    starts = [word.start for word in found_words]
    first = bisect.bisect_left(starts, start)
    after = bisect.bisect_left(starts, end)
    left = " ".join(w.text for w in found_words[max(0, first - _CONTEXT_WORDS) : first])
    right = " ".join(w.text for w in found_words[after : after + _CONTEXT_WORDS])
    return f"{fold(text[start:end])}|{left}|{right}"


@dataclass
class Redactor:
    witness_names: list[str]
    witness_placeholder: str
    persons_named: list[str | list[str]]
    marks: list[dict] = field(default_factory=list)
    # Decisions on flagged words: {occurrence key: redact}.
    decisions: dict = field(default_factory=dict)
    contact: str = field(default="", repr=False)
    birth_year: int | None = field(default=None, repr=False)
    # The years an age stated in the text is counted from (recording,
    # incident).
    reference_years: tuple = ()

    def __post_init__(self):
        forms: dict[str, _Form] = {}

        def add(form: str, kind: _Form) -> None:
            # The first owner of a form keeps it: the witness before
            # others, persons named before marks.
            if form and _canonical(form) not in forms:
                forms[_canonical(form)] = (form, kind)

        for owner, spellings in self._people():
            for spelling in spellings:
                self._add_name(spelling, owner, add)
        mark_owner = mark_owners(self.marks, len(self.persons_named))
        for mark, owner in zip(self.marks, mark_owner, strict=True):
            for spelling in mark["spellings"]:
                key = spelling_key(spelling)
                add(key, _Form(owner, whole=True))
        for form, kind in list(forms.values()):
            # After the preposition ل a name's article loses its alef:
            # ل + الحسن is written للحسن.
            if form.startswith(_ARTICLE) and len(form) > len(_ARTICLE) + 1:
                add(form[1:], kind)
        self._forms = {key: kind for key, (_form, kind) in forms.items()}
        # Longest first so a full name wins over one of its parts.
        self._form_list = sorted(
            (form for form, _kind in forms.values()), key=len, reverse=True
        )
        self._patterns: dict[tuple[str, ...], re.Pattern] = {}
        self._one_word = [
            (form, kind) for form, kind in forms.values() if " " not in form
        ]
        self._terms = {}
        self._keys = {}
        self._skeletons = {}
        for form, kind in self._one_word:
            term = index_term(form)
            if term:
                self._terms.setdefault(term, kind.owner)
            if is_latin(form) and len(form) >= 3:
                self._keys.setdefault(transliteration_key(form), kind.owner)
            elif ARABIC_LETTERS.search(form):
                skeleton = arabic_skeleton(form)
                if len(skeleton) >= 3:
                    self._skeletons.setdefault(skeleton, kind.owner)
        # Names looked for one letter away, by length (a word is compared
        # with those of its length and one letter more or less), with their
        # transliteration keys.
        self._near: dict[int, list[tuple[str, object]]] = {}
        self._near_keys: dict[int, list[tuple[str, object]]] = {}
        for form, kind in self._one_word:
            if len(form) >= _NEAR_LENGTH:
                self._near.setdefault(len(form), []).append((form, kind.owner))
                key = transliteration_key(form) if is_latin(form) else ""
                if len(key) >= _NEAR_LENGTH:
                    self._near_keys.setdefault(len(key), []).append((key, kind.owner))
        self._likely_words: dict[tuple[str, bool], tuple | None] = {}
        self._near_windows: dict[int, list] = {}
        self._contact = contact_forms(self.contact)

    def _people(self):
        yield WITNESS, self.witness_names
        for number, person in enumerate(self.persons_named, start=1):
            # One person, one number, whichever spelling the text uses.
            yield number, person_spellings(person)

    @staticmethod
    def _add_name(spelling: str, owner, add) -> None:
        whole_name = name_words(spelling)
        if len(whole_name) > 1:
            add(" ".join(whole_name), _Form(owner, whole=True))
        parts = name_parts(spelling)
        strict_parts = name_parts(spelling, keep_alef_maqsura=True)
        if len(strict_parts) != len(parts):  # ى inside a particle: unlikely
            strict_parts = parts
        for part, strict_part in zip(parts, strict_parts, strict=True):
            whole = " " in part
            kind = _Form(
                owner,
                whole=whole,
                common=not whole and is_common_word(part),
                strict=frozenset([strict_part]),
                article=part.startswith(_ARTICLE),
            )
            add(part, kind)
            for variant in joined_variants(part):
                add(variant, _Form(owner, whole=True))

    def _pattern_for(self, folded: str) -> re.Pattern | None:
        """The pattern of the forms that can occur in `folded`: those whose
        first word it holds (a name absent from a text costs nothing to
        compile; compiling all of a witness's forms took most of the time)."""
        present = tuple(f for f in self._form_list if f.split(" ", 1)[0] in folded)
        if not present:
            return None
        if present not in self._patterns:
            self._patterns[present] = re.compile(
                r"(?<![^\W\d_])"
                + _PREFIX
                + r"(?P<lead>\d*)(?P<name>"
                + "|".join(map(_form_pattern, present))
                + r")(?P<end>ا|s)?(?P<digits>\d*)(?![^\W_])"
            )
        return self._patterns[present]

    def placeholder(self, owner, language: str) -> str:
        if owner == WITNESS:
            return f"[{self.witness_placeholder}]"
        if owner in _DETAIL_LABELS:
            labels = _DETAIL_LABELS[owner]
            return f"[{labels.get(language, labels['en'])}]"
        label = _PERSON_LABEL.get(language, _PERSON_LABEL["en"])
        return f"[{label} {owner}]"

    # --- finding ---------------------------------------------------------

    def scan(self, text: str, language: str = "en", *, likely: bool = True) -> Scan:
        """Every replacement and every flagged word of `text`, in order.
        Without `likely`, the words that are only likely names (another
        form, a transliteration, a near spelling) are not looked for."""
        if not text:
            return Scan([], [])
        folded, origins = fold_with_offsets(text)
        hits = _without_overlaps(
            [
                *self._name_hits(text, folded, origins),
                *self._detail_hits(text, folded, origins),
            ]
        )
        found_words = None  # read when needed: the slowest part
        if likely:
            hits += self._word_hits(text, folded, origins, hits, language)
        hits.sort(key=lambda hit: hit.start)
        replacements, candidates = [], []
        for hit in hits:
            placeholder = self.placeholder(hit.owner, language)
            if hit.reason is None:
                replacements.append(
                    Replacement(hit.start, hit.end, placeholder, hit.owner)
                )
                continue
            if found_words is None:
                found_words = words(text, (folded, origins))
            key = occurrence_key(text, hit.start, hit.end, found_words)
            decision = self.decisions.get(key)
            candidates.append(
                Candidate(
                    start=hit.start,
                    end=hit.end,
                    word=text[hit.start : hit.end],
                    reason=hit.reason,
                    owner=hit.owner,
                    key=key,
                    before=_before(text, hit.start),
                    after=_after(text, hit.end),
                    decision=decision,
                    placeholder=placeholder,
                )
            )
            if decision:
                replacements.append(
                    Replacement(hit.start, hit.end, placeholder, hit.owner, hit.reason)
                )
        return Scan(replacements, candidates)

    def _name_hits(self, text, folded, origins) -> list[_Hit]:
        hits = self._matches(text, folded, origins)
        if _LINE_BREAK.search(folded):
            hits += self._matches(text, *_unhyphenated(folded, origins))
        return hits

    def _matches(self, text, folded, origins) -> list[_Hit]:
        pattern = self._pattern_for(folded)
        if pattern is None:
            return []
        hits = []
        for match in pattern.finditer(folded):
            kind = self._forms[_canonical(match.group("name"))]
            start, end = match.start("lead"), match.end()
            ending = match.group("end") or ""
            reason = None
            if ending == "s":
                before_s = origins[match.start("end")] - 1
                if _APOSTROPHE_S.match(text, before_s):
                    end = match.start("end")  # the 's stays
                elif not kind.whole:
                    reason = Reason.SAME_TERM
            elif ending == "ا":
                name_end = origins[match.end("end") - 1] + 1
                tanween = (
                    _TANWEEN_FATH
                    in text[origins[match.start("name")] : span_end(text, name_end)]
                )
                if not tanween and not kind.whole:
                    reason = Reason.SAME_TERM
            if not kind.whole:
                pre = match.group("pre")
                with_article = _ARTICLE in pre or pre.endswith("لل")
                name_text = text[
                    origins[match.start("name")] : origins[match.end("name") - 1] + 1
                ]
                strict = _canonical(fold(name_text, keep_alef_maqsura=True))
                short = len(_canonical(match.group("name"))) <= _SHORT_WORD
                if short and strict not in kind.strict:
                    reason = Reason.LETTER_FOLD
                elif kind.common:
                    reason = Reason.COMMON_WORD
                elif with_article and not kind.article:
                    reason = Reason.SAME_TERM
            if reason is not None:
                # A flagged word is shown and decided whole, clitics and all.
                start = match.start()
            hits.append(
                _Hit(
                    origins[start],
                    span_end(text, origins[end - 1] + 1),
                    kind.owner,
                    reason,
                )
            )
        return hits

    def _detail_hits(self, text, folded, origins) -> list[_Hit]:
        found = [
            *contacts_in(folded, self._contact),
            *birth_statements_in(
                folded,
                birth_year=self.birth_year,
                reference_years=self.reference_years,
            ),
        ]
        reasons = {PHONE: Reason.PHONE, EMAIL: Reason.EMAIL}
        return [
            _Hit(
                origins[item.start],
                span_end(text, origins[item.end - 1] + 1),
                item.kind if item.certain else CONTACT,
                None if item.certain else reasons[item.kind],
            )
            for item in found
            if item.end > item.start
        ]

    def _word_hits(self, text, folded, origins, taken, language) -> list[_Hit]:
        """Words no match took that may still be a name: the index's term
        for a name part, a transliteration, one letter from a name. Each
        distinct word is judged once; only those judged likely are then
        found in the text."""
        kurdish = language == "ku" or bool(KURDISH_LETTERS.search(text))
        if kurdish:
            # A Kurdish spelling is judged as written (its vowels): word by
            # word, the slow way.
            candidates = words(text, (folded, origins))
        else:
            likely = {
                word
                for word in set(WORD.findall(folded))
                if len(word) >= 3
                and not word.isdigit()
                and word not in self._forms  # a name as it is: matched above
                and self._likely(word, word, False) is not None
            }
            if not likely:
                return []
            candidates = [
                word for word in words(text, (folded, origins)) if word.text in likely
            ]
        spans = sorted((hit.start, hit.end) for hit in taken)
        starts = [start for start, _end in spans]
        hits = []
        for word in candidates:
            if len(word.text) < 3 or word.text.isdigit():
                continue
            at = bisect.bisect_right(starts, word.start) - 1
            if at >= 0 and spans[at][1] > word.start:
                continue  # inside a match
            following = at + 1
            if following < len(spans) and spans[following][0] < word.end:
                continue
            written = text[word.start : word.end]
            found = self._likely(word.text, written, kurdish)
            if found is not None:
                reason, owner = found
                hits.append(_Hit(word.start, word.end, owner, reason))
        return hits

    def _likely(self, word: str, written: str, kurdish: bool):
        """(reason, owner) when the folded `word` may be a name, else None
        (worked out once per word; `kurdish`: read as written, for a text in
        Kurdish or Kurdish letters)."""
        cache_key = (written if kurdish else word, kurdish)
        if cache_key not in self._likely_words:
            self._likely_words[cache_key] = self._likely_now(word, written, kurdish)
        return self._likely_words[cache_key]

    def _near_forms(self, length: int) -> list:
        """The names one letter longer or shorter than `length`, or as long."""
        window = self._near_windows.get(length)
        if window is None:
            window = self._near_windows[length] = [
                form
                for near in (length - 1, length, length + 1)
                for form in self._near.get(near, ())
            ]
        return window

    def _likely_now(self, word: str, written: str, kurdish: bool):
        term, latin, arabic = _word_features(word)
        if term is not None and term in self._terms:
            return Reason.SAME_TERM, self._terms[term]
        if latin:
            key = transliteration_key(word)
            if key in self._keys:
                return Reason.TRANSLITERATION, self._keys[key]
            if len(word) < _NEAR_WORD:
                return None
            # A vowel written another way (Yousef, Yusuf): keys of one length
            # and five letters, one letter apart.
            for form_key, owner in self._near_keys.get(len(key), ()):
                if one_edit_apart(key, form_key):
                    return Reason.TRANSLITERATION, owner
            for form, owner in self._near_forms(len(word)):
                # (One edit leaves the first or the last letter in place.)
                if (form[0] == word[0] or form[-1] == word[-1]) and one_edit_apart(
                    word, form
                ):
                    return Reason.NEAR_SPELLING, owner
            return None
        if not arabic:
            return None
        if kurdish:
            skeleton = arabic_skeleton(written)
            if len(skeleton) >= 3 and skeleton in self._skeletons:
                return Reason.TRANSLITERATION, self._skeletons[skeleton]
        if len(word) < _NEAR_WORD:
            return None
        # With the conjunction و or ف attached (وسلمان).
        for core in {word, word[1:] if word[0] in "وف" else word}:
            for form, owner in self._near_forms(len(core)):
                if (form[0] == core[0] or form[-1] == core[-1]) and one_edit_apart(
                    core, form
                ):
                    return Reason.NEAR_SPELLING, owner
        return None

    # --- rendering -------------------------------------------------------

    def replacements(self, text: str, language: str = "en") -> list[Replacement]:
        """Every name in `text`, in order, with its placeholder."""
        return self.scan(text, language).replacements

    def redact(self, text: str, language: str = "en") -> str:
        """`text` with its names replaced; flagged words not decided yet
        stay as written (and hold the testimony back: see Scan.undecided)."""
        return self.rendered(text, self.scan(text, language))

    @staticmethod
    def rendered(text: str, scan: Scan) -> str:
        """`text` with the replacements of its `scan` made."""
        pieces, cursor = [], 0
        for found in scan.replacements:
            pieces += [text[cursor : found.start], found.placeholder]
            cursor = found.end
        pieces.append(text[cursor:])
        return "".join(pieces)

    def segments(
        self, text: str, language: str = "en"
    ) -> tuple[list[Segment], list[Segment]]:
        """`text` cut at its names and flagged words, as written and as
        redacted."""
        scan = self.scan(text, language)
        pieces = sorted(
            [(r.start, r.end, r.placeholder, "") for r in scan.replacements]
            + [
                (c.start, c.end, "", str(c.reason))
                for c in scan.candidates
                if c.decision is None
            ]
        )
        original, redacted, cursor = [], [], 0
        for start, end, placeholder, flag in pieces:
            if start > cursor:
                piece = Segment(text[cursor:start])
                original.append(piece)
                redacted.append(piece)
            if placeholder:
                original.append(Segment(text[start:end], placeholder))
                redacted.append(Segment(placeholder, placeholder))
            else:
                original.append(Segment(text[start:end], flag=flag))
                redacted.append(Segment(text[start:end], flag=flag))
            cursor = end
        if cursor < len(text or ""):
            original.append(Segment(text[cursor:]))
            redacted.append(Segment(text[cursor:]))
        return original, redacted

    def identifying(self, text: str, *, likely: bool = False) -> set[str]:
        """What of the witness or a person named is in `text`, for checks on
        text in which nothing may be left (the search index's documents,
        already redacted; the reason given for a reveal): "name", "contact",
        "birth" for what redaction replaces whatever anyone decided, and
        with `likely` "likely name" for another form, transliteration or
        near spelling of a name (not common words, which are mostly the
        words they are, nor other numbers and addresses)."""
        folded = fold(text)
        joined = _unhyphenated(folded, [])[0]
        pattern = self._pattern_for(joined)
        if not likely and not (
            pattern and (pattern.search(folded) or pattern.search(joined))
        ):
            # No name in sight (nearly always, in redacted text): only the
            # contact and a birth statement are left to look for.
            kinds = {
                "contact"
                for found in contacts_in(folded, self._contact)
                if found.certain
            }
            if birth_statements_in(
                folded,
                birth_year=self.birth_year,
                reference_years=self.reference_years,
            ):
                kinds.add("birth")
            return kinds
        scan = self.scan(text, likely=likely)
        kinds = {
            _KINDS.get(found.owner, "name")
            for found in scan.replacements
            if found.reason is None
        }
        if likely and any(c.reason in _LIKELY_NAMES for c in scan.candidates):
            kinds.add("likely name")
        return kinds


_KINDS = {CONTACT: "contact", BIRTH_YEAR: "birth", AGE: "birth"}
_LIKELY_NAMES = frozenset(
    [Reason.SAME_TERM, Reason.TRANSLITERATION, Reason.NEAR_SPELLING]
)


@lru_cache(maxsize=100_000)
def _word_features(word: str) -> tuple[str | None, bool, bool]:
    """A folded word's search term, and whether it is in Latin or Arabic
    script (the same for every witness: kept for all)."""
    return index_term(word), is_latin(word), bool(ARABIC_LETTERS.search(word))


def _before(text: str, start: int) -> str:
    """The words before a flagged one, with an ellipsis where they are cut."""
    cut = max(0, start - _CONTEXT_CHARS)
    return ("…" if cut else "") + text[cut:start]


def _after(text: str, end: int) -> str:
    cut = end + _CONTEXT_CHARS
    return text[end:cut] + ("…" if cut < len(text) else "")


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Replacements before flags, then the first and longest: the hits that
    overlap none kept before them."""
    kept = []
    for hit in sorted(
        hits, key=lambda h: (h.reason is not None, h.start, h.start - h.end)
    ):
        if all(hit.end <= other.start or other.end <= hit.start for other in kept):
            kept.append(hit)
    return kept


@dataclass(frozen=True)
class RedactedTexts:
    narrative: str
    translations: dict[str, str]
    summary: str
    # Flagged words nobody has decided on yet: while there are any, the
    # testimony is released to no one (see the module docstring).
    undecided: int = 0


def reference_years(testimony) -> tuple[int, ...]:
    """The years an age stated in the testimony may be counted from: when it
    was recorded and when the incident happened."""
    dates = [testimony.recorded_on, testimony.incident_start, testimony.incident_end]
    return tuple(sorted({date.year for date in dates if date}))


def redactor_for(
    testimony, *, identity_row=READ_NOW, terms: RedactionTerms | None = None
) -> Redactor:
    """The redactor of a testimony; `identity_row`: see identity_read;
    `terms`: the witness's (identity_redaction_terms), when the caller holds
    them already (a batch being written)."""
    if terms is None:
        terms = identity_redaction_terms(testimony.witness, row=identity_row)
    return Redactor(
        witness_names=list(terms.names),
        witness_placeholder=testimony.witness.pseudonym,
        persons_named=list(testimony.persons_named or []),
        marks=list(testimony.redaction_marks or []),
        decisions=decisions_map(testimony.redaction_decisions),
        contact=terms.contact,
        birth_year=terms.birth_year,
        reference_years=reference_years(testimony),
    )


def redacted_texts(
    testimony, *, identity_row=READ_NOW, redactor: Redactor | None = None
) -> RedactedTexts:
    """Everything readable in a testimony, with names replaced, and how many
    flagged words still wait for a person's decision. `redactor`: the
    testimony's (redactor_for), when the caller has it already."""
    redactor = redactor or redactor_for(testimony, identity_row=identity_row)
    undecided = 0

    def redacted(text: str, language: str) -> str:
        nonlocal undecided
        scan = redactor.scan(text, language)
        undecided += scan.undecided
        return redactor.rendered(text, scan)

    return RedactedTexts(
        narrative=redacted(testimony.narrative, testimony.language),
        translations={
            language: redacted(text, language)
            for language, text in (testimony.translations or {}).items()
        },
        summary=redacted(testimony.summary, testimony.language),
        undecided=undecided,
    )


def redacted_texts_many(testimonies) -> dict[int, RedactedTexts]:
    """{pk: redacted_texts} of these testimonies, their witnesses'
    identities read in one query (a page of results, an export)."""
    testimonies = list(testimonies)
    rows = identity_rows(t.witness_id for t in testimonies)
    return {
        t.pk: redacted_texts(t, identity_row=rows.get(t.witness_id))
        for t in testimonies
    }


def _texts(testimony) -> list[tuple[str, str]]:
    """(text, language) of everything readable in a testimony."""
    return [
        (testimony.summary, testimony.language),
        (testimony.narrative, testimony.language),
        *(
            (text, language)
            for language, text in (testimony.translations or {}).items()
        ),
    ]


@dataclass(frozen=True)
class CandidateRow:
    """A flagged word of a testimony, as the review lists it: which text it
    stands in, and the candidate (testimonies.redaction.redactor.Candidate)."""

    label: str
    language: str
    direction: str
    candidate: Candidate


def redaction_candidates(
    testimony, redactor: Redactor | None = None
) -> list[CandidateRow]:
    """Every word flagged in the summary, narrative and translations, decided
    or not, in reading order. Holds the original words: only for those who
    may read them, and the caller records the reading."""
    redactor = redactor or redactor_for(testimony)
    rows = []
    for label, (text, language) in zip(
        _labels(testimony), _texts(testimony), strict=True
    ):
        if not text:
            continue
        for candidate in redactor.scan(text, language).candidates:
            rows.append(
                CandidateRow(
                    label=label,
                    language=language,
                    direction=_DIRECTIONS.get(language, "auto"),
                    candidate=candidate,
                )
            )
    return rows


def _labels(testimony) -> list[str]:
    return [_("Summary"), _("Narrative")] + [
        translation_heading(language) for language in (testimony.translations or {})
    ]


def spelling_occurrences(spelling: str, texts: list[str]) -> int:
    """How often `spelling`, marked on its own, would be replaced in `texts`."""
    alone = Redactor(
        witness_names=[],
        witness_placeholder="",
        persons_named=[],
        marks=[{"spellings": [spelling], "person": None}],
    )
    return sum(len(alone.replacements(text)) for text in texts)


# The direction each language is written in; dir="auto" for the others
# (Kurdish is written in either script).
_DIRECTIONS = {"ar": "rtl", "en": "ltr"}


@dataclass(frozen=True)
class PreviewText:
    label: str
    language: str
    direction: str
    original: list[Segment]
    redacted: list[Segment]


def redaction_preview(testimony, redactor: Redactor | None = None) -> list[PreviewText]:
    """Summary, narrative and translations, each cut at its names as written
    and as redacted, for the side-by-side preview. Holds the original text:
    only for those who may read it, and the caller records the reading."""
    redactor = redactor or redactor_for(testimony)
    preview = []
    for label, (text, language) in zip(
        _labels(testimony), _texts(testimony), strict=True
    ):
        if not text:
            continue
        original, redacted = redactor.segments(text, language)
        preview.append(
            PreviewText(
                label=label,
                language=language,
                direction=_DIRECTIONS.get(language, "auto"),
                original=original,
                redacted=redacted,
            )
        )
    return preview


@dataclass(frozen=True)
class MarkRow:
    spelling: str
    placeholder: str
    occurrences: int


@dataclass(frozen=True)
class PersonChoice:
    value: str
    label: str


def mark_rows(testimony, redactor: Redactor | None = None) -> list[MarkRow]:
    """One row a marked spelling, with its placeholder and how often it
    occurs in the text now (0: the text changed since it was marked)."""
    redactor = redactor or redactor_for(testimony)
    marks = redactor.marks
    texts = [text for text, _language in _texts(testimony) if text]
    owners = mark_owners(marks, len(redactor.persons_named))
    return [
        MarkRow(
            spelling=spelling,
            placeholder=redactor.placeholder(owner, testimony.language),
            occurrences=spelling_occurrences(spelling, texts),
        )
        for mark, owner in zip(marks, owners, strict=True)
        for spelling in mark["spellings"]
    ]


def person_choices(testimony, redactor: Redactor | None = None) -> list[PersonChoice]:
    """Whose words a new mark can be: someone new, the witness, a person
    named, or the person of an earlier mark; values as marks_edited takes
    them (after the form's coercion)."""
    redactor = redactor or redactor_for(testimony)
    language = testimony.language
    choices = [
        PersonChoice("", str(_("Someone not named yet (a new placeholder)"))),
        PersonChoice(
            WITNESS,
            str(_("The witness: %(placeholder)s"))
            % {"placeholder": redactor.placeholder(WITNESS, language)},
        ),
    ]
    named = [
        (number, person_spellings(person))
        for number, person in enumerate(redactor.persons_named, start=1)
    ]
    owners = mark_owners(redactor.marks, len(redactor.persons_named))
    named += [
        (owner, mark["spellings"])
        for mark, owner in zip(redactor.marks, owners, strict=True)
        if owner != WITNESS and owner > len(redactor.persons_named)
    ]
    choices += [
        PersonChoice(
            str(number),
            f"{redactor.placeholder(number, language)} {' / '.join(spellings)}",
        )
        for number, spellings in named
    ]
    return choices
