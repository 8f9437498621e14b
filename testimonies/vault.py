"""The identity vault: encryption at rest for what identifies a witness.

Each witness has a data key (AES-256-GCM) that encrypts their identity. The
data key is kept *wrapped* (encrypted by the installation's master key) in a
key store apart from the database: a separate SQLite file
(settings.VAULT_KEYSTORE_PATH), never part of a database dump. (A backup
made by `manage.py backup` carries a copy of it, but only inside the backup's
own encryption under a key derived from the master key.) So:

- the database alone (a seized server's disk, a leaked dump) holds only
  ciphertext: without the key store and the master key nothing reads;
- erasing a witness destroys their data key in the key store
  (crypto-shredding): the identity cannot be read again even from a
  database backup taken before the erasure;
- rotating the master key re-wraps every data key (master_key_rotate) while
  both keys are configured, so reading never stops; once done, the old key
  opens nothing.

Only this module decrypts; testimonies.identity, the sealed model
attributes (testimonies/models/sealed.py) and the attachment store
(testimonies/attachment_store.py) call it.
Ciphertexts are bound to their witness and purpose (authenticated
associated data): a sealed value copied onto another witness does not open.
"""

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from contextlib import closing, contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
KEY_BYTES = 32
_schema_ready: set[str] = set()
_schema_lock = threading.Lock()


class VaultError(Exception):
    """A sealed value that cannot be opened: no key (shredded), or tampered."""


def master_key_generate() -> str:
    """A new master key, as the environment variable holds it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _decode_master_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError as error:
        raise ImproperlyConfigured("A vault master key is not base64.") from error
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured("A vault master key must be 32 bytes (base64).")
    return key


def master_key_id(key: bytes) -> str:
    """A fingerprint naming a master key without revealing it."""
    return hashlib.sha256(b"archive-vault-master-key:" + key).hexdigest()[:16]


def _master_keys() -> dict[str, bytes]:
    """Every configured master key by id; the current one first."""
    texts = [settings.VAULT_MASTER_KEY, *settings.VAULT_PREVIOUS_MASTER_KEYS]
    if not texts[0]:
        raise ImproperlyConfigured("The vault master key ARCHIVE_MASTER_KEY is unset.")
    keys = [_decode_master_key(text) for text in texts if text.strip()]
    return {master_key_id(key): key for key in keys}


def _current_master() -> tuple[str, bytes]:
    return next(iter(_master_keys().items()))


# The key store ----------------------------------------------------------


def _keystore() -> sqlite3.Connection:
    path = str(settings.VAULT_KEYSTORE_PATH)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    # Destroyed keys must not linger in free pages of the file.
    connection.execute("PRAGMA secure_delete = ON")
    if path not in _schema_ready:
        with _schema_lock:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS data_key ("
                " witness_id INTEGER PRIMARY KEY,"
                " master_key_id TEXT NOT NULL,"
                " wrapped BLOB NOT NULL)"
            )
            _schema_ready.add(path)
    return connection


def _aad(witness_id: int, purpose: str) -> bytes:
    return f"archive-vault:{purpose}:{witness_id}".encode()


def _wrap(witness_id: int, data_key: bytes) -> tuple[str, bytes]:
    key_id, master = _current_master()
    nonce = os.urandom(NONCE_BYTES)
    wrapped = nonce + AESGCM(master).encrypt(
        nonce, data_key, _aad(witness_id, "data-key")
    )
    return key_id, wrapped


def _unwrap(witness_id: int, key_id: str, wrapped: bytes) -> bytes:
    master = _master_keys().get(key_id)
    if master is None:
        raise VaultError(f"witness {witness_id}: key wrapped by an unknown master key")
    try:
        return AESGCM(master).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad(witness_id, "data-key")
        )
    except Exception as error:  # InvalidTag: altered, or another master key
        raise VaultError(f"witness {witness_id}: its key does not open") from error


def _data_key(witness_id: int, *, create: bool) -> bytes:
    batch = getattr(_batch, "store", None)
    if batch is not None:
        return _data_key_in(batch, witness_id, create=create)
    with closing(_keystore()) as store:
        return _data_key_in(store, witness_id, create=create)


def _data_key_in(store, witness_id: int, *, create: bool) -> bytes:
    query = "SELECT master_key_id, wrapped FROM data_key WHERE witness_id = ?"
    row = store.execute(query, (witness_id,)).fetchone()
    if row is None:
        if not create:
            raise VaultError(f"witness {witness_id}: no data key (erased?)")
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        key_id, wrapped = _wrap(witness_id, data_key)
        store.execute(
            "INSERT OR IGNORE INTO data_key VALUES (?, ?, ?)",
            (witness_id, key_id, wrapped),
        )
        # Another process may have created it first: read back the one kept.
        row = store.execute(query, (witness_id,)).fetchone()
    return _unwrap(witness_id, row[0], row[1])


_batch = threading.local()


@contextmanager
def keystore_batch():
    """Seal many values with one key store transaction (the corpus
    generator, bulk imports): new data keys are committed together instead
    of one commit (one disk sync) each.

    Enter it inside the database transaction that creates the witnesses:
    the keys are then committed before the witnesses are, so a failure in
    between leaves keys nobody uses (master_key_rotate prunes them), never
    a witness without a key. Only sealing and opening use the batch; do not
    destroy keys inside one. Re-entering is a no-op. The batch holds the key
    store's write lock throughout (other processes' first seals wait, up to
    the key store's 30 s timeout): for bulk work, in batches of seconds."""
    if getattr(_batch, "store", None) is not None:
        yield
        return
    store = _keystore()
    store.execute("BEGIN IMMEDIATE")
    _batch.store = store
    try:
        yield
    except BaseException:
        store.execute("ROLLBACK")
        raise
    else:
        store.execute("COMMIT")
    finally:
        _batch.store = None
        store.close()


# Sealing ------------------------------------------------------------------


def vault_seal(*, witness_id: int, purpose: str, payload) -> bytes:
    """Encrypt a JSON-able value with the witness's data key (made on first
    use). `purpose` names what it is ("identity", "narrative"...)."""
    plaintext = json.dumps(payload, ensure_ascii=False).encode()
    return vault_seal_bytes(witness_id=witness_id, purpose=purpose, data=plaintext)


def vault_open(*, witness_id: int, purpose: str, sealed: bytes):
    """The value vault_seal sealed; VaultError when it cannot be opened."""
    return json.loads(
        vault_open_bytes(witness_id=witness_id, purpose=purpose, sealed=sealed)
    )


def vault_seal_bytes(*, witness_id: int, purpose: str, data: bytes) -> bytes:
    """Encrypt raw bytes (an attachment's file, a JSON value) with the
    witness's data key, bound to `purpose` (which value, which file of which
    attachment): erasing the witness destroys the key, and nothing it sealed
    can be read again from any copy."""
    data_key = _data_key(witness_id, create=True)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, data, _aad(witness_id, purpose))


def vault_open_bytes(*, witness_id: int, purpose: str, sealed: bytes) -> bytes:
    """The bytes vault_seal_bytes sealed; VaultError when they cannot be
    opened (key destroyed, value altered, or moved to another purpose)."""
    data_key = _data_key(witness_id, create=False)
    sealed = bytes(sealed)  # the database may hand back a memoryview
    try:
        return AESGCM(data_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(witness_id, purpose)
        )
    except Exception as error:
        raise VaultError(f"witness {witness_id}: {purpose} does not open") from error


def data_key_destroy(*, witness_id: int) -> bool:
    """Crypto-shredding: whatever this witness's key sealed, in the database
    or in any backup of it, can no longer be opened."""
    with closing(_keystore()) as store:
        deleted = store.execute(
            "DELETE FROM data_key WHERE witness_id = ?", (witness_id,)
        ).rowcount
    return bool(deleted)


def master_key_rotate(*, keep_witness_ids=None) -> dict[str, int]:
    """Re-wrap every data key with the current master key, one at a time
    (readers keep working: both keys stay configured until this is done).
    With `keep_witness_ids`, also destroys keys of witnesses that no longer
    exist (left by a transaction that rolled back, or an interrupted erasure)."""
    current_id, _key = _current_master()
    counts = {"rewrapped": 0, "current": 0, "orphans_destroyed": 0}
    with closing(_keystore()) as store:
        rows = store.execute(
            "SELECT witness_id, master_key_id FROM data_key"
        ).fetchall()
        for witness_id, key_id in rows:
            if keep_witness_ids is not None and witness_id not in keep_witness_ids:
                store.execute(
                    "DELETE FROM data_key WHERE witness_id = ?", (witness_id,)
                )
                counts["orphans_destroyed"] += 1
                continue
            if key_id == current_id:
                counts["current"] += 1
                continue
            (wrapped,) = store.execute(
                "SELECT wrapped FROM data_key WHERE witness_id = ?", (witness_id,)
            ).fetchone()
            data_key = _unwrap(witness_id, key_id, wrapped)
            new_id, new_wrapped = _wrap(witness_id, data_key)
            store.execute(
                "UPDATE data_key SET master_key_id = ?, wrapped = ?"
                " WHERE witness_id = ? AND master_key_id = ?",
                (new_id, new_wrapped, witness_id, key_id),
            )
            counts["rewrapped"] += 1
        # Rewritten keys leave their old bytes in freed pages: secure_delete
        # zeroes them, VACUUM rewrites the file without them.
        store.execute("VACUUM")
    return counts


def master_keys_in_use() -> dict[str, int]:
    """How many data keys each master key wraps (by key id)."""
    with closing(_keystore()) as store:
        return dict(
            store.execute(
                "SELECT master_key_id, COUNT(*) FROM data_key GROUP BY master_key_id"
            ).fetchall()
        )


# Backups --------------------------------------------------------------------
# A backup (archive/backup.py) is encrypted under a key derived from the
# master key, and carries a copy of the key store; both are key material, so
# they are handled here.


def backup_key(*, salt: bytes, key_id: str | None = None) -> tuple[str, bytes]:
    """The AES-256 key of one backup: HKDF-SHA256 of a master key and the
    backup's random salt. Without `key_id`, the current master key (to write
    a backup); with it, that configured master key (to read one made before a
    rotation), or VaultError when it is not configured."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if key_id is None:
        key_id, master = _current_master()
    else:
        master = _master_keys().get(key_id)
        if master is None:
            raise VaultError(
                f"made with master key {key_id}, which is not configured here"
            )
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=salt,
        info=b"archive-backup-v1",
    ).derive(master)
    return key_id, derived


def keystore_snapshot(*, destination: Path) -> int:
    """A consistent copy of the key store (wrapped data keys only, useless
    without the master key) through SQLite's online backup API. Returns the
    number of keys copied."""
    with closing(_keystore()) as store, closing(sqlite3.connect(destination)) as copy:
        store.backup(copy)
        (count,) = copy.execute("SELECT COUNT(*) FROM data_key").fetchone()
    return count


def keystore_witness_ids(path: Path | None = None) -> set[int]:
    """Witnesses holding a data key, in the installed key store or in a copy."""
    if path is None:
        path = Path(settings.VAULT_KEYSTORE_PATH)
        if not path.exists():
            return set()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as store:
        tables = store.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_key'"
        ).fetchone()
        if not tables:
            return set()
        return {row[0] for row in store.execute("SELECT witness_id FROM data_key")}


def keystore_prune(*, path: Path, keep_witness_ids: set[int]) -> int:
    """Destroy, in a key store copy, the keys of witnesses not in
    `keep_witness_ids` (made after the database dump of a backup, by a
    transaction that never committed, or erased), then rewrite the file so
    their bytes do not linger. Returns the number destroyed."""
    with closing(sqlite3.connect(path, isolation_level=None)) as store:
        store.execute("PRAGMA secure_delete = ON")
        ids = [row[0] for row in store.execute("SELECT witness_id FROM data_key")]
        doomed = [(i,) for i in ids if i not in keep_witness_ids]
        store.executemany("DELETE FROM data_key WHERE witness_id = ?", doomed)
        store.execute("VACUUM")
    return len(doomed)


def keystore_install(*, source: Path) -> Path:
    """Put a verified key store copy in place of the installation's (which
    must hold no key), atomically. Returns the installed path."""
    target = Path(settings.VAULT_KEYSTORE_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staged)
    os.chmod(staged, 0o600)
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, target)
    _schema_ready.discard(str(target))
    return target
