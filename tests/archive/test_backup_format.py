"""The backup file format alone: every way of altering the ciphertext is
caught before any of the payload is trusted."""

import io
import os
import struct

import pytest
from django.test import override_settings

from archive.backup_crypto import (
    CHUNK_BYTES,
    HEADER_BYTES,
    BackupError,
    BackupWriter,
    backup_decrypt,
)
from testimonies.vault.sealing import master_key_generate

PAYLOAD = os.urandom(CHUNK_BYTES * 2 + 12345)  # three chunks


@pytest.fixture
def backup(tmp_path):
    path = tmp_path / "payload.backup"
    with open(path, "wb") as handle:
        writer = BackupWriter(handle)
        writer.write(PAYLOAD)
        writer.close()
    return path


def chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    """The header and each length-prefixed chunk, as stored."""
    header, rest, found = data[:HEADER_BYTES], data[HEADER_BYTES:], []
    while rest:
        (length,) = struct.unpack(">I", rest[:4])
        found.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, found


def decrypt(path) -> bytes:
    out = io.BytesIO()
    backup_decrypt(source=path, destination=out)
    return out.getvalue()


def test_an_intact_backup_decrypts_to_its_payload(backup):
    assert len(chunks(backup.read_bytes())[1]) == 3
    assert decrypt(backup) == PAYLOAD


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda h, c: h + c[1] + c[0] + c[2], id="chunks swapped"),
        pytest.param(lambda h, c: h + c[0] + c[1], id="last chunk dropped"),
        pytest.param(lambda h, c: h + c[0] + c[2], id="middle chunk dropped"),
        pytest.param(lambda h, c: h + c[0] + c[1] + c[2] + c[2], id="chunk repeated"),
        pytest.param(
            lambda h, c: h[:-1] + (b"1" if h.endswith(b"0") else b"0") + b"".join(c),
            id="key id",
        ),
        pytest.param(lambda h, c: b"X" + h[1:] + c[0] + c[1] + c[2], id="magic"),
        pytest.param(lambda h, c: h, id="no chunk"),
    ],
)
def test_an_altered_backup_is_refused(backup, tmp_path, alter):
    header, found = chunks(backup.read_bytes())
    altered = tmp_path / "altered.backup"
    altered.write_bytes(alter(header, found))
    with pytest.raises(BackupError):
        decrypt(altered)


def test_another_master_key_is_named_as_the_cause(backup):
    with override_settings(VAULT_MASTER_KEY=master_key_generate()):
        with pytest.raises(BackupError, match="ARCHIVE_MASTER_KEY"):
            decrypt(backup)


def test_a_backup_made_before_a_rotation_still_opens(backup):
    from django.conf import settings

    with override_settings(
        VAULT_MASTER_KEY=master_key_generate(),
        VAULT_PREVIOUS_MASTER_KEYS=[settings.VAULT_MASTER_KEY],
    ):
        assert decrypt(backup) == PAYLOAD
