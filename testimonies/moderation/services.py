"""Writes of the review queue at volume: assigning a testimony's review to a
moderator, and sending back or assigning several testimonies at once.

Each testimony of a batch is decided on its own: fetched again, asked of the
policy again, written and audited in its own transaction, so that one
refusal (a testimony approved by someone else meanwhile, withdrawn, erased)
leaves the others done and is reported by name. Approval is never done in a
batch: each approval is a decision on one witness's consent.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archive.audit import audit_record
from archive.roles import Role, role_of
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.review import testimony_send_back
from testimonies.models import ReviewAssignment, Testimony, TestimonyStatus
from testimonies.policy import Action


@dataclass
class BatchOutcome:
    """What a batch did: the testimonies done, and each one refused with why."""

    done: list[Testimony] = field(default_factory=list)
    refused: list[tuple[Testimony, str]] = field(default_factory=list)
    # Identifiers that name no testimony the user may act on.
    unknown: int = 0


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _require_moderator(account) -> None:
    if (
        account is None
        or not account.is_active
        or role_of(account) is not Role.MODERATOR
    ):
        _refuse(_("Reviews are assigned to moderators only."), "not_moderator")


@transaction.atomic
def review_assign(*, testimony: Testimony, moderator, assigned_by) -> ReviewAssignment:
    """Give `testimony`'s review to `moderator` (replacing any earlier
    assignment), audited. Assigning it to the moderator who has it already
    changes and records nothing."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not policy.allows(assigned_by, Action.ASSIGN_REVIEW, testimony):
        _refuse(_("This testimony can no longer be assigned."), "not_assignable")
    _require_moderator(moderator)
    assignment = ReviewAssignment.objects.filter(testimony=testimony).first()
    if assignment is not None and assignment.moderator_id == moderator.pk:
        return assignment
    if assignment is None:
        assignment = ReviewAssignment(testimony=testimony)
    assignment.moderator = moderator
    assignment.assigned_by = assigned_by
    assignment.full_clean()
    assignment.save()
    audit_record(
        action=AuditAction.REVIEW_ASSIGNED,
        target=testimony.public_id,
        actor=assigned_by,
        detail=f"to {moderator.get_username()}",
    )
    return assignment


@transaction.atomic
def review_unassign(*, testimony: Testimony, user) -> None:
    """Take back `testimony`'s review assignment, audited; nothing happens
    if nobody has it."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not policy.allows(user, Action.ASSIGN_REVIEW, testimony):
        _refuse(_("This testimony can no longer be assigned."), "not_assignable")
    assignment = (
        ReviewAssignment.objects.select_related("moderator")
        .filter(testimony=testimony)
        .first()
    )
    if assignment is None:
        return
    moderator = assignment.moderator
    assignment.delete()
    audit_record(
        action=AuditAction.REVIEW_UNASSIGNED,
        target=testimony.public_id,
        actor=user,
        detail=f"from {moderator.get_username()}",
    )


def _batch(public_ids, user, act) -> BatchOutcome:
    """Run `act(testimony)` on each testimony named, one at a time, each
    asked of the policy first (a moderator whose session lost its second
    factor gets nothing done)."""
    outcome = BatchOutcome()
    wanted = list(dict.fromkeys(public_ids))
    found = {
        t.public_id: t
        for t in Testimony.objects.exclude(status=TestimonyStatus.ERASED)
        .select_related("witness")
        .filter(public_id__in=wanted)
    }
    for public_id in wanted:
        testimony = found.get(public_id)
        if testimony is None or not policy.allows(user, Action.REVIEW):
            outcome.unknown += 1
            continue
        try:
            act(testimony)
        except ValidationError as error:
            outcome.refused.append((testimony, " ".join(error.messages)))
        else:
            outcome.done.append(testimony)
    return outcome


def testimonies_send_back(*, public_ids, reviewer, comment: str) -> BatchOutcome:
    """Send each named testimony back to its documenter with the same
    comment, each as its own review decision (consent.services.review)."""
    if not comment.strip():
        raise ValidationError(
            {"comment": ValidationError(_("Say what needs to change."), "required")}
        )
    return _batch(
        public_ids,
        reviewer,
        lambda testimony: testimony_send_back(
            testimony=testimony, reviewer=reviewer, comment=comment
        ),
    )


def testimonies_assign(*, public_ids, moderator, user) -> BatchOutcome:
    """Give each named testimony's review to `moderator`, or take each one's
    assignment back when `moderator` is None."""
    if moderator is None:
        return _batch(
            public_ids,
            user,
            lambda testimony: review_unassign(testimony=testimony, user=user),
        )
    _require_moderator(moderator)
    return _batch(
        public_ids,
        user,
        lambda testimony: review_assign(
            testimony=testimony, moderator=moderator, assigned_by=user
        ),
    )
