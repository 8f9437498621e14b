"""Words marked for redaction (shape: testimonies.redaction.marks)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.review import _refuse
from testimonies.models import Testimony
from testimonies.policy import Action
from testimonies.redaction.marks import (
    MAX_SPELLING_LENGTH,
    decisions_edited,
    marks_check,
    marks_edited,
    new_spellings,
    spelling_key,
)
from testimonies.redaction.quasi_identifiers import CONTACT
from testimonies.redaction.redactor import (
    Reason,
    redaction_candidates,
    spelling_occurrences,
)

logger = logging.getLogger(__name__)

# A mark this short would take a letter or two out of every word.
_MIN_MARK_LETTERS = 2


def _mark_errors(spelling: str, texts: list[str]) -> list[ValidationError]:
    letters = sum(char.isalnum() for char in spelling_key(spelling))
    if letters < _MIN_MARK_LETTERS:
        return [
            ValidationError(
                _("Mark a word or name of at least two letters."),
                code="mark_too_short",
            )
        ]
    if len(spelling) > MAX_SPELLING_LENGTH:
        return [
            ValidationError(
                _("Mark at most %(limit)d characters at a time."),
                code="mark_too_long",
                params={"limit": MAX_SPELLING_LENGTH},
            )
        ]
    if not spelling_occurrences(spelling, texts):
        return [
            ValidationError(
                _(
                    "“%(words)s” does not occur in the narrative, a translation "
                    "or the summary."
                ),
                code="mark_not_in_text",
                params={"words": spelling},
            )
        ]
    return []


@transaction.atomic
def redaction_marks_set(*, testimony: Testimony, marks: list[dict], user) -> Testimony:
    """Replace the words marked for redaction (shape: testimonies.redaction.marks).

    Open to those the policy lets mark (Action.MARK_REDACTIONS). Each newly
    marked spelling must occur in the narrative, a translation or the summary
    as redaction matches it; a mark made earlier stays even if the text has
    since changed (it still hides the words should they come back). A
    number given as a mark's person must be an entry of persons_named.
    The search index follows on commit (search.signals), and the review
    diff shows the change. No audit entry: the marks are words of the text
    and must never reach the log; what matters, who reviewed the result, is
    sealed with the review.
    """
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not policy.allows(user, Action.MARK_REDACTIONS, testimony):
        _refuse(_("The marks of this testimony cannot be changed now."), "not_markable")
    try:
        marks_check(marks)
    except ValueError:
        raise ValidationError(
            {
                "redaction_marks": ValidationError(
                    _("Each word can be marked once, and each person in one mark."),
                    code="redaction_marks_shape",
                )
            }
        ) from None
    texts = [testimony.narrative, testimony.summary, *testimony.translations.values()]
    errors = [
        error
        for spelling in new_spellings(testimony.redaction_marks, marks)
        for error in _mark_errors(spelling, [t for t in texts if t])
    ]
    before = {(tuple(m["spellings"]), m["person"]) for m in testimony.redaction_marks}
    persons = len(testimony.persons_named)
    for mark in marks:
        person = mark["person"]
        changed = (tuple(mark["spellings"]), person) not in before
        if changed and isinstance(person, int) and person > persons:
            errors.append(
                ValidationError(
                    _("There is no person %(number)d among the persons named."),
                    code="mark_person_unknown",
                    params={"number": person},
                )
            )
    if errors:
        raise ValidationError({"redaction_marks": errors})
    testimony.redaction_marks = marks
    testimony.full_clean()
    testimony.save(update_fields=["sealed_content", "updated_at"])
    after = {(tuple(m["spellings"]), m["person"]) for m in marks}
    if after != before:
        # Unmarking words of a published account publishes them: who did it
        # and when is kept, the words never are.
        audit_record(
            action=AuditAction.REDACTION_CHANGED,
            target=testimony.public_id,
            actor=user,
            detail=f"{len(after - before)} marked, {len(before - after)} unmarked",
        )
    return testimony


# Flagged words that are other spellings of a name: replacing one marks the
# spelling for that person, so it stays replaced wherever it occurs, however
# the text around it changes. A common word (على, said) or a number is
# decided where it stands only.
_SPELLING_REASONS = frozenset(
    [Reason.SAME_TERM, Reason.TRANSLITERATION, Reason.NEAR_SPELLING]
)
DECISION_NAMES = {True: "replaced", False: "kept as written", None: "asked again"}


@transaction.atomic
def redaction_candidates_decide(
    *, testimony: Testimony, keys: list[str], redact: bool | None, user
) -> Testimony:
    """Decide words redaction flagged in `testimony` (testimonies.redaction.redactor):
    replace (`redact` True) or keep as written (False) the occurrences
    under `keys`, or forget what was decided on them (None: they are asked
    about again).

    Open to those the policy lets mark (Action.MARK_REDACTIONS). Every key
    must be that of a word flagged now (a page shown before the text
    changed is refused: its words may stand elsewhere now). Replacing
    another spelling of a name also marks that spelling as the person's
    (testimonies.redaction.marks), so it stays replaced wherever it occurs. Each
    decision is in the audit chain, by reason and count: never the words.
    The search index follows on commit (search.signals)."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not policy.allows(user, Action.MARK_REDACTIONS, testimony):
        _refuse(_("The marks of this testimony cannot be changed now."), "not_markable")
    flagged = {
        row.candidate.key: row.candidate for row in redaction_candidates(testimony)
    }
    keys = list(dict.fromkeys(keys))
    if not keys or any(key not in flagged for key in keys):
        _refuse(
            _(
                "These words are no longer flagged as they were: the text has "
                "changed. Look at the list again."
            ),
            "candidate_unknown",
        )
    decided = [flagged[key] for key in keys]
    testimony.redaction_decisions = decisions_edited(
        testimony.redaction_decisions, dict.fromkeys(keys, redact)
    )
    marks = testimony.redaction_marks
    if redact:
        for candidate in decided:
            if candidate.reason in _SPELLING_REASONS and candidate.owner != CONTACT:
                marks = marks_edited(
                    marks,
                    persons_count=len(testimony.persons_named),
                    add=candidate.word,
                    person=candidate.owner,
                )
        testimony.redaction_marks = marks
    testimony.full_clean()
    testimony.save(update_fields=["sealed_content", "updated_at"])
    reasons = ", ".join(sorted({str(c.reason) for c in decided}))
    audit_record(
        action=AuditAction.REDACTION_CHANGED,
        target=testimony.public_id,
        actor=user,
        detail=f"{len(decided)} flagged {DECISION_NAMES[redact]} ({reasons})",
    )
    return testimony
