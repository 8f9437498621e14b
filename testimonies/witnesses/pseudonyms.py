"""Witnesses' pseudonyms: short, readable, and keyed.

A pseudonym is derived with HMAC-SHA256 under its own secret
(settings.PSEUDONYM_KEY, apart from SECRET_KEY and the vault's master key)
from a stable *source*: the documenter's witness key (as its keyed digest)
when there is one, else the external id of the witness's first testimony,
else the witness's random row key. So the same witness gets the same
pseudonym when a file is imported again, even into a new installation with
the same secret; and without the secret nobody can derive a pseudonym from
a name, a witness key or anything else.
"""

import hashlib
import hmac

from django.conf import settings

# No 0/O, 1/I/L: pseudonyms are read aloud and copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 887 million: collisions stay rare at any archive's size


def pseudonym_derive(source: str, *, attempt: int = 0) -> str:
    """`W-` and six characters of HMAC-SHA256(PSEUDONYM_KEY, source). A
    later attempt (after a collision) derives another, just as stably."""
    message = f"pseudonym:{source}" + (f":{attempt}" if attempt else "")
    digest = hmac.new(
        settings.PSEUDONYM_KEY.encode(), message.encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest, "big")
    characters = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    return "W-" + "".join(characters)


def pseudonym_source(*, key_digest=None, external_id=None, witness_pk=None) -> str:
    if key_digest:
        return f"key:{key_digest}"
    if external_id:
        return f"testimony:{external_id}"
    return f"witness:{witness_pk}"
