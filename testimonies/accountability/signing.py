"""The archive's signing key (Ed25519): it signs the tag manifests of every
accountability package, so that a recipient can tell that the package came
from this archive and was not changed after it left.

Kept like the vault's master key: from the environment in production
(ARCHIVE_SIGNING_KEY, the 32-byte private key in URL-safe base64), made once
into a git-ignored file under dev settings, fixed under test settings. Only
the public key is ever shown (the key page, and a copy in each package);
its fingerprint is the SHA-256 of the raw 32-byte public key, in hex.
"""

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


class SigningKeyMissing(ImproperlyConfigured):
    """No signing key is configured: no package can be made."""


def signing_key_generate() -> str:
    """A new private key, as ARCHIVE_SIGNING_KEY holds it."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.Raw,
        format=serialization.PrivateFormat.Raw,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return base64.urlsafe_b64encode(raw).decode()


def _private_key() -> Ed25519PrivateKey:
    text = (settings.ARCHIVE_SIGNING_KEY or "").strip()
    if not text:
        raise SigningKeyMissing(
            "The archive's signing key ARCHIVE_SIGNING_KEY is unset: no "
            "accountability package can be signed."
        )
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except ValueError as error:
        raise ImproperlyConfigured("ARCHIVE_SIGNING_KEY is not base64.") from error
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured("ARCHIVE_SIGNING_KEY must be 32 bytes (base64).")
    return Ed25519PrivateKey.from_private_bytes(raw)


def signing_configured() -> bool:
    return bool((settings.ARCHIVE_SIGNING_KEY or "").strip())


def public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), which `openssl pkey
    -pubin` and every Ed25519 library read."""
    key = key or public_key()
    return key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode("ascii")


def fingerprint(key: Ed25519PublicKey | None = None) -> str:
    """SHA-256 of the raw 32-byte public key, in hex."""
    key = key or public_key()
    raw = key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()


def fingerprint_grouped(value: str) -> str:
    """A fingerprint in groups of four, to read aloud over a telephone."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def sign(data: bytes) -> bytes:
    """The raw 64-byte Ed25519 signature of `data`."""
    return _private_key().sign(data)


def public_key_load(pem: bytes) -> Ed25519PublicKey:
    """A public key from PEM; ValueError when it is not an Ed25519 key."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def signature_valid(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
