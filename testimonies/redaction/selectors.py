"""Reads behind the redaction editor: the original and redacted texts side by
side, the marks and the flagged words to decide. Access comes from
testimonies.policy only."""

from dataclasses import dataclass

from testimonies import policy
from testimonies.core.selectors import testimony_allowed
from testimonies.models import Testimony
from testimonies.policy import Action
from testimonies.redaction.redactor import (
    CandidateRow,
    MarkRow,
    PersonChoice,
    PreviewText,
    mark_rows,
    person_choices,
    redaction_candidates,
    redaction_preview,
    redactor_for,
)
from testimonies.textnorm import fold


@dataclass(frozen=True)
class WordGroup:
    """One flagged word occurring undecided more than once: its occurrences'
    keys, to decide them all at once."""

    word: str
    keys: list[str]


@dataclass(frozen=True)
class RedactionEditor:
    """The original and redacted texts side by side, the marks editor (the
    words marked now and whose words a new mark can be), and the flagged
    words to decide (with how many wait, and those that wait more than
    once, by word)."""

    testimony: Testimony
    preview: list[PreviewText]
    marks: list[MarkRow]
    people: list[PersonChoice]
    may_mark: bool
    candidates: list[CandidateRow]
    undecided: int
    word_groups: list[WordGroup]


def _word_groups(candidates: list[CandidateRow]) -> list[WordGroup]:
    waiting: dict[str, tuple[str, list[str]]] = {}
    for row in candidates:
        if row.candidate.decision is None:
            # ى kept apart: على and علي are two words to decide.
            folded = fold(row.candidate.word, keep_alef_maqsura=True)
            word, keys = waiting.setdefault(folded, (row.candidate.word, []))
            keys.append(row.candidate.key)
    return [WordGroup(word, keys) for word, keys in waiting.values() if len(keys) > 1]


def redaction_editor(*, testimony: Testimony, user) -> RedactionEditor:
    """The preview and the flagged words (which show the original: callers
    record the reading) and, for those who may change them, the marks."""
    may_mark = policy.allows(user, Action.MARK_REDACTIONS, testimony)
    redactor = redactor_for(testimony)
    candidates = redaction_candidates(testimony, redactor)
    return RedactionEditor(
        testimony=testimony,
        preview=redaction_preview(testimony, redactor),
        marks=mark_rows(testimony, redactor),
        people=person_choices(testimony, redactor) if may_mark else [],
        may_mark=may_mark,
        candidates=candidates,
        undecided=sum(row.candidate.decision is None for row in candidates),
        word_groups=_word_groups(candidates) if may_mark else [],
    )


def testimony_for_marking(*, public_id: str, user) -> Testimony:
    """The testimony whose redaction marks `user` may change;
    TestimonyNotVisible otherwise, whether or not it exists."""
    return testimony_allowed(
        public_id=public_id, user=user, action=Action.MARK_REDACTIONS
    )


def redaction_page(*, public_id: str, user) -> RedactionEditor:
    """The redaction page (/testimonies/<id>/redaction/): the preview and the
    marks editor for one who may mark. It shows the original: the view
    records the reading (testimonies.core.services.original_reading_record)."""
    testimony = testimony_for_marking(public_id=public_id, user=user)
    return redaction_editor(testimony=testimony, user=user)
