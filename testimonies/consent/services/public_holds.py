"""Running the re-identification check again after approval, and what it
does: holding testimonies back from the public until a moderator looks.

A moderator approves a testimony for the public after seeing how many
witnesses in public share its details (testimonies.redaction.reidentification). Two
later events can make that answer wrong without anyone reviewing it:

- consent to publish arrives after approval (an account approved for
  researchers, the witness agreeing later to publication);
- other testimonies leave the public (consent withdrawn, erased), and a
  group that was large enough no longer is.

In both cases the check runs again in the same transaction as the event.
A testimony whose group is (now) below k is held back from the public
(Testimony.public_hold): researchers still read it; the public does not,
from that request on (testimonies.policy, and the index on commit). It is
listed in the moderators' queue with the reason, and a moderator releases
it with a public view chosen after seeing the check again
(testimony_public_release), or approves it again. A group a moderator
accepted below k at approval is not held for staying below k.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.models import PublicHold, Testimony, TestimonyStatus
from testimonies.policy import Action
from testimonies.redaction.reidentification import (
    Generalisation,
    public_group_size,
    published_disclosure,
    witnesses_fallen_below_k,
)

logger = logging.getLogger(__name__)


def _hold(testimonies, reason: str) -> list[Testimony]:
    """Hold these testimonies back from the public, each write audited (the
    reason, never what the check read)."""
    held = []
    for testimony in testimonies:
        if testimony.public_hold:
            continue
        testimony.public_hold = reason
        testimony.public_hold_since = timezone.now()
        testimony.save(update_fields=["public_hold", "public_hold_since", "updated_at"])
        audit_record(
            action=AuditAction.HELD_FROM_PUBLIC,
            target=testimony.public_id,
            detail=reason,
            actor_label="re-identification check",
        )
        held.append(testimony)
    return held


def is_public(testimony: Testimony) -> bool:
    """Does the public see this testimony now (testimonies.policy)?"""
    return policy.allows(AnonymousUser(), Action.VIEW, testimony)


def public_holds_after_consent(*, testimony: Testimony, before, after) -> bool:
    """After the consent record `after` replaced `before` on an approved
    testimony: if it grants publication that `before` did not, run the check
    under the testimony's public view, and hold it back from the public when
    fewer than k witnesses share its details. A first consent (an import of
    an approved line) is the importer's decision, as an approval is. Returns
    whether it was held."""
    if testimony.status != TestimonyStatus.APPROVED or before is None:
        return False
    opens = policy.scope_granted(after, "public") and policy.scope_granted(
        after, "archive"
    )
    was_open = policy.scope_granted(before, "public") and policy.scope_granted(
        before, "archive"
    )
    if not opens or was_open:
        return False
    if public_group_size(testimony) >= settings.ARCHIVE_REID_K:
        return False
    return bool(_hold([testimony], PublicHold.CONSENT_WIDENED))


class Departure:
    """A testimony that may be about to leave the public: what it discloses
    is read before (erasure empties its tags), the check runs after."""

    def __init__(self, testimony: Testimony):
        self.testimony = testimony
        self.was_public = is_public(testimony)
        self.left = published_disclosure(testimony) if self.was_public else None

    def public_holds(self) -> list[Testimony]:
        """Once the departure is written: hold back from the public the
        testimonies of every witness whose group counted this one's witness
        and now fell below k.

        Run in the departure's transaction, so that the holds and the
        departure are written together; but in a savepoint of its own: a
        withdrawal must take effect whatever happens here, so a failure of
        the check is logged loudly and holds nothing, never undoes it."""
        if not self.was_public or is_public(self.testimony):
            return []
        try:
            with transaction.atomic():
                fallen = witnesses_fallen_below_k(
                    witness=self.testimony.witness, left=self.left
                )
                public = policy.visible_testimonies(
                    Testimony.objects.filter(witness_id__in=fallen), AnonymousUser()
                )
                return _hold(public, PublicHold.GROUP_SHRANK) if fallen else []
        except Exception:
            logger.exception(
                "re-identification check after %s left the public failed: "
                "nothing was held back, though other groups may have shrunk",
                self.testimony.public_id,
            )
            return []


@transaction.atomic
def testimony_public_release(
    *, testimony: Testimony, reviewer, generalisation: Generalisation | None
) -> Testimony:
    """Release a testimony held back from the public, with the public view
    `generalisation` (None keeps its view) chosen after seeing the check."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if testimony.status != TestimonyStatus.APPROVED or not testimony.public_hold:
        raise ValidationError(
            _("This testimony is not held back from the public."), code="not_held"
        )
    fields = ["public_hold", "public_hold_since"]
    detail = ""
    if generalisation is not None:
        testimony.public_place_levels_up = generalisation.place_levels_up
        testimony.public_date_precision = generalisation.date_precision
        fields += ["public_place_levels_up", "public_date_precision"]
        detail = f"public view: {generalisation.key}"
    testimony.public_hold = PublicHold.NONE
    testimony.public_hold_since = None
    testimony.full_clean()
    testimony.save(update_fields=[*fields, "updated_at"])
    audit_record(
        action=AuditAction.RELEASED_TO_PUBLIC,
        target=testimony.public_id,
        actor=reviewer,
        detail=detail,
    )
    return testimony
