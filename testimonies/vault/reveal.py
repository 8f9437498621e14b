"""The logged reveal of a witness's identity."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.models import Community, Gender, Testimony
from testimonies.policy import Action
from testimonies.redaction.redactor import Redactor
from testimonies.textnorm import fold
from testimonies.vault.identity import Identity, identities_read, identity_read

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevealedIdentity:
    """A witness's identity as the reveal page shows it."""

    pseudonym: str
    # Left out of repr(): a debugging line or an error report that prints
    # this object must not print who the witness is.
    name: str = field(repr=False)
    name_variants: tuple[str, ...] = field(repr=False)
    contact: str = field(repr=False)
    birth_year: int | None = field(repr=False)
    gender: str = field(repr=False)
    community: str = field(repr=False)


def _reason_identifies(reason: str, identity: Identity) -> bool:
    """Does the reason hold the witness's name (or a part of it, in any
    spelling the archive knows, or a likely other spelling), contact or
    birth year? The reason is kept in the audit chain, which can never be
    edited."""
    redactor = Redactor(
        witness_names=[identity.name, *identity.name_variants],
        witness_placeholder="",
        persons_named=[],
        contact=identity.contact,
        birth_year=identity.birth_year,
    )
    if redactor.identifying(reason, likely=True):
        return True
    year = identity.birth_year
    return year is not None and str(year) in fold(reason).split()


def reason_identifies_any(reason: str, *, witness_ids) -> bool:
    """Does the reason hold the name, contact or birth year of any of these
    witnesses (as witness_reveal refuses for one)? For a reason written to
    the audit chain about several witnesses at once."""
    return any(
        identity is not None and _reason_identifies(reason, identity)
        for identity in identities_read(witness_ids).values()
    )


@transaction.atomic
def witness_reveal(*, testimony: Testimony, user, reason: str) -> RevealedIdentity:
    """Show `user` who the witness of `testimony` is, and write that to the
    audit chain with the reason (READ_IDENTITY, target the public id).

    Only for those the policy allows (Action.REVEAL_IDENTITY), and only
    after the caller has checked the user's password. Refused, with nothing
    written, when the reason names the witness (the log keeps it forever)
    or when no identity is kept (an erased witness's identity is deleted).
    The identity is returned, never logged, stored or put in a message.
    """
    # Read again, locked: a withdrawal committed since the page was loaded
    # ends a documenter's access before this reveal, not after it.
    testimony = (
        Testimony.objects.select_for_update()
        .select_related("witness")
        .get(pk=testimony.pk)
    )
    if not policy.allows(user, Action.REVEAL_IDENTITY, testimony):
        raise PermissionDenied
    identity = identity_read(witness=testimony.witness)
    if identity is None:
        raise ValidationError(
            _("No identity is kept for this witness."), code="no_identity"
        )
    reason = " ".join(reason.split())
    if _reason_identifies(reason, identity):
        raise ValidationError(
            {
                "reason": ValidationError(
                    _(
                        "The reason must not contain the witness's name, contact "
                        "or birth year: the audit log keeps it for good."
                    ),
                    code="reason_identifies",
                )
            }
        )
    audit_record(
        action=AuditAction.READ_IDENTITY,
        target=testimony.public_id,
        actor=user,
        detail=reason,
    )
    community = (
        Community.objects.filter(pk=identity.community_id).first()
        if identity.community_id
        else None
    )
    return RevealedIdentity(
        pseudonym=testimony.witness.pseudonym,
        name=identity.name,
        name_variants=identity.name_variants,
        contact=identity.contact,
        birth_year=identity.birth_year,
        gender=Gender(identity.gender).label if identity.gender else "",
        community=community.label if community else "",
    )
