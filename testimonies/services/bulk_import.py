"""Importing many new testimonies at once: the import service's writes,
batched (the corpus generator; generate_corpus writes 100,000).

testimonies_import writes a line at a time, about sixteen queries each, and
seals each consent record in the audit chain in its own append. For lines
whose testimonies do not exist yet the same rows can be written a batch at a
time: the same witnesses (keyed pseudonyms, grouped by witness key), the same
identities sealed by the vault, the same testimonies sealed and validated,
the same consent records, appended in the same order and sealed in the
audit chain in one append. Updates, erased testimonies and places to create
stay with testimonies_import.
"""

from django.utils.translation import gettext as _

from archive.audit import audit_record_many
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import (
    consent_audit_event,
    consent_grant_build,
    consent_withdrawal_build,
)
from testimonies.imports.reader import ImportRow
from testimonies.imports.services import TESTIMONY_FIELDS, ImportResult
from testimonies.models import ConsentRecord, Testimony, TestimonyStatus, Witness
from testimonies.redaction.redactor import redacted_texts, redactor_for
from testimonies.vault import sealing as vault
from testimonies.vault.identity import (
    RedactionTerms,
    identity_store_many,
    witness_key_digest,
)
from testimonies.witnesses.pseudonyms import pseudonym_derive, pseudonym_source

# Checked by construction (the import's checks, and the witness and
# consent rows made here): validating them again would cost a query each.
_RELATIONS = ["witness", "recorded_by", "testimony"]
# Testimonies.places etc. through which the tags are inserted.
_TAGS = {
    "places": lambda row: [ref.place for ref in row.places],
    "communities": lambda row: row.communities,
    "event_types": lambda row: row.event_types,
}


@vault.keys_unit_of_work()
def testimonies_import_new(
    *, rows: list[ImportRow], actor=None, source=""
) -> ImportResult:
    """Write checked rows of testimonies that do not exist yet, as
    testimonies_import would, in a few queries a batch. ValueError when a
    line's external_id exists already or a place is to be created.

    Its new data keys are written in one key store transaction as it
    commits (vault.keys_unit_of_work). Bulk inserts send no model signals:
    the search index does not follow (the corpus generator rebuilds it
    after; any other caller must index what it created)."""
    _refuse_existing(rows)
    witnesses = _witnesses(rows)
    identity_store_many(
        identities=[
            (witness, _identity_terms(row))
            for row, witness in zip(rows, witnesses, strict=True)
        ]
    )
    testimonies, records, events, held = [], [], [], []
    for row, witness in zip(rows, witnesses, strict=True):
        testimony = _testimony(row, witness)
        if testimony.status == TestimonyStatus.APPROVED:
            # The release gate, as testimonies_import holds it, with the
            # identity the line gives (just stored: the witness's now).
            terms = RedactionTerms(
                names=(row.witness["name"], *row.witness["name_variants"]),
                contact=row.witness["contact"],
                birth_year=row.witness["birth_year"],
            )
            texts = redacted_texts(
                testimony, redactor=redactor_for(testimony, terms=terms)
            )
            if texts.undecided:
                testimony.status = TestimonyStatus.SUBMITTED
                held.append((row.line, testimony.public_id))
        for record, scopes in _consent(testimony, row, actor):
            records.append(record)
            events.append((record, scopes))
        testimonies.append(testimony)
    Testimony.objects.bulk_create(testimonies)
    for name, values in _TAGS.items():
        field = Testimony._meta.get_field(name)
        field.remote_field.through.objects.bulk_create(
            field.remote_field.through(
                **{
                    field.m2m_field_name(): testimony,
                    field.m2m_reverse_field_name(): value,
                }
            )
            for row, testimony in zip(rows, testimonies, strict=True)
            for value in dict.fromkeys(values(row))
        )
    # In list order: a testimony's withdrawal after its grant, as appended
    # one by one (the latest record is the current consent).
    ConsentRecord.objects.bulk_create(records)
    if any(record.pk is None for record in records):
        # The audit entries seal each record with its key: a database that
        # does not return them (not SQLite nor PostgreSQL) cannot be used.
        raise RuntimeError("the database did not return the consent records' keys")
    result = ImportResult(created=len(testimonies), held=held)
    audit_record_many(
        [consent_audit_event(record, scopes=scopes) for record, scopes in events]
        + [
            {
                "action": AuditAction.IMPORTED,
                "actor": actor,
                "actor_label": source,
                "detail": f"{result.created} created, 0 updated"
                + (f", {len(held)} held for review" if held else ""),
            }
        ]
    )
    return result


def _refuse_existing(rows: list[ImportRow]) -> None:
    ids = [row.external_id for row in rows if row.external_id]
    if len(set(ids)) != len(ids):
        raise ValueError("an external_id is given twice")
    if Testimony.objects.filter(external_id__in=ids).exists():
        raise ValueError("a testimony exists already: use testimonies_import")
    if any(ref.place is None for row in rows for ref in row.places):
        raise ValueError("a place is to be created: use testimonies_import")


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


def _testimony(row: ImportRow, witness: Witness) -> Testimony:
    testimony = Testimony(external_id=row.external_id, witness=witness)
    for name in TESTIMONY_FIELDS:
        setattr(testimony, name, getattr(row, name))
    testimony.status = row.status
    return testimony


def _consent(testimony: Testimony, row: ImportRow, actor):
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
