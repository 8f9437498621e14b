"""The backup file format: a header, then the payload in AES-256-GCM chunks.

    header  = MAGIC (8 bytes) | format version (1) | salt (32)
              | master key id (16 ASCII hex)
    chunk   = length of the ciphertext (4, big-endian) | ciphertext + tag

The key is derived from the master key and the salt (testimonies.vault.sealing.
backup_key), so every backup has its own key and the nonces can simply count:
a chunk's nonce is its index (8 bytes) and a final-chunk flag. The header is
the associated data of every chunk. So a flipped byte anywhere (header,
length, ciphertext, tag), chunks swapped, dropped or added, a file cut off
after any chunk, or bytes appended after the last: each makes a tag fail, and
the reader refuses the file. The master key id (a fingerprint, revealing
nothing) lets the reader say "wrong master key" rather than "corrupted".
"""

import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from testimonies.vault import sealing as vault

MAGIC = b"ARCHBKP\x00"
FORMAT_VERSION = 1
SALT_BYTES = 32
KEY_ID_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES + KEY_ID_BYTES
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
_LENGTH = struct.Struct(">I")


class BackupError(Exception):
    """A backup that cannot be written or read; the message says why."""


def _nonce(index: int, *, final: bool) -> bytes:
    return struct.pack(">QxxxB", index, 1 if final else 0)


class BackupWriter:
    """A binary file-like object encrypting what is written to it into
    `handle` (open for writing). close() writes the final chunk."""

    def __init__(self, handle):
        salt = os.urandom(SALT_BYTES)
        key_id, key = vault.backup_key(salt=salt)
        self._header = MAGIC + bytes([FORMAT_VERSION]) + salt + key_id.encode()
        self._aead = AESGCM(key)
        self._handle = handle
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        handle.write(self._header)

    def writable(self):
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def flush(self):
        self._handle.flush()

    def close(self):
        if not self._closed:
            # The last chunk (possibly empty) carries the final flag.
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True

    def _emit(self, plaintext: bytes, *, final: bool):
        nonce = _nonce(self._index, final=final)
        sealed = self._aead.encrypt(nonce, plaintext, self._header)
        self._handle.write(_LENGTH.pack(len(sealed)) + sealed)
        self._index += 1


def _read_header(handle) -> tuple[bytes, str, bytes]:
    header = handle.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise BackupError("This is not a backup of this archive (unknown header).")
    version = header[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise BackupError(f"Backup format version {version} is not supported here.")
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT_BYTES]
    try:
        key_id = header[-KEY_ID_BYTES:].decode("ascii")
    except UnicodeDecodeError as error:
        raise BackupError("The backup's header is damaged.") from error
    return header, key_id, salt


def backup_decrypt(*, source: Path, destination) -> int:
    """Decrypt the backup at `source` into the binary file `destination`,
    checking every chunk. Raises BackupError, having possibly written part
    of the payload: callers write to a scratch file they discard on error.
    Returns the payload's size."""
    size = 0
    with open(source, "rb") as handle:
        header, key_id, salt = _read_header(handle)
        try:
            _key_id, key = vault.backup_key(salt=salt, key_id=key_id)
        except vault.VaultError as error:
            raise BackupError(
                f"This backup was {error}: set ARCHIVE_MASTER_KEY to the master "
                "key of the installation that made it (or the header is damaged)."
            ) from error
        aead = AESGCM(key)
        index = 0
        prefix = handle.read(_LENGTH.size)
        while True:
            if len(prefix) < _LENGTH.size:
                raise BackupError(
                    f"The backup is truncated or damaged (chunk {index} is missing "
                    "or cut short)."
                )
            (length,) = _LENGTH.unpack(prefix)
            if length < TAG_BYTES or length > CHUNK_BYTES + TAG_BYTES:
                raise BackupError(f"The backup is damaged (chunk {index}'s length).")
            sealed = handle.read(length)
            if len(sealed) < length:
                raise BackupError(
                    f"The backup is truncated (chunk {index} is cut short)."
                )
            prefix = handle.read(_LENGTH.size)
            final = prefix == b""
            try:
                plaintext = aead.decrypt(_nonce(index, final=final), sealed, header)
            except InvalidTag as error:
                raise BackupError(
                    f"The backup is damaged or truncated: chunk {index} fails its "
                    "integrity check (or it was made with another master key)."
                ) from error
            destination.write(plaintext)
            size += len(plaintext)
            index += 1
            if final:
                return size
