"""Submitting a testimony for review, and the moderators' decisions."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.audit import audit_record
from testimonies.audit_actions import AuditAction
from testimonies.consent.models.reviews import testimony_content
from testimonies.models import (
    Review,
    ReviewDecision,
    ReviewedVersion,
    Testimony,
    TestimonyStatus,
)
from testimonies.redaction.redactor import redacted_texts
from testimonies.redaction.reidentification import Generalisation

logger = logging.getLogger(__name__)


def _mark_submitted(testimony: Testimony, user, *, detail: str = "") -> None:
    testimony.status = TestimonyStatus.SUBMITTED
    testimony.submitted_at = timezone.now()
    testimony.full_clean()
    testimony.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        action=AuditAction.SUBMITTED,
        target=testimony.public_id,
        actor=user,
        detail=detail,
    )


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _require_archive_consent(testimony: Testimony) -> None:
    consent = testimony.current_consent()
    if consent is None or not consent.archive:
        _refuse(
            _("Record the witness's consent to keep the account in the archive first."),
            "consent_missing",
        )


def undecided_words(testimony: Testimony) -> int:
    """How many words redaction flagged in `testimony` still wait for a
    person's decision (testimonies.redaction.redactor)."""
    return redacted_texts(testimony).undecided


def require_decided_words(testimony: Testimony) -> None:
    """The release gate: refused while a flagged word waits for a decision.
    Nothing is released with a word that may name someone left as it is."""
    count = undecided_words(testimony)
    if count:
        _refuse(
            ngettext(
                "%(count)d flagged word still needs a decision: replace it or "
                "keep it as written under “Words to decide”, then approve.",
                "%(count)d flagged words still need a decision: replace or "
                "keep each one under “Words to decide”, then approve.",
                count,
            )
            % {"count": count},
            "redaction_undecided",
        )


@transaction.atomic
def testimony_submit(*, testimony: Testimony, user) -> Testimony:
    """Send a draft or sent-back testimony to the moderators' queue. Needs a
    current consent to keep it in the archive."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not testimony.is_editable:
        _refuse(
            _("Only a draft or a testimony sent back can be submitted."),
            "not_submittable",
        )
    if not testimony.narrative.strip():
        _refuse(_("Write the account before submitting it."), "narrative_missing")
    _require_archive_consent(testimony)
    _mark_submitted(testimony, user)
    return testimony


def _review(testimony: Testimony, *, decision: str, reviewer, comment: str) -> Review:
    review = Review(testimony=testimony, decision=decision, reviewer=reviewer)
    review.full_clean()
    review.save()
    version = ReviewedVersion(
        review=review, testimony=testimony, comment=comment,
        **testimony_content(testimony),
    )  # fmt: skip
    version.full_clean()
    version.save()
    return review


def _submitted_for_update(testimony: Testimony) -> Testimony:
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if testimony.status != TestimonyStatus.SUBMITTED:
        _refuse(_("This testimony is not waiting for review."), "not_submitted")
    return testimony


def _decide(
    testimony,
    *,
    decision,
    status,
    action,
    reviewer,
    comment,
    fields=("status",),
    detail="",
) -> Review:
    """Record a review decision, move the testimony to its new status (and
    save the other `fields` the decision set) and seal the decision in the
    audit chain (which never holds the comment)."""
    review = _review(
        testimony, decision=decision, reviewer=reviewer, comment=comment.strip()
    )
    testimony.status = status
    testimony.full_clean()
    testimony.save(update_fields=[*fields, "updated_at"])
    audit_record(
        action=action,
        target=testimony.public_id,
        actor=reviewer,
        detail=detail,
        subject=review,
    )
    return review


@transaction.atomic
def testimony_approve(
    *,
    testimony: Testimony,
    reviewer,
    comment: str = "",
    generalisation: Generalisation | None = None,
) -> Review:
    """Approve a submitted testimony whose witness consented to it being
    archived and whose flagged words are all decided. It reaches the
    audiences its consent names (search follows on commit); what was
    approved is kept for the next review's diff.

    `generalisation` is the public view chosen after the re-identification
    check (testimonies.redaction.reidentification): the place raised, the dates
    widened, or as recorded. None keeps the view chosen at an earlier
    approval: a re-approval never silently narrows what the public sees.
    """
    testimony = _submitted_for_update(testimony)
    _require_archive_consent(testimony)
    require_decided_words(testimony)
    # The moderator saw the re-identification check: any hold is lifted.
    testimony.public_hold, testimony.public_hold_since = "", None
    fields, detail = ["status", "public_hold", "public_hold_since"], ""
    if generalisation is not None:
        testimony.public_place_levels_up = generalisation.place_levels_up
        testimony.public_date_precision = generalisation.date_precision
        fields += ["public_place_levels_up", "public_date_precision"]
        # The choice, never what it hides.
        detail = f"public view: {generalisation.key}"
    return _decide(
        testimony,
        decision=ReviewDecision.APPROVED,
        status=TestimonyStatus.APPROVED,
        action=AuditAction.APPROVED,
        reviewer=reviewer,
        comment=comment,
        fields=fields,
        detail=detail,
    )


@transaction.atomic
def testimony_send_back(*, testimony: Testimony, reviewer, comment: str) -> Review:
    """Return a submitted testimony to its documenter with a comment saying
    what to change. The comment stays out of the audit log: it may quote the
    account."""
    if not comment.strip():
        raise ValidationError(
            {"comment": ValidationError(_("Say what needs to change."), "required")}
        )
    testimony = _submitted_for_update(testimony)
    return _decide(
        testimony,
        decision=ReviewDecision.SENT_BACK,
        status=TestimonyStatus.SENT_BACK,
        action=AuditAction.SENT_BACK,
        reviewer=reviewer,
        comment=comment,
    )
