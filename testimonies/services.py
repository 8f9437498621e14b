"""Writes to the archive: importing testimonies, recording and withdrawing
consent, submitting, reviewing, erasing, and the logged reveal of a
witness's identity. Search follows by itself after
each commit (search.signals); an erasure also purges the index's files
(search.indexing.testimonies_purge)."""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.audit import audit_record
from archive.models import AuditAction
from search.indexing import testimonies_purge

from .erasure import content_sha256, erased_content
from .gazetteer import PlaceResolver
from .identity import (
    Identity,
    identity_erase_if_unused,
    identity_read,
    identity_store,
    witness_key_digest,
)
from .importing import ImportRow
from .marks import MAX_SPELLING_LENGTH, marks_check, new_spellings, spelling_key
from .media_store import media_destroy
from .models import (
    Community,
    ConsentRecord,
    ConsentScope,
    Erasure,
    Gender,
    Review,
    ReviewDecision,
    ReviewedVersion,
    Testimony,
    TestimonyStatus,
    Witness,
)
from .models.consent import ConsentEvent
from .models.reviews import testimony_content
from .pseudonyms import pseudonym_source
from .redaction import Redactor, spelling_occurrences
from .reidentification import Generalisation
from .textnorm import fold

logger = logging.getLogger(__name__)

CONSENT_TERMS = ("method", "obtained_by", "obtained_on", "embargo_until")


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
) -> ConsentRecord:
    """Append a consent event giving exactly `scopes` (others false).

    `explained` maps each of ConsentRecord's explained_* points to whether it
    was explained; None (imports) records them as not recorded, as does
    `witness_is_minor=None`. The record refuses a minor's grant without a
    guardian's consent and the child's assent, and a grant beyond the archive
    after a point that was not explained (ConsentRecord.clean).
    """
    _refuse_erased(testimony)
    record = ConsentRecord(
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
        **(explained or {}),
        **{scope: bool(scopes.get(scope)) for scope in ConsentScope.values},
    )
    record.full_clean()
    record.save()
    audit_record(
        action=AuditAction.CONSENT_RECORDED,
        target=testimony.public_id,
        actor=recorded_by,
        actor_label=obtained_by,
        detail=", ".join(record.granted_scopes),
        subject=record,
    )
    return record


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
    before the caller returns.
    """
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    _refuse_erased(testimony)
    current = testimony.current_consent()
    remaining = dict(current.scopes) if current else {}
    withdrawn = set(ConsentScope.values) if not scopes else set(scopes)
    if ConsentScope.ARCHIVE in withdrawn:
        withdrawn = set(ConsentScope.values)
    for scope in withdrawn:
        remaining[scope] = False
    record = ConsentRecord(
        testimony=testimony,
        event=ConsentEvent.WITHDRAWAL,
        method=current.method if current else "",
        obtained_by=obtained_by,
        obtained_on=on or timezone.localdate(),
        embargo_until=current.embargo_until if current else None,
        reason=reason,
        recorded_by=recorded_by,
        **{scope: remaining.get(scope, False) for scope in ConsentScope.values},
    )
    record.full_clean()
    record.save()
    if (
        not any(record.scopes.values())
        and testimony.status != TestimonyStatus.WITHDRAWN
    ):
        testimony.status = TestimonyStatus.WITHDRAWN
        testimony.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.CONSENT_WITHDRAWN,
        target=testimony.public_id,
        actor=recorded_by,
        actor_label=obtained_by,
        detail=", ".join(sorted(withdrawn)),
        subject=record,
    )
    return record


def _erase_text_stores(testimony: Testimony) -> None:
    """Empty every stored copy of the testimony's text and description.

    The one place that knows where the text is kept: the testimony row
    (narrative, translations, summary, persons named, words marked for
    redaction, incident dates) and
    its tags, and the versions kept for review diffs (ReviewedVersion, with
    the moderators' comments, which may quote the text). A new store of the
    text must be emptied here as well, and added to
    testimonies.erasure.erased_content so that the digest covers it. Media
    files are media_store's; the search index's files are purged after the
    commit.
    """
    testimony.reviewed_versions.all().delete()
    testimony.narrative = ""
    testimony.translations = {}
    testimony.summary = ""
    testimony.persons_named = []
    testimony.redaction_marks = []
    testimony.incident_start = testimony.incident_end = None
    testimony.status = TestimonyStatus.ERASED
    testimony.full_clean()
    testimony.save()
    testimony.places.clear()
    testimony.communities.clear()
    testimony.event_types.clear()


@transaction.atomic
def testimony_erase(
    *, testimony: Testimony, reason: str, erased_by=None, erased_by_label: str = ""
) -> Erasure:
    """Erase a testimony for good and leave a tombstone. Irreversible.

    The SHA-256 of everything erased (testimonies.erasure) is kept in an
    append-only Erasure row with who erased it (`erased_by`, a user, or
    `erased_by_label` for a command), when and why. Then the text and its
    descriptive tags are emptied (_erase_text_stores), the witness's identity
    is deleted if no testimony of theirs is left unerased, and the media
    files are overwritten and deleted (this service is the only code that
    deletes media). When the transaction commits, the testimony leaves the
    search index and the index is rewritten without it, in the same request
    or command. SQLite zeroes freed space (archive.database), so the text
    does not linger in the database file. The audit log gets the public id
    and the digest only.

    The consent history stays: it is evidence of what the witness agreed to
    and withdrew, and holds no part of the account.
    """
    testimony = (
        Testimony.objects.select_for_update()
        .select_related("witness")
        .get(pk=testimony.pk)
    )
    if testimony.is_erased:
        raise ValidationError(
            _("This testimony has already been erased."), code="already_erased"
        )
    digest = content_sha256(erased_content(testimony))
    erasure = Erasure(
        testimony=testimony,
        content_sha256=digest,
        erased_by=erased_by,
        erased_by_label=erased_by_label,
        reason=reason.strip(),
    )
    erasure.full_clean()
    erasure.save()
    _erase_text_stores(testimony)
    identity_deleted = identity_erase_if_unused(witness=testimony.witness)
    # Last, once every database write has succeeded: files cannot be
    # rolled back, and a failure before this point must leave them.
    files = media_destroy(testimony)
    audit_record(
        action=AuditAction.ERASED,
        target=testimony.public_id,
        actor=erased_by,
        actor_label=erased_by_label,
        detail=f"sha256={digest}",
        subject=erasure,
    )
    logger.info(
        "erased %s: %d media files, identity deleted: %s",
        testimony.public_id,
        files,
        identity_deleted,
    )
    pk = testimony.pk
    transaction.on_commit(lambda: testimonies_purge([pk]))
    return erasure


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def _witness_for(row: ImportRow, existing: Testimony | None) -> Witness:
    if row.witness["witness_key"]:
        digest = witness_key_digest(row.witness["witness_key"])
        witness = Witness.objects.filter(key_digest=digest).first()
        if witness:
            return witness
        if existing and existing.witness.key_digest in (None, digest):
            existing.witness.key_digest = digest
            existing.witness.save(update_fields=["key_digest"])
            return existing.witness
        return Witness.objects.create(key_digest=digest)
    if existing:
        return existing.witness
    # No witness key: the line's external id keeps the pseudonym stable when
    # the same file is imported again, here or into a new installation.
    witness = Witness(key_digest=None)
    if row.external_id:
        witness.pseudonym = witness._free_pseudonym(
            pseudonym_source(external_id=row.external_id)
        )
    witness.save()
    return witness


def _same_grant(record: ConsentRecord, consent: dict) -> bool:
    return all(getattr(record, s) == consent[s] for s in ConsentScope.values) and all(
        getattr(record, term) == consent[term] for term in CONSENT_TERMS
    )


def _import_consent(testimony, row: ImportRow, result: ImportResult, actor):
    records = list(testimony.consent_records.order_by("pk"))
    grants = [r for r in records if r.event == ConsentEvent.GRANT]
    withdrawals = [r for r in records if r.event == ConsentEvent.WITHDRAWAL]
    if not grants or not _same_grant(grants[-1], row.consent):
        later = [w for w in withdrawals if w.obtained_on >= row.consent["obtained_on"]]
        if later:
            # An import never undoes a withdrawal the witness made after.
            result.notes.append(
                _(
                    "line %(line)d: consent left as it is: withdrawn on %(date)s, "
                    "after this consent was obtained"
                )
                % {"line": row.line, "date": later[-1].obtained_on.isoformat()}
            )
        else:
            consent_record(
                testimony=testimony,
                scopes=row.consent,
                method=row.consent["method"],
                obtained_by=row.consent["obtained_by"] or _("import"),
                obtained_on=row.consent["obtained_on"],
                embargo_until=row.consent["embargo_until"],
                recorded_by=actor,
            )
    w = row.withdrawal
    if w and not any(
        r.obtained_on == w.on and r.reason == w.reason for r in withdrawals
    ):
        consent_withdraw(
            testimony=testimony,
            scopes=w.scopes,
            reason=w.reason,
            obtained_by=row.consent["obtained_by"] or _("import"),
            on=w.on,
            recorded_by=actor,
        )


def _import_row(row: ImportRow, places: PlaceResolver, result, actor):
    existing = (
        Testimony.objects.select_related("witness")
        .filter(external_id=row.external_id)
        .first()
        if row.external_id
        else None
    )
    if existing and existing.is_erased:
        # Skipped, not refused: a file re-imported after an erasure (the
        # seeds, a partner's full export) must still load the rest. Nothing
        # of the line is written, not even the witness's identity.
        result.skipped += 1
        result.notes.append(
            _("line %(line)d: skipped: testimony %(id)s was erased")
            % {"line": row.line, "id": existing.public_id}
        )
        return None
    witness = _witness_for(row, existing)
    identity_store(
        witness=witness,
        name=row.witness["name"],
        name_variants=row.witness["name_variants"],
        contact=row.witness["contact"],
        birth_year=row.witness["birth_year"],
        gender=row.witness["gender"],
        community=row.witness_community,
    )
    testimony = existing or Testimony(external_id=row.external_id)
    testimony.witness = witness
    for name in (
        "language", "narrative", "translations", "summary", "recorded_on",
        "recorded_by", "incident_start", "incident_end", "incident_precision",
        "persons_named",
    ):  # fmt: skip
        setattr(testimony, name, getattr(row, name))
    if testimony.status != TestimonyStatus.WITHDRAWN:
        testimony.status = row.status
    testimony.full_clean()
    testimony.save()
    tagged = [
        ref.place
        or places.resolve_or_create(
            name=ref.name,
            parent_name=ref.parent_name,
            kind=ref.kind,
            name_ar=ref.name_ar,
        )
        for ref in row.places
    ]
    testimony.places.set(tagged)
    testimony.communities.set(row.communities)
    testimony.event_types.set(row.event_types)
    _import_consent(testimony, row, result, actor)
    if existing:
        result.updated += 1
    else:
        result.created += 1
    return testimony


@transaction.atomic
def testimonies_import(*, rows: list[ImportRow], actor=None, source="") -> ImportResult:
    """Write checked rows, all or nothing. A line whose external_id exists
    updates that testimony; consent changes are appended, never edited. A
    line whose external_id belongs to an erased testimony is skipped with a
    note: an import never brings an erased testimony back."""
    result = ImportResult()
    places = PlaceResolver()
    for row in rows:
        _import_row(row, places, result, actor)
    audit_record(
        action=AuditAction.IMPORTED,
        actor=actor,
        actor_label=source,
        detail=f"{result.created} created, {result.updated} updated"
        + (f", {result.skipped} skipped (erased)" if result.skipped else ""),
    )
    return result


def _widens(before: ConsentRecord | None, after: ConsentRecord) -> bool:
    """Does `after` let the testimony reach anyone `before` did not?"""
    if before is None:
        return any(after.scopes.values())
    if any(after.scopes[s] and not before.scopes[s] for s in ConsentScope.values):
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
    from archive import policy

    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    before = testimony.current_consent()
    record = consent_record(testimony=testimony, recorded_by=user, **terms)
    if (
        testimony.status == TestimonyStatus.APPROVED
        and not policy.may_review(user)
        and _widens(before, record)
    ):
        _mark_submitted(testimony, user, detail="consent widened")
    return record


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


@transaction.atomic
def testimony_submit(*, testimony: Testimony, user) -> Testimony:
    """Send a draft or sent-back testimony to the moderators' queue. Needs a
    current consent to keep it in the archive."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if testimony.status not in (TestimonyStatus.DRAFT, TestimonyStatus.SENT_BACK):
        _refuse(
            _("Only a draft or a testimony sent back can be submitted."),
            "not_submittable",
        )
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
    archived. It reaches the audiences its consent names (search follows
    on commit); what was approved is kept for the next review's diff.

    `generalisation` is the public view chosen after the re-identification
    check (testimonies.reidentification): the place raised, the dates
    widened, or as recorded. None keeps the view chosen at an earlier
    approval: a re-approval never silently narrows what the public sees.
    """
    testimony = _submitted_for_update(testimony)
    _require_archive_consent(testimony)
    fields, detail = ["status"], ""
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
    """Replace the words marked for redaction (shape: testimonies.marks).

    Open to those archive.policy.may_mark_redactions lets mark. Each newly
    marked spelling must occur in the narrative, a translation or the summary
    as redaction matches it; a mark made earlier stays even if the text has
    since changed (it still hides the words should they come back). A
    number given as a mark's person must be an entry of persons_named.
    The search index follows on commit (search.signals), and the review
    diff shows the change. No audit entry: the marks are words of the text
    and must never reach the log; what matters, who reviewed the result, is
    sealed with the review.
    """
    from archive import policy

    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not policy.may_mark_redactions(user, testimony):
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
    spelling the archive knows), contact or birth year? The reason is kept
    in the audit chain, which can never be edited."""
    names = Redactor(
        witness_names=[identity.name, *identity.name_variants],
        witness_placeholder="",
        persons_named=[],
    )
    if names.redact(reason) != reason:
        return True
    contact = fold(identity.contact).strip()
    if contact and contact in fold(reason):
        return True
    year = identity.birth_year
    return year is not None and str(year) in reason.split()


@transaction.atomic
def witness_reveal(*, testimony: Testimony, user, reason: str) -> RevealedIdentity:
    """Show `user` who the witness of `testimony` is, and write that to the
    audit chain with the reason (READ_IDENTITY, target the public id).

    Only for those archive.policy.may_reveal_identity_on allows, and only
    after the caller has checked the user's password. Refused, with nothing
    written, when the reason names the witness (the log keeps it forever)
    or when no identity is kept (an erased witness's identity is deleted).
    The identity is returned, never logged, stored or put in a message.
    """
    from archive import policy

    if not policy.may_reveal_identity_on(user, testimony):
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
