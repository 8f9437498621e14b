"""Importing testimonies from checked rows (docs/import-format.md), all or
nothing."""

import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.audit import audit_record
from testimonies.audit_actions import AuditAction
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import (
    CONSENT_TERMS,
    consent_record,
    consent_withdraw,
)
from testimonies.consent.services.review import undecided_words
from testimonies.imports.reader import ImportRow
from testimonies.models import (
    ConsentRecord,
    ConsentScope,
    Testimony,
    TestimonyStatus,
    Witness,
)
from testimonies.places.gazetteer import PlaceResolver
from testimonies.redaction.redactor import redactor_for
from testimonies.vault import sealing as vault
from testimonies.vault.identity import identity_store, witness_key_digest
from testimonies.witnesses.pseudonyms import pseudonym_source

logger = logging.getLogger(__name__)

# What an import line sets on its testimony, as given.
TESTIMONY_FIELDS = (
    "language", "narrative", "translations", "summary", "recorded_on",
    "recorded_by", "incident_start", "incident_end", "incident_precision",
    "persons_named",
)  # fmt: skip


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    # (line, public id) of lines asked to be approved that landed as
    # submitted: words in them wait for a person's decision.
    held: list[tuple[int, str]] = field(default_factory=list)


def witness_for_key(
    *, witness_key: str, current: Witness | None, external_id: str | None = None
) -> Witness:
    """The witness a testimony is recorded under, as the import and the
    recording steps both decide it: the witness whose key is `witness_key`
    when one exists; else `current` (the testimony's witness so far), given
    the key if it has none; else a new witness. Without a key or a current
    witness, `external_id` keeps the pseudonym stable when the same line is
    imported again, here or into a new installation."""
    if witness_key:
        digest = witness_key_digest(witness_key)
        witness = Witness.objects.filter(key_digest=digest).first()
        if witness:
            return witness
        if current and current.key_digest in (None, digest):
            current.key_digest = digest
            current.save(update_fields=["key_digest"])
            return current
        return Witness.objects.create(key_digest=digest)
    if current:
        return current
    witness = Witness(key_digest=None)
    if external_id:
        witness.pseudonym = witness._free_pseudonym(
            pseudonym_source(external_id=external_id)
        )
    witness.save()
    return witness


def _witness_for(row: ImportRow, existing: Testimony | None) -> Witness:
    return witness_for_key(
        witness_key=row.witness["witness_key"],
        current=existing.witness if existing else None,
        external_id=row.external_id,
    )


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
                images=row.consent["images"],
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
    for name in TESTIMONY_FIELDS:
        setattr(testimony, name, getattr(row, name))
    if testimony.status != TestimonyStatus.WITHDRAWN:
        testimony.status = row.status
    testimony.full_clean()
    testimony.save()
    redact = redactor_for(testimony).redact  # a new place's names are redacted
    tagged = [
        ref.place
        or places.resolve_or_create(
            name=ref.name,
            parent_name=ref.parent_name,
            kind=ref.kind,
            name_ar=ref.name_ar,
            added_for=testimony,
            redact=redact,
        )
        for ref in row.places
    ]
    testimony.places.set(tagged)
    testimony.communities.set(row.communities)
    testimony.event_types.set(row.event_types)
    if testimony.status == TestimonyStatus.APPROVED:
        # Before the consent: a withdrawal in the line still has the last word.
        _hold_undecided(testimony, row, result)
    _import_consent(testimony, row, result, actor)
    if existing:
        result.updated += 1
    else:
        result.created += 1
    return testimony


def _hold_undecided(testimony: Testimony, row: ImportRow, result) -> None:
    """The release gate (services.review.require_decided_words) for a line
    that asks to be approved: while words redaction flagged wait for a
    person's decision, it lands as submitted, in the moderators' queue."""
    count = undecided_words(testimony)
    if not count:
        return
    testimony.status = TestimonyStatus.SUBMITTED
    testimony.save(update_fields=["status", "updated_at"])
    result.held.append((row.line, testimony.public_id))
    result.notes.append(
        ngettext(
            "line %(line)d: imported as submitted, not approved: %(count)d "
            "flagged word needs a person's decision (review page)",
            "line %(line)d: imported as submitted, not approved: %(count)d "
            "flagged words need a person's decision (review page)",
            count,
        )
        % {"line": row.line, "count": count}
    )


@vault.keys_unit_of_work()
def testimonies_import(*, rows: list[ImportRow], actor=None, source="") -> ImportResult:
    """Write checked rows, all or nothing, the witnesses' new data keys with
    them (vault.keys_unit_of_work: a killed import leaves none behind). A
    line whose external_id exists updates that testimony; consent changes
    are appended, never edited. A
    line whose external_id belongs to an erased testimony is skipped with a
    note: an import never brings an erased testimony back. A line asking to
    be approved whose text holds words flagged for a person's decision lands
    as submitted, with a note, and is listed in `held`."""
    result = ImportResult()
    places = PlaceResolver()
    for row in rows:
        _import_row(row, places, result, actor)
    audit_record(
        action=AuditAction.IMPORTED,
        actor=actor,
        actor_label=source,
        detail=f"{result.created} created, {result.updated} updated"
        + (f", {result.skipped} skipped (erased)" if result.skipped else "")
        + (f", {len(result.held)} held for review" if result.held else ""),
    )
    return result
