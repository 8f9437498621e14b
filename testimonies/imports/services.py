"""Importing testimonies from checked rows (docs/import-format.md), all
or nothing: the one write path of the import command, the corpus generator
(bench/corpus) and every other bulk writer.

New testimonies are written a batch at a time, up to BATCH lines in a few
queries whatever their number (100,000 lines of the corpus generator would
otherwise take hours): witnesses, sealed identities, validated and sealed
testimonies, tags and consent records, the consent records sealed in the
audit chain in one append. A line that updates a testimony (its external_id
exists, or a line before it in the file gave it) is written on its own, in
its place in the file's order: the batch before it is written first.
"""

import logging
from dataclasses import dataclass, field

from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.audit import audit_record, audit_record_many
from testimonies.audit_actions import AuditAction
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import (
    CONSENT_TERMS,
    consent_audit_event,
    consent_grant_build,
    consent_record,
    consent_withdraw,
    consent_withdrawal_build,
)
from testimonies.consent.services.review import undecided_words
from testimonies.imports.reader import ImportRow, IncidentRow
from testimonies.incidents.services import incident_links_import, incidents_import
from testimonies.models import (
    ConsentRecord,
    ConsentScope,
    Testimony,
    TestimonyStatus,
    Witness,
)
from testimonies.places.gazetteer import PlaceResolver
from testimonies.redaction.redactor import redacted_texts, redactor_for
from testimonies.vault import sealing as vault
from testimonies.vault.identity import (
    RedactionTerms,
    identity_store,
    identity_store_many,
    witness_key_digest,
)
from testimonies.witnesses.pseudonyms import pseudonym_derive, pseudonym_source

logger = logging.getLogger(__name__)

# What an import line sets on its testimony, as given.
TESTIMONY_FIELDS = (
    "language", "narrative", "translations", "summary", "recorded_on",
    "recorded_by", "incident_start", "incident_end", "incident_precision",
    "persons_named",
)  # fmt: skip
# New testimonies written together: bounds the memory a batch holds and the
# values a query names.
BATCH = 500

# Checked by construction (the import's checks, and the witness and
# consent rows made here): validating them again would cost a query each.
_RELATIONS = ["witness", "recorded_by", "testimony"]

# Sent (with `pks`) after new testimonies were written by bulk inserts, which
# send no model signals: the search index's signal processor schedules their
# documents from it, as it does from post_save for a line written alone.
testimonies_written = Signal()


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


def _import_update(row: ImportRow, places: PlaceResolver, result, actor) -> None:
    """Write a line whose external_id a testimony holds already: that
    testimony, updated (skipped if it was erased)."""
    testimony = Testimony.objects.select_related("witness").get(
        external_id=row.external_id
    )
    if testimony.is_erased:
        # Skipped, not refused: a file re-imported after an erasure (the
        # seeds, a partner's full export) must still load the rest. Nothing
        # of the line is written, not even the witness's identity.
        result.skipped += 1
        result.notes.append(
            _("line %(line)d: skipped: testimony %(id)s was erased")
            % {"line": row.line, "id": testimony.public_id}
        )
        return
    testimony.witness = witness_for_key(
        witness_key=row.witness["witness_key"],
        current=testimony.witness,
        external_id=row.external_id,
    )
    identity_store(witness=testimony.witness, **_identity_terms(row))
    for name in TESTIMONY_FIELDS:
        setattr(testimony, name, getattr(row, name))
    if testimony.status != TestimonyStatus.WITHDRAWN:
        testimony.status = row.status
    testimony.full_clean()
    testimony.save()
    row.testimony = testimony
    testimony.places.set(
        _tagged_places(row, testimony, places, redactor_for(testimony))
    )
    testimony.communities.set(row.communities)
    testimony.event_types.set(row.event_types)
    if testimony.status == TestimonyStatus.APPROVED:
        # Before the consent: a withdrawal in the line still has the last word.
        _hold_undecided(testimony, row, result)
    _import_consent(testimony, row, result, actor)
    result.updated += 1


def _tagged_places(row: ImportRow, testimony, places: PlaceResolver, redactor):
    """The line's places, those it names anew created for `testimony`, their
    names through the testimony's redaction (`redactor`): a place is often
    named after a person."""
    return [
        ref.place
        or places.resolve_or_create(
            name=ref.name,
            parent_name=ref.parent_name,
            kind=ref.kind,
            name_ar=ref.name_ar,
            added_for=testimony,
            redact=redactor.redact,
        )
        for ref in row.places
    ]


def _hold_undecided(testimony: Testimony, row: ImportRow, result) -> None:
    """The release gate (services.review.require_decided_words) for a line
    that asks to be approved: while words redaction flagged wait for a
    person's decision, it lands as submitted, in the moderators' queue."""
    count = undecided_words(testimony)
    if not count:
        return
    testimony.status = TestimonyStatus.SUBMITTED
    testimony.save(update_fields=["status", "updated_at"])
    _held_note(testimony, row, result, count)


def _held_note(testimony: Testimony, row: ImportRow, result, count: int) -> None:
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
    are appended, never edited. A line whose external_id belongs to an
    erased testimony is skipped with a note: an import never brings an
    erased testimony back. A line asking to be approved whose text holds
    words flagged for a person's decision lands as submitted, with a note,
    and is listed in `held`. New testimonies are written BATCH at a time
    (see the module's docstring), in the file's order with the others."""
    result = ImportResult()
    declared = [row for row in rows if isinstance(row, IncidentRow)]
    rows = [row for row in rows if not isinstance(row, IncidentRow)]
    incidents = incidents_import(rows=declared, actor_label=source)
    places = PlaceResolver()
    existing = _existing_ids([row.external_id for row in rows if row.external_id])
    batch: list[ImportRow] = []
    batch_ids: set[str] = set()

    def write_batch():
        _import_new(batch, places, result, actor)
        existing.update(batch_ids)
        batch.clear()
        batch_ids.clear()

    for row in rows:
        if row.external_id in existing or row.external_id in batch_ids:
            # The lines before it first: it may update what one of them wrote.
            write_batch()
            _import_update(row, places, result, actor)
            continue
        batch.append(row)
        if row.external_id:
            batch_ids.add(row.external_id)
        if len(batch) == BATCH:
            write_batch()
    write_batch()
    incident_links_import(
        links=[
            (row.testimony, key, role)
            for row in rows
            if row.testimony is not None
            for key, role in row.incidents
        ],
        incidents=incidents,
        actor_label=source,
    )
    audit_record(
        action=AuditAction.IMPORTED,
        actor=actor,
        actor_label=source,
        detail=f"{result.created} created, {result.updated} updated"
        + (f", {result.skipped} skipped (erased)" if result.skipped else "")
        + (f", {len(result.held)} held for review" if result.held else ""),
    )
    return result


def _existing_ids(ids: list[str]) -> set[str]:
    """Those of these external ids that testimonies hold already."""
    found = set()
    for start in range(0, len(ids), BATCH):
        found.update(
            Testimony.objects.filter(
                external_id__in=ids[start : start + BATCH]
            ).values_list("external_id", flat=True)
        )
    return found


def _import_new(
    rows: list[ImportRow], places: PlaceResolver, result: ImportResult, actor
) -> None:
    """Write lines of new testimonies, in a few queries whatever their
    number: new witnesses (or those their witness keys name), their sealed
    identities, the testimonies validated and sealed, their tags (places
    the lines name anew created as _import_update creates them), their
    consent records; the release gate with the identity the line gives
    (just stored: the witness's now). Model signals are not sent by bulk
    inserts: testimonies_written is."""
    if not rows:
        return
    witnesses = _witnesses(rows)
    identity_store_many(
        identities=[
            (witness, _identity_terms(row))
            for row, witness in zip(rows, witnesses, strict=True)
        ]
    )
    testimonies, events = [], []
    for row, witness in zip(rows, witnesses, strict=True):
        testimony = _new_testimony(row, witness)
        if testimony.status == TestimonyStatus.APPROVED:
            texts = redacted_texts(testimony, redactor=_line_redactor(row, testimony))
            if texts.undecided:
                testimony.status = TestimonyStatus.SUBMITTED
                _held_note(testimony, row, result, texts.undecided)
        events += _new_consent(testimony, row, actor)
        testimonies.append(testimony)
    Testimony.objects.bulk_create(testimonies)
    for row, testimony in zip(rows, testimonies, strict=True):
        row.testimony = testimony
    tags = {
        "places": [
            _tagged_places(row, testimony, places, _line_redactor(row, testimony))
            if any(ref.place is None for ref in row.places)
            else [ref.place for ref in row.places]
            for row, testimony in zip(rows, testimonies, strict=True)
        ],
        "communities": [row.communities for row in rows],
        "event_types": [row.event_types for row in rows],
    }
    for name, values in tags.items():
        field = Testimony._meta.get_field(name)
        field.remote_field.through.objects.bulk_create(
            field.remote_field.through(
                **{
                    field.m2m_field_name(): testimony,
                    field.m2m_reverse_field_name(): value,
                }
            )
            for testimony, tagged in zip(testimonies, values, strict=True)
            for value in dict.fromkeys(tagged)
        )
    # In list order: a testimony's withdrawal after its grant, as appended
    # one by one (the latest record is the current consent).
    records = [record for record, _scopes in events]
    ConsentRecord.objects.bulk_create(records)
    if any(record.pk is None for record in records):
        # The audit entries seal each record with its key: a database that
        # does not return them (not SQLite nor PostgreSQL) cannot be used.
        raise RuntimeError("the database did not return the consent records' keys")
    audit_record_many(
        [consent_audit_event(record, scopes=scopes) for record, scopes in events]
    )
    testimonies_written.send(sender=Testimony, pks=[t.pk for t in testimonies])
    result.created += len(testimonies)


def _line_redactor(row: ImportRow, testimony: Testimony):
    """The testimony's redactor with the identity the line gives (stored in
    this batch: the witness's now), without reading it back."""
    terms = RedactionTerms(
        names=(row.witness["name"], *row.witness["name_variants"]),
        contact=row.witness["contact"],
        birth_year=row.witness["birth_year"],
    )
    return redactor_for(testimony, terms=terms)


def _witnesses(rows: list[ImportRow]) -> list[Witness]:
    """Each row's witness, as import's witness_for_key decides it: the one
    holding the row's witness key (existing, or made for its first row),
    else a new witness. New ones are inserted, with keyed pseudonyms."""
    digests = {
        row.witness["witness_key"]: witness_key_digest(row.witness["witness_key"])
        for row in rows
        if row.witness["witness_key"]
    }
    keyed = {
        witness.key_digest: witness
        for witness in Witness.objects.filter(key_digest__in=digests.values())
    }
    witnesses, new = [], []
    for row in rows:
        digest = digests.get(row.witness["witness_key"])
        witness = keyed.get(digest) if digest else None
        if witness is None:
            witness = Witness(key_digest=digest)
            source = pseudonym_source(
                key_digest=digest, external_id=row.external_id, witness_pk=witness.pk
            )
            new.append((witness, source))
            if digest:
                keyed[digest] = witness
        witnesses.append(witness)
    _pseudonyms_assign(new)
    Witness.objects.bulk_create([witness for witness, _source in new])
    return witnesses


def _pseudonyms_assign(new: list[tuple[Witness, str]]) -> None:
    """Witness.save's pseudonyms for witnesses saved together: the first
    derivation is checked for the whole batch in one query; a collision
    (rare) goes through Witness._free_pseudonym."""
    first = {witness.pk: pseudonym_derive(source) for witness, source in new}
    taken = set(
        Witness.objects.filter(pseudonym__in=first.values()).values_list(
            "pseudonym", flat=True
        )
    )
    for witness, source in new:
        candidate = first[witness.pk]
        if candidate in taken:
            candidate = witness._free_pseudonym(source, reserved=taken)
        taken.add(candidate)
        witness.pseudonym = candidate


def _identity_terms(row: ImportRow) -> dict:
    """identity_store's arguments for the row's witness, as the import
    passes them."""
    return {
        "name": row.witness["name"],
        "name_variants": row.witness["name_variants"],
        "contact": row.witness["contact"],
        "birth_year": row.witness["birth_year"],
        "gender": row.witness["gender"],
        "community": row.witness_community,
    }


def _new_testimony(row: ImportRow, witness: Witness) -> Testimony:
    testimony = Testimony(external_id=row.external_id, witness=witness)
    for name in TESTIMONY_FIELDS:
        setattr(testimony, name, getattr(row, name))
    testimony.status = row.status
    return testimony


def _new_consent(testimony: Testimony, row: ImportRow, actor):
    """The consent records a new testimony's line appends, each with the
    scopes to name in its audit entry; marks the testimony withdrawn when
    nothing is left, and validates it and them."""
    obtained_by = row.consent["obtained_by"] or _("import")
    grant = consent_grant_build(
        testimony=testimony,
        scopes=row.consent,
        method=row.consent["method"],
        obtained_by=obtained_by,
        obtained_on=row.consent["obtained_on"],
        embargo_until=row.consent["embargo_until"],
        recorded_by=actor,
        images=row.consent["images"],
    )
    records = [(grant, None)]
    if row.withdrawal:
        withdrawal = consent_withdrawal_build(
            testimony=testimony,
            current=grant,
            scopes=row.withdrawal.scopes,
            reason=row.withdrawal.reason,
            obtained_by=obtained_by,
            on=row.withdrawal.on,
            recorded_by=actor,
        )
        records.append((withdrawal, row.withdrawal.scopes))
        if not any(withdrawal.scopes.values()):
            testimony.status = TestimonyStatus.WITHDRAWN
    # Its unique fields need no query either: external ids were checked for
    # the batch, public ids are random (a clash fails the insert).
    testimony.full_clean(
        exclude=_RELATIONS, validate_unique=False, validate_constraints=False
    )
    testimony.seal()
    for record, _scopes in records:
        record.full_clean(exclude=_RELATIONS)
    return records
