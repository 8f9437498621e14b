"""The only door to a witness's identity.

Nothing else in the code reads or writes WitnessIdentity. The identity is
stored sealed by the vault (testimonies/vault.py) under the witness's own
data key; these functions seal and open it, and erasing destroys the key.
"""

import hashlib
import hmac
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from testimonies.models import Gender, TestimonyStatus, WitnessIdentity
from testimonies.vault import sealing as vault

IDENTITY = "identity"


@dataclass(frozen=True)
class Identity:
    # Left out of repr(): an error report that prints local variables (the
    # debug page, a mailed 500) must not print who the witness is.
    name: str = field(repr=False)
    name_variants: tuple[str, ...] = field(repr=False)
    contact: str = field(repr=False)
    birth_year: int | None = field(repr=False)
    gender: str = field(repr=False)
    community_id: int | None = field(repr=False)


def identity_store(
    *,
    witness,
    name: str,
    name_variants: list[str] | tuple[str, ...] = (),
    contact: str = "",
    birth_year: int | None = None,
    gender: str = "unknown",
    community=None,
) -> None:
    """Create or replace the identity behind `witness`, sealed."""
    sealed = _identity_seal(
        witness=witness,
        name=name,
        name_variants=name_variants,
        contact=contact,
        birth_year=birth_year,
        gender=gender,
        community=community,
    )
    WitnessIdentity.objects.update_or_create(
        witness=witness, defaults={"sealed": sealed}
    )


def identity_store_many(*, identities: list[tuple]) -> None:
    """identity_store for many witnesses at once: `identities` holds
    (witness, identity_store's other keyword arguments) pairs; a witness
    given twice keeps the last. Two queries and one insert whatever the
    number (bulk writers: the corpus generator)."""
    sealed = {
        witness.pk: (witness, _identity_seal(witness=witness, **terms))
        for witness, terms in identities
    }
    existing = list(WitnessIdentity.objects.filter(witness_id__in=sealed))
    now = timezone.now()  # bulk_update does not fill auto_now fields
    for row in existing:
        row.sealed, row.updated_at = sealed.pop(row.witness_id)[1], now
    WitnessIdentity.objects.bulk_update(existing, ["sealed", "updated_at"])
    WitnessIdentity.objects.bulk_create(
        WitnessIdentity(witness=witness, sealed=value)
        for witness, value in sealed.values()
    )


def _identity_seal(
    *,
    witness,
    name: str,
    name_variants: list[str] | tuple[str, ...] = (),
    contact: str = "",
    birth_year: int | None = None,
    gender: str = "unknown",
    community=None,
) -> bytes:
    """The identity checked and sealed under the witness's key."""
    identity = Identity(
        name=name.strip(),
        name_variants=tuple(v.strip() for v in name_variants if v.strip()),
        contact=contact.strip(),
        birth_year=birth_year,
        gender=gender,
        community_id=community.pk if community is not None else None,
    )
    # Only a witness who declined to give one has no name (Witness.name_declined).
    if not identity.name and not witness.name_declined:
        raise ValidationError(_("A witness needs a name."), code="name_missing")
    if witness.name_declined and (identity.name or identity.name_variants):
        raise ValidationError(
            _("A witness who declined to give a name has none stored."),
            code="name_declined",
        )
    if identity.gender not in Gender.values:
        raise ValidationError(_("Unknown gender."), code="gender_unknown")
    payload = {**asdict(identity), "name_variants": list(identity.name_variants)}
    return vault.vault_seal(witness_id=witness.pk, purpose=IDENTITY, payload=payload)


# identity_read's default: read the sealed row from the database now.
READ_NOW = object()


def identity_rows(witness_ids) -> dict:
    """{witness id: sealed identity row} of these witnesses, in one query:
    for a batch of search documents, read at the same moment as the
    testimonies themselves (never kept beyond the batch)."""
    rows = WitnessIdentity.objects.filter(witness_id__in=set(witness_ids))
    return {row.witness_id: row for row in rows}


def identity_read(*, witness, row=READ_NOW) -> Identity | None:
    """The identity, for the roles and pages allowed to show it (and for
    redaction, which only ever removes it). None when there is none, or
    when its key was destroyed. `row`: the witness's sealed row as
    identity_rows read it (None: none), else it is read now."""
    if row is READ_NOW:
        row = WitnessIdentity.objects.filter(witness=witness).first()
    if row is None:
        return None
    try:
        payload = vault.vault_open(
            witness_id=witness.pk, purpose=IDENTITY, sealed=row.sealed
        )
    except vault.VaultError:
        return None
    payload["name_variants"] = tuple(payload["name_variants"])
    return Identity(**payload)


def identities_read(witness_ids) -> dict:
    """{witness id: Identity, or None} for these witnesses: identity_read
    for each, the sealed rows read in one query. For the pages allowed to
    use them, as identity_read."""
    ids = set(witness_ids)
    rows = WitnessIdentity.objects.filter(witness_id__in=ids).select_related("witness")
    identities = dict.fromkeys(ids)
    for row in rows:
        identities[row.witness_id] = identity_read(witness=row.witness, row=row)
    return identities


def identity_communities(witness_ids) -> dict[int, int | None]:
    """{witness id: the pk of the community the witness gave, or None} for
    these witnesses (no identity, or one that no longer opens, is None).
    Only for the counts of docs/incidents.md ("witnesses from more than one
    community"), which decide what may be said of them: the names, contact
    and birth year opened with them go no further than this function."""
    return {
        witness_id: identity.community_id if identity else None
        for witness_id, identity in identities_read(witness_ids).items()
    }


def identity_exists(*, witness) -> bool:
    """Is an identity kept for `witness`? Opens nothing."""
    return WitnessIdentity.objects.filter(witness=witness).exists()


def identity_erase_if_unused(*, witness) -> bool:
    """Delete the identity behind `witness` when no testimony of theirs is
    left that is not erased, with the key that linked their testimonies.

    Called by services.testimony_erase inside its transaction. The
    pseudonym stays (erased testimonies still point at the witness row)
    but nothing left can tell who the person was, nor group a later
    testimony of theirs with the erased ones. The witness's data key is
    destroyed, so the identity stays unreadable in any database backup
    taken before (crypto-shredding). Returns whether it deleted.
    """
    if witness.testimonies.exclude(status=TestimonyStatus.ERASED).exists():
        return False
    WitnessIdentity.objects.filter(witness=witness).delete()
    # The key goes once the erasure has committed: destroyed earlier, a
    # rolled-back erasure would leave an identity nobody can read.
    witness_id = witness.pk
    transaction.on_commit(lambda: vault.data_key_destroy(witness_id=witness_id))
    if witness.key_digest is not None:
        witness.key_digest = None
        witness.save(update_fields=["key_digest"])
    return True


def identity_names_for_redaction(witness, *, row=READ_NOW) -> list[str]:
    """The names to take out of a narrative: the only use of identity that
    feeds what others see, and only ever as something to remove."""
    identity = identity_read(witness=witness, row=row)
    return [identity.name, *identity.name_variants] if identity else []


@dataclass(frozen=True)
class RedactionTerms:
    """What redaction takes out of a witness's texts: the names, the
    contact and the birth year (never shown, only removed)."""

    names: tuple[str, ...] = field(default=(), repr=False)
    contact: str = field(default="", repr=False)
    birth_year: int | None = field(default=None, repr=False)


def identity_redaction_terms(witness, *, row=READ_NOW) -> RedactionTerms:
    """identity_names_for_redaction, with the contact and birth year that
    redaction also takes out of the text (empty when no identity is kept)."""
    identity = identity_read(witness=witness, row=row)
    if identity is None:
        return RedactionTerms()
    return RedactionTerms(
        # A witness who declined to give a name has none to take out.
        names=tuple(
            name for name in (identity.name, *identity.name_variants) if name.strip()
        ),
        contact=identity.contact,
        birth_year=identity.birth_year,
    )


def witness_key_digest(witness_key: str) -> str:
    """A keyed digest of a documenter's witness key: equal keys give equal
    digests, and the key cannot be read back or guessed from it."""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), witness_key.encode(), hashlib.sha256
    ).hexdigest()
