"""Replacing names in narratives before anyone but the allowed sees them.

The witness's name (and each part of it) becomes the witness's pseudonym;
every person named in the testimony becomes a numbered placeholder, the same
number for the same person throughout the narrative, translations and
summary (an entry of persons_named may list a person's spellings in several
scripts). Matching ignores case, diacritics and Arabic letter variants, and
sees through the Arabic proclitics و ف ب ك ل attached to a name.
"""

import re
from dataclasses import dataclass

from .identity import identity_names_for_redaction
from .models.testimonies import person_spellings
from .textnorm import fold, fold_with_offsets

# Name particles that must not be redacted on their own.
_PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "abou", "um", "umm", "ال"}
_MIN_PART_LENGTH = 3
_PERSON_LABEL = {"ar": "شخص", "en": "person"}
_ARABIC_PROCLITICS = "(?:[وفبكل]{1,2})?"


def _name_forms(name: str) -> list[str]:
    """The full name and its meaningful parts, folded."""
    folded = fold(name).strip()
    parts = [
        part
        for part in re.split(r"[\s\-]+", folded)
        if len(part) >= _MIN_PART_LENGTH and part not in _PARTICLES
    ]
    return [folded, *parts] if folded else []


@dataclass
class Redactor:
    witness_names: list[str]
    witness_placeholder: str
    persons_named: list[str | list[str]]

    def __post_init__(self):
        # The first owner of a form keeps it: the witness before others.
        owners: dict[str, object] = {}
        for form in (f for name in self.witness_names for f in _name_forms(name)):
            owners.setdefault(form, "witness")
        for number, person in enumerate(self.persons_named, start=1):
            # One person, one number, whichever spelling the text uses.
            spellings = person_spellings(person)
            for form in (f for name in spellings for f in _name_forms(name)):
                owners.setdefault(form, number)
        self._owners = owners
        # Longest first so a full name wins over one of its parts.
        forms = sorted(owners, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<!\w)"
                + _ARABIC_PROCLITICS
                + "("
                + "|".join(map(re.escape, forms))
                + r")(?!\w)"
            )
            if forms
            else None
        )

    def placeholder(self, owner, language: str) -> str:
        if owner == "witness":
            return f"[{self.witness_placeholder}]"
        label = _PERSON_LABEL.get(language, _PERSON_LABEL["en"])
        return f"[{label} {owner}]"

    def redact(self, text: str, language: str = "en") -> str:
        if not text or self._pattern is None:
            return text
        folded, origins = fold_with_offsets(text)
        pieces, cursor = [], 0
        for match in self._pattern.finditer(folded):
            start = origins[match.start(1)]
            end = origins[match.end(1) - 1] + 1
            # Keep combining marks that trail the last letter inside the name.
            while end < len(text) and fold(text[end]) == "":
                end += 1
            pieces.append(text[cursor:start])
            pieces.append(self.placeholder(self._owners[match.group(1)], language))
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)


@dataclass(frozen=True)
class RedactedTexts:
    narrative: str
    translations: dict[str, str]
    summary: str


def redactor_for(testimony) -> Redactor:
    return Redactor(
        witness_names=identity_names_for_redaction(testimony.witness),
        witness_placeholder=testimony.witness.pseudonym,
        persons_named=list(testimony.persons_named or []),
    )


def redacted_texts(testimony) -> RedactedTexts:
    """Everything readable in a testimony, with names replaced."""
    redactor = redactor_for(testimony)
    return RedactedTexts(
        narrative=redactor.redact(testimony.narrative, testimony.language),
        translations={
            language: redactor.redact(text, language)
            for language, text in (testimony.translations or {}).items()
        },
        summary=redactor.redact(testimony.summary, testimony.language),
    )
