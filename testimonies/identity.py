"""The only door to a witness's identity.

Nothing else in the code reads or writes WitnessIdentity; the identity vault
(encryption at rest, logged reveal) replaces what is behind these functions
without changing their callers.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from .models import WitnessIdentity


@dataclass(frozen=True)
class Identity:
    name: str
    name_variants: tuple[str, ...]
    contact: str
    birth_year: int | None
    gender: str
    community_id: int | None


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
    """Create or replace the identity behind `witness`."""
    identity = WitnessIdentity.objects.filter(witness=witness).first()
    identity = identity or WitnessIdentity(witness=witness)
    identity.name = name
    identity.name_variants = [v for v in name_variants if v.strip()]
    identity.contact = contact
    identity.birth_year = birth_year
    identity.gender = gender
    identity.community = community
    identity.full_clean(exclude=["witness"])
    identity.save()


def identity_read(*, witness) -> Identity | None:
    """The identity, for the roles and pages allowed to show it."""
    identity = WitnessIdentity.objects.filter(witness=witness).first()
    if identity is None:
        return None
    return Identity(
        name=identity.name,
        name_variants=tuple(identity.name_variants),
        contact=identity.contact,
        birth_year=identity.birth_year,
        gender=identity.gender,
        community_id=identity.community_id,
    )


def identity_erase_if_unused(*, witness) -> bool:
    """Delete the identity behind `witness` when no testimony of theirs is
    left that is not erased, with the key that linked their testimonies.

    Called by services.testimony_erase inside its transaction. The
    pseudonym stays (erased testimonies still point at the witness row)
    but nothing left can tell who the person was, nor group a later
    testimony of theirs with the erased ones. Returns whether it deleted.
    """
    from .models import TestimonyStatus

    if witness.testimonies.exclude(status=TestimonyStatus.ERASED).exists():
        return False
    WitnessIdentity.objects.filter(witness=witness).delete()
    if witness.key_digest is not None:
        witness.key_digest = None
        witness.save(update_fields=["key_digest"])
    return True


def identity_names_for_redaction(witness) -> list[str]:
    """The names to take out of a narrative: the only use of identity that
    feeds what others see, and only ever as something to remove."""
    identity = identity_read(witness=witness)
    return [identity.name, *identity.name_variants] if identity else []


def witness_key_digest(witness_key: str) -> str:
    """A keyed digest of a documenter's witness key: equal keys give equal
    digests, and the key cannot be read back or guessed from it."""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), witness_key.encode(), hashlib.sha256
    ).hexdigest()
