"""Replacing names in narratives before anyone but the allowed sees them.

The witness's name (and each part of it) becomes the witness's pseudonym;
every person named in the testimony becomes a numbered placeholder, the same
number for the same person throughout the narrative, translations and
summary (an entry of persons_named may list a person's spellings in several
scripts). Words marked in the text (testimonies.marks) are replaced whole,
each with the placeholder of the person they belong to. Matching ignores
case, diacritics and Arabic letter variants, sees through the Arabic
proclitics و ف ب ك ل attached to a name (and the ل that swallows the alef of
a name's article: للحسن), and lets any run of white space stand between
two words of a name.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .identity import READ_NOW, identity_names_for_redaction, identity_rows
from .marks import WITNESS, mark_owners, spelling_key
from .models.testimonies import person_spellings
from .textnorm import fold, fold_with_offsets

# Name particles that must not be redacted on their own.
_PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "abou", "um", "umm", "ال"}
_MIN_PART_LENGTH = 3
_PERSON_LABEL = {"ar": "شخص", "en": "person"}
_ARABIC_PROCLITICS = "(?:[وفبكل]{1,2})?"
_ARTICLE = "ال"


def _name_forms(name: str) -> list[str]:
    """The full name and its meaningful parts, folded."""
    folded = spelling_key(name)
    parts = [
        part
        for part in re.split(r"[\s\-]+", folded)
        if len(part) >= _MIN_PART_LENGTH and part not in _PARTICLES
    ]
    return [folded, *parts] if folded else []


def _form_pattern(form: str) -> str:
    return r"\s+".join(map(re.escape, form.split(" ")))


@dataclass(frozen=True)
class Replacement:
    """One name found in a text: where (offsets in the original text) and
    what replaces it."""

    start: int
    end: int
    placeholder: str


@dataclass(frozen=True)
class Segment:
    """A piece of text for the side-by-side preview; `placeholder` is set on
    a piece that is (or replaces) a name."""

    text: str
    placeholder: str = ""


@dataclass
class Redactor:
    witness_names: list[str]
    witness_placeholder: str
    persons_named: list[str | list[str]]
    marks: list[dict] = field(default_factory=list)

    def __post_init__(self):
        # The first owner of a form keeps it: the witness before others,
        # persons named before marks.
        owners: dict[str, object] = {}
        for form in (f for name in self.witness_names for f in _name_forms(name)):
            owners.setdefault(form, WITNESS)
        for number, person in enumerate(self.persons_named, start=1):
            # One person, one number, whichever spelling the text uses.
            spellings = person_spellings(person)
            for form in (f for name in spellings for f in _name_forms(name)):
                owners.setdefault(form, number)
        mark_owner = mark_owners(self.marks, len(self.persons_named))
        for mark, owner in zip(self.marks, mark_owner, strict=True):
            for spelling in mark["spellings"]:
                owners.setdefault(spelling_key(spelling), owner)
        for form, owner in list(owners.items()):
            # After the preposition ل a name's article loses its alef:
            # ل + الحسن is written للحسن.
            if form.startswith(_ARTICLE) and len(form) > len(_ARTICLE) + 1:
                owners.setdefault(form[1:], owner)
        self._owners = owners
        # Longest first so a full name wins over one of its parts.
        forms = sorted(owners, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<!\w)"
                + _ARABIC_PROCLITICS
                + "("
                + "|".join(map(_form_pattern, forms))
                + r")(?!\w)"
            )
            if forms
            else None
        )

    def placeholder(self, owner, language: str) -> str:
        if owner == WITNESS:
            return f"[{self.witness_placeholder}]"
        label = _PERSON_LABEL.get(language, _PERSON_LABEL["en"])
        return f"[{label} {owner}]"

    def replacements(self, text: str, language: str = "en") -> list[Replacement]:
        """Every name in `text`, in order, with its placeholder."""
        if not text or self._pattern is None:
            return []
        folded, origins = fold_with_offsets(text)
        found = []
        for match in self._pattern.finditer(folded):
            start = origins[match.start(1)]
            end = origins[match.end(1) - 1] + 1
            # Keep combining marks that trail the last letter inside the name.
            while end < len(text) and fold(text[end]) == "":
                end += 1
            owner = self._owners[" ".join(match.group(1).split())]
            found.append(Replacement(start, end, self.placeholder(owner, language)))
        return found

    def redact(self, text: str, language: str = "en") -> str:
        return "".join(s.text for s in self.segments(text, language)[1])

    def segments(
        self, text: str, language: str = "en"
    ) -> tuple[list[Segment], list[Segment]]:
        """`text` cut at its names, as written and as redacted."""
        original, redacted, cursor = [], [], 0
        for found in self.replacements(text, language):
            if found.start > cursor:
                piece = Segment(text[cursor : found.start])
                original.append(piece)
                redacted.append(piece)
            original.append(Segment(text[found.start : found.end], found.placeholder))
            redacted.append(Segment(found.placeholder, found.placeholder))
            cursor = found.end
        if cursor < len(text or ""):
            original.append(Segment(text[cursor:]))
            redacted.append(Segment(text[cursor:]))
        return original, redacted


@dataclass(frozen=True)
class RedactedTexts:
    narrative: str
    translations: dict[str, str]
    summary: str


def redactor_for(testimony, *, identity_row=READ_NOW) -> Redactor:
    """The redactor of a testimony; `identity_row`: see identity_read."""
    return Redactor(
        witness_names=identity_names_for_redaction(testimony.witness, row=identity_row),
        witness_placeholder=testimony.witness.pseudonym,
        persons_named=list(testimony.persons_named or []),
        marks=list(testimony.redaction_marks or []),
    )


def redacted_texts(testimony, *, identity_row=READ_NOW) -> RedactedTexts:
    """Everything readable in a testimony, with names replaced."""
    redactor = redactor_for(testimony, identity_row=identity_row)
    return RedactedTexts(
        narrative=redactor.redact(testimony.narrative, testimony.language),
        translations={
            language: redactor.redact(text, language)
            for language, text in (testimony.translations or {}).items()
        },
        summary=redactor.redact(testimony.summary, testimony.language),
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
    labels = [_("Summary"), _("Narrative")] + [
        _("Translation (%(language)s)") % {"language": language}
        for language in (testimony.translations or {})
    ]
    preview = []
    for label, (text, language) in zip(labels, _texts(testimony), strict=True):
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
