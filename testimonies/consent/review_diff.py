"""What changed in a testimony since its last review, field by field.

Texts are compared word by word (difflib), lists item by item. The result is
plain data, pieces of text marked equal, inserted or deleted; the template
wraps them in <ins> and <del> and escapes every piece like any other text.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from testimonies.core.bilingual import translation_heading
from testimonies.core.models import person_spellings
from testimonies.redaction.marks import WITNESS, mark_parts

# Words, runs of white space and single other characters: a diff never cuts
# a word in two, in Arabic or in English.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

EQUAL, INSERTED, DELETED = "equal", "insert", "delete"


@dataclass
class Piece:
    kind: str
    text: str


@dataclass
class FieldChange:
    label: str
    pieces: list[Piece] = field(default_factory=list)  # texts
    added: list[str] = field(default_factory=list)  # lists
    removed: list[str] = field(default_factory=list)
    language: str = ""  # of a text, for its lang attribute


def text_pieces(old: str, new: str) -> list[Piece]:
    """`new` against `old`, word by word; adjacent pieces of a kind merged."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    pieces: list[Piece] = []

    def add(kind, tokens):
        text = "".join(tokens)
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1].text += text
        else:
            pieces.append(Piece(kind, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    opcodes = matcher.get_opcodes()
    deleted: list[str] = []
    inserted: list[str] = []
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # White space alone between two changes belongs to the change: a
        # reader sees "in Banias" become "at dawn", not two words apart.
        bridge = (
            tag == "equal"
            and 0 < number < len(opcodes) - 1
            and all(token.isspace() for token in a[i1:i2])
        )
        if tag == "equal" and not bridge:
            add(DELETED, deleted)
            add(INSERTED, inserted)
            deleted, inserted = [], []
            add(EQUAL, a[i1:i2])
        else:
            deleted += a[i1:i2]
            inserted += b[j1:j2]
    add(DELETED, deleted)
    add(INSERTED, inserted)
    return pieces


def person_label(entry) -> str:
    try:
        return " / ".join(person_spellings(entry))
    except ValueError:
        return str(entry)


def mark_labels(marks) -> list[str]:
    """One label a marked spelling, saying whose words it marks."""
    labels = []
    for mark in marks:
        try:
            spellings, person = mark_parts(mark)
        except ValueError:
            labels.append(str(mark))
            continue
        if person == WITNESS:
            whose = _("the witness")
        elif person is None:
            whose = _("someone not named")
        else:
            whose = _("person named %(number)d") % {"number": person}
        labels += [f"{spelling} ({whose})" for spelling in spellings]
    return labels


def _incident(content: dict) -> str:
    start, end = content["incident_start"], content["incident_end"]
    if not start:
        return ""
    dates = start.isoformat() if not end or end == start else f"{start} – {end}"
    return f"{dates} ({content['incident_precision']})"


def content_changes(old: dict, new: dict, *, labels: dict[str, str]) -> list:
    """The fields of `new` (testimony_content) that differ from `old`.

    `labels` names the slugs of places and vocabularies for the reader."""
    changes = []

    def text(label, before, after, language=""):
        if before != after:
            changes.append(
                FieldChange(label, pieces=text_pieces(before, after), language=language)
            )

    def items(label, before, after):
        before, after = list(before), list(after)
        added = [labels.get(x, x) for x in after if x not in before]
        removed = [labels.get(x, x) for x in before if x not in after]
        if added or removed:
            changes.append(FieldChange(label, added=added, removed=removed))

    text(_("Narrative"), old["narrative"], new["narrative"])
    for language in sorted(set(old["translations"]) | set(new["translations"])):
        text(
            translation_heading(language),
            old["translations"].get(language, ""),
            new["translations"].get(language, ""),
            language,
        )
    text(_("Summary"), old["summary"], new["summary"])
    items(
        _("Persons named"),
        map(person_label, old["persons_named"]),
        map(person_label, new["persons_named"]),
    )
    items(
        _("Words marked for redaction"),
        mark_labels(old.get("redaction_marks", [])),
        mark_labels(new.get("redaction_marks", [])),
    )
    items(_("Places"), old["places"], new["places"])
    items(_("Communities concerned"), old["communities"], new["communities"])
    items(_("Event types"), old["event_types"], new["event_types"])
    text(_("Incident dates"), _incident(old), _incident(new))
    return changes
