"""Recording a testimony step by step: a draft exists from the first step
and every step's save writes it to the server.

The witness's identity goes to the vault through testimonies.vault.identity and
the witness is chosen by its key exactly as an import chooses it
(imports.witness_for_key). Consent is captured by consent.consent_capture
and submission is review.testimony_submit: one way each, whatever the door.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from testimonies.models import (
    Community,
    EventType,
    Place,
    PlaceKind,
    Testimony,
    TestimonyStatus,
    Witness,
)
from testimonies.places.gazetteer import PlaceResolver
from testimonies.redaction.redactor import redactor_for
from testimonies.vault import sealing as vault
from testimonies.vault.identity import (
    identity_erase_if_unused,
    identity_read,
    identity_store,
)
from testimonies.witnesses.services import witness_for_key_of


@dataclass(frozen=True)
class WitnessDetails:
    """What the first step asks. A blank name keeps the identity saved
    before (it is never shown back, so it cannot be edited in part)."""

    name: str = ""
    # The witness declined to give a name: none is stored (name and its
    # spellings empty), and they are known by their pseudonym only.
    name_declined: bool = False
    name_variants: tuple[str, ...] = ()
    contact: str = ""
    birth_year: int | None = None
    gender: str = "unknown"
    community: Community | None = None
    witness_key: str = ""

    def __repr__(self):
        # An error report printing local variables must not print who it is.
        return "WitnessDetails(…)"


@dataclass(frozen=True)
class NewNeighbourhood:
    """A neighbourhood to add to the gazetteer under a chosen town."""

    name: str
    name_ar: str
    parent: Place


def _editable(testimony: Testimony) -> Testimony:
    """The testimony locked for the save; refused unless it is a draft or
    sent back (the views ask testimonies.policy who may save it)."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not testimony.is_editable:
        raise ValidationError(
            _("Only a draft or a testimony sent back can be changed."),
            code="not_editable",
        )
    return testimony


def _store_identity(witness: Witness, details: WitnessDetails) -> None:
    declined = details.name_declined
    if witness.name_declined != declined:
        witness.name_declined = declined
        witness.save(update_fields=["name_declined"])
    identity_store(
        witness=witness,
        name="" if declined else details.name,
        name_variants=() if declined else details.name_variants,
        contact=details.contact,
        birth_year=details.birth_year,
        gender=details.gender,
        community=details.community,
    )


def _witness_by_key(*, details: WitnessDetails, current: Witness | None, user):
    """The witness the key gives this user's draft (witness_keys): a key
    naming another documenter's witness gets the same answer as a new key,
    and a conflict for moderators, never an error that says it exists."""
    return witness_for_key_of(
        witness_key=details.witness_key, current=current, user=user
    )


def _leave_witness(witness: Witness) -> None:
    """A witness left with no testimony after a draft moved to another: its
    identity and data key go (identity_erase_if_unused), then the row."""
    identity_erase_if_unused(witness=witness)
    if not witness.testimonies.exists():
        witness.delete()


@vault.keys_unit_of_work()
def recording_start(
    *, details: WitnessDetails, user, language: str, recorded_on=None
) -> Testimony:
    """Create the draft with its witness, from the first step. The identity
    is sealed in the vault; the witness is known by its pseudonym only."""
    if not details.name.strip() and not details.name_declined:
        raise ValidationError(
            {
                "name": ValidationError(
                    _("A witness needs a name, or to have declined to give one."),
                    code="required",
                )
            }
        )
    witness = _witness_by_key(details=details, current=None, user=user)
    _store_identity(witness, details)
    testimony = Testimony(
        witness=witness,
        language=language,
        narrative="",
        recorded_on=recorded_on or timezone.localdate(),
        recorded_by=user,
        status=TestimonyStatus.DRAFT,
    )
    testimony.full_clean()
    testimony.save()
    return testimony


@vault.keys_unit_of_work()
def recording_witness_save(
    *, testimony: Testimony, details: WitnessDetails, user
) -> Witness:
    """Save the first step again on an existing draft. A witness key that
    belongs to another witness moves the draft to that witness (an earlier
    testimony of the same person), only while it was never reviewed; the
    identity entered replaces the one kept, or is carried over when the
    witness changes and none is entered. Returns the witness."""
    testimony = _editable(testimony)
    current = testimony.witness
    witness = (
        _witness_by_key(details=details, current=current, user=user)
        if details.witness_key
        else current
    )
    if witness.pk != current.pk:
        # Attachments are sealed under the current witness's key, which the
        # move destroys: moving them would lose the photos.
        if (
            testimony.status != TestimonyStatus.DRAFT
            or testimony.reviews.exists()
            or testimony.attachments.exists()
        ):
            raise ValidationError(
                {
                    "witness_key": ValidationError(
                        _(
                            "A testimony already reviewed, or with files "
                            "attached, stays with its witness; ask a moderator."
                        ),
                        code="witness_fixed",
                    )
                }
            )
        if not details.name.strip():
            kept = identity_read(witness=current)
            if kept is not None and identity_read(witness=witness) is None:
                # A witness who declined to give a name still has none.
                witness.name_declined = current.name_declined
                witness.save(update_fields=["name_declined"])
                identity_store(
                    witness=witness,
                    name=kept.name,
                    name_variants=kept.name_variants,
                    contact=kept.contact,
                    birth_year=kept.birth_year,
                    gender=kept.gender,
                    community=Community.objects.filter(pk=kept.community_id).first(),
                )
        # Saving re-seals the account under the new witness's data key.
        testimony.witness = witness
        testimony.full_clean()
        testimony.save()
        _leave_witness(current)
    if details.name.strip() or details.name_declined:
        _store_identity(witness, details)
    return witness


@transaction.atomic
def recording_account_save(
    *,
    testimony: Testimony,
    language: str,
    recorded_on: datetime.date | None,
    narrative: str,
    translations: dict[str, str],
    summary: str,
) -> Testimony:
    """Save the account: its language, when it was recorded, the narrative
    as told, translations (by language code) and the documenter's summary.
    A draft may be saved before the narrative is written."""
    testimony = _editable(testimony)
    testimony.language = language
    if recorded_on:
        testimony.recorded_on = recorded_on
    testimony.narrative = narrative.strip()
    testimony.translations = {
        code: text.strip() for code, text in translations.items() if text.strip()
    }
    testimony.summary = summary.strip()
    testimony.full_clean()
    testimony.save()
    return testimony


@transaction.atomic
def recording_when_where_save(
    *,
    testimony: Testimony,
    incident_start: datetime.date | None,
    incident_end: datetime.date | None,
    incident_precision: str,
    places: list[Place],
    neighbourhood: NewNeighbourhood | None = None,
) -> Testimony:
    """Save when the incident happened (dates as precise as they are known)
    and where: places of the gazetteer, and optionally a neighbourhood added
    under one of them (as the import format allows)."""
    testimony = _editable(testimony)
    testimony.incident_start = incident_start
    testimony.incident_end = incident_end or incident_start
    testimony.incident_precision = incident_precision
    testimony.full_clean()
    testimony.save()
    tagged = list(dict.fromkeys(places))
    if neighbourhood is not None:
        tagged.append(
            PlaceResolver().resolve_or_create(
                name=neighbourhood.name,
                name_ar=neighbourhood.name_ar,
                parent=neighbourhood.parent,
                kind=PlaceKind.NEIGHBOURHOOD,
                added_for=testimony,
                redact=redactor_for(testimony).redact,
            )
        )
    testimony.places.set(tagged)
    return testimony


@transaction.atomic
def recording_what_save(
    *,
    testimony: Testimony,
    event_types: list[EventType],
    communities: list[Community],
    persons_named: list[str | list[str]],
) -> Testimony:
    """Save what happened: event types, communities concerned and the other
    persons the account names (each a name or a list of its spellings),
    whose names redaction takes out of what others read."""
    testimony = _editable(testimony)
    testimony.persons_named = persons_named
    testimony.full_clean()
    testimony.save()
    testimony.event_types.set(event_types)
    testimony.communities.set(communities)
    return testimony
