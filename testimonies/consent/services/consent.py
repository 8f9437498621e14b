"""Recording, capturing and withdrawing consent: each an appended record,
sealed in the audit chain."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.consent.models.consent import (
    IMAGES,
    WITHDRAWABLE,
    ConsentEvent,
    identity_recipient_folded,
)
from testimonies.consent.services.public_holds import (
    Departure,
    public_holds_after_consent,
)
from testimonies.consent.services.review import _mark_submitted
from testimonies.models import (
    ConsentRecord,
    ConsentScope,
    ImagesShown,
    Testimony,
    TestimonyStatus,
)
from testimonies.policy import Action

logger = logging.getLogger(__name__)

CONSENT_TERMS = (
    "method", "obtained_by", "obtained_on", "embargo_until", "images",
)  # fmt: skip


def _refuse_erased(testimony: Testimony) -> None:
    if Testimony.objects.filter(
        pk=testimony.pk, status=TestimonyStatus.ERASED
    ).exists():
        raise ValidationError(
            _("This testimony was erased; nothing more can be recorded for it."),
            code="erased",
        )


@transaction.atomic
def consent_record(
    *,
    testimony: Testimony,
    scopes: dict[str, bool],
    method: str,
    obtained_by: str,
    obtained_on: datetime.date,
    embargo_until: datetime.date | None = None,
    recorded_by=None,
    explained: dict[str, bool] | None = None,
    witness_is_minor: bool | None = None,
    guardian_consent: bool = False,
    guardian_relation: str = "",
    child_assent: bool = False,
    images: str = ImagesShown.NOT_ASKED,
    identity_recipients: str = "",
) -> ConsentRecord:
    """Append a consent event giving exactly `scopes` (others false), and
    the answer to the photos-and-documents question (`images`,
    ImagesShown; not asked when left out).

    `explained` maps each of ConsentRecord's explained_* points to whether it
    was explained; None (imports) records them as not recorded, as does
    `witness_is_minor=None`. The record refuses a minor's grant without a
    guardian's consent and the child's assent, and a grant beyond the archive
    after a point that was not explained (ConsentRecord.clean).
    """
    _refuse_erased(testimony)
    before = testimony.current_consent()
    record = consent_grant_build(
        testimony=testimony,
        scopes=scopes,
        method=method,
        obtained_by=obtained_by,
        obtained_on=obtained_on,
        embargo_until=embargo_until,
        recorded_by=recorded_by,
        explained=explained,
        witness_is_minor=witness_is_minor,
        guardian_consent=guardian_consent,
        guardian_relation=guardian_relation,
        child_assent=child_assent,
        images=images,
        identity_recipients=identity_recipients,
    )
    record.full_clean()
    record.save()
    audit_record(**consent_audit_event(record))
    # Consent to publish after approval: the re-identification check again.
    public_holds_after_consent(testimony=testimony, before=before, after=record)
    return record


def consent_grant_build(
    *,
    testimony: Testimony,
    scopes: dict[str, bool],
    method: str,
    obtained_by: str,
    obtained_on: datetime.date,
    embargo_until: datetime.date | None = None,
    recorded_by=None,
    explained: dict[str, bool] | None = None,
    witness_is_minor: bool | None = None,
    guardian_consent: bool = False,
    guardian_relation: str = "",
    child_assent: bool = False,
    images: str = ImagesShown.NOT_ASKED,
    identity_recipients: str = "",
) -> ConsentRecord:
    """The unsaved grant record consent_record appends (same arguments);
    bulk writers validate, insert and seal it themselves
    (consent_audit_event)."""
    return ConsentRecord(
        testimony=testimony,
        event=ConsentEvent.GRANT,
        method=method,
        obtained_by=obtained_by,
        obtained_on=obtained_on,
        embargo_until=embargo_until,
        recorded_by=recorded_by,
        witness_is_minor=witness_is_minor,
        guardian_consent=guardian_consent,
        guardian_relation=guardian_relation,
        child_assent=child_assent,
        images=images,
        identity_recipients=identity_recipients.strip(),
        **(explained or {}),
        **{scope: bool(scopes.get(scope)) for scope in ConsentScope.values},
    )


def consent_withdrawal_build(
    *,
    testimony: Testimony,
    current: ConsentRecord | None,
    scopes: list[str] | None,
    reason: str,
    obtained_by: str,
    on: datetime.date | None = None,
    recorded_by=None,
) -> ConsentRecord:
    """The unsaved withdrawal record consent_withdraw appends after
    `current` (the latest record, or None): `scopes` (all when None, or when
    they include `archive`) turned off, the rest as they were. IMAGES among
    `scopes` withdraws the showing of photos and documents, which a
    withdrawal of everything withdraws too."""
    remaining = dict(current.scopes) if current else {}
    withdrawn = _withdrawn_scopes(scopes)
    for scope in withdrawn:
        remaining[scope] = False
    images = current.images if current else ImagesShown.NOT_ASKED
    if IMAGES in withdrawn or not any(remaining.values()):
        images = ImagesShown.NONE
    # The bodies that may receive the identity are a part of consent to
    # share with accountability bodies: they go when it goes.
    identity_recipients = current.identity_recipients if current else ""
    if not remaining.get(ConsentScope.ACCOUNTABILITY):
        identity_recipients = ""
    return ConsentRecord(
        testimony=testimony,
        event=ConsentEvent.WITHDRAWAL,
        method=current.method if current else "",
        obtained_by=obtained_by,
        obtained_on=on or timezone.localdate(),
        embargo_until=current.embargo_until if current else None,
        reason=reason,
        recorded_by=recorded_by,
        images=images,
        identity_recipients=identity_recipients,
        **{scope: remaining.get(scope, False) for scope in ConsentScope.values},
    )


def _withdrawn_scopes(scopes: list[str] | None) -> set[str]:
    withdrawn = set(WITHDRAWABLE) if not scopes else set(scopes)
    if ConsentScope.ARCHIVE in withdrawn:
        # Nothing can be shared that may not be kept.
        withdrawn = set(WITHDRAWABLE)
    return withdrawn


def consent_audit_event(
    record: ConsentRecord, *, scopes: list[str] | None = None
) -> dict:
    """audit_record's arguments sealing a saved consent record: the grant's
    scopes, or for a withdrawal the scopes it withdrew (`scopes` as given to
    consent_withdrawal_build)."""
    if record.event == ConsentEvent.GRANT:
        action, detail = AuditAction.CONSENT_RECORDED, record.granted_scopes
    else:
        action = AuditAction.CONSENT_WITHDRAWN
        detail = sorted(_withdrawn_scopes(scopes))
    return {
        "action": action,
        "target": record.testimony.public_id,
        "actor": record.recorded_by,
        "actor_label": record.obtained_by,
        "detail": ", ".join(detail),
        "subject": record,
    }


@transaction.atomic
def consent_withdraw(
    *,
    testimony: Testimony,
    scopes: list[str] | None,
    reason: str,
    obtained_by: str,
    on: datetime.date | None = None,
    recorded_by=None,
) -> ConsentRecord:
    """Withdraw `scopes` (all when None) from the testimony's consent.

    Withdrawing `archive` withdraws everything, since nothing can be shared
    that may not be kept. With no scope left the testimony is withdrawn.
    The search index drops or narrows it when this transaction commits,
    before the caller returns. If it leaves the public, the
    re-identification check runs again for the others
    (testimonies.consent.services.public_holds).
    """
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    _refuse_erased(testimony)
    departure = Departure(testimony)
    record = consent_withdrawal_build(
        testimony=testimony,
        current=testimony.current_consent(),
        scopes=scopes,
        reason=reason,
        obtained_by=obtained_by,
        on=on,
        recorded_by=recorded_by,
    )
    record.full_clean()
    record.save()
    if (
        not any(record.scopes.values())
        and testimony.status != TestimonyStatus.WITHDRAWN
    ):
        testimony.status = TestimonyStatus.WITHDRAWN
        testimony.save(update_fields=["status", "updated_at"])
    audit_record(**consent_audit_event(record, scopes=scopes))
    # Others whose group counted this witness may now be too few.
    departure.public_holds()
    return record


def _images_reach(record: ConsentRecord) -> int:
    """How far the photos and documents are shown, least first."""
    order = [ImagesShown.NONE, ImagesShown.RESEARCHERS, ImagesShown.PUBLIC]
    return order.index(record.images) if record.images in order else 0


def _widens(before: ConsentRecord | None, after: ConsentRecord) -> bool:
    """Does `after` let the testimony reach anyone `before` did not?"""
    if before is None:
        return any(after.scopes.values()) or _images_reach(after) > 0
    if any(after.scopes[s] and not before.scopes[s] for s in ConsentScope.values):
        return True
    if _images_reach(after) > _images_reach(before):
        return True
    # A body newly named may receive who the witness is.
    if not {identity_recipient_folded(n) for n in after.identity_recipient_list} <= {
        identity_recipient_folded(n) for n in before.identity_recipient_list
    }:
        return True
    if before.embargo_until is None:
        return False
    return after.embargo_until is None or after.embargo_until < before.embargo_until


@transaction.atomic
def consent_capture(*, testimony: Testimony, user, **terms) -> ConsentRecord:
    """Record consent taken through the consent form (terms as for
    consent_record). A documenter's record that widens who may read an
    approved testimony sends it back to the moderators' queue first: a slip
    of the hand must not publish an account before a second person looks.
    Narrowing takes effect at once."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    before = testimony.current_consent()
    record = consent_record(testimony=testimony, recorded_by=user, **terms)
    if (
        testimony.status == TestimonyStatus.APPROVED
        and not policy.allows(user, Action.REVIEW)
        and _widens(before, record)
    ):
        _mark_submitted(testimony, user, detail="consent widened")
    return record
