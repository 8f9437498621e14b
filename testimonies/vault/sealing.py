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
- data keys are written in the same unit of work as the rows they open
  (keys_unit_of_work); keys left by an interrupted one are collected by
  `manage.py vault_gc` (testimonies.vault.keystore);
- rotating the master key re-wraps every data key (master_key_rotate) while
  both keys are configured, so reading never stops; once done, the old key
  opens nothing.

Only this module decrypts; testimonies.vault.identity, the sealed model
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


def _keystore(*, shared: bool = False) -> sqlite3.Connection:
    """A new connection to the key store, for writes and maintenance (the
    caller closes it); data keys are read through _keystore_read, which
    keeps one (`shared`: used from any thread, under its lock)."""
    path = str(settings.VAULT_KEYSTORE_PATH)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=30, isolation_level=None, check_same_thread=not shared
    )
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


class _KeptReader:
    """The key store connection this process reads data keys with, kept
    open: opening one (and creating the schema) cost more than the
    decryption itself, on every sealed value a page opens.

    Nothing read through it is kept: each data key is looked up again, so a
    key destroyed by an erasure (in any process) is gone at the next read.
    It is opened again when the settings name another file, when the file
    was replaced (a restore installs a copy: keystore_install) or removed,
    and in a forked child (a connection must not cross a fork)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._kept = None  # (path, pid, file identity, connection)

    @staticmethod
    def _identity(path: str):
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return None
        return (stat.st_dev, stat.st_ino)

    def row(self, query: str, parameters: tuple):
        path = str(settings.VAULT_KEYSTORE_PATH)
        with self._lock:
            kept = self._kept
            identity = self._identity(path)
            if (
                kept is None
                or kept[0] != path
                or kept[1] != os.getpid()
                or identity is None
                or kept[2] != identity
            ):
                if kept is not None and kept[1] == os.getpid():
                    kept[3].close()
                connection = _keystore(shared=True)
                kept = (path, os.getpid(), self._identity(path), connection)
                self._kept = kept
            # Read to the end: a statement left mid-way would hold a read
            # lock that keeps writers (an erasure's) waiting.
            rows = kept[3].execute(query, parameters).fetchall()
            return rows[0] if rows else None


_keystore_read = _KeptReader()


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
    unit = getattr(_unit, "keys", None)
    if unit is not None and witness_id in unit:
        return unit[witness_id]
    query = "SELECT master_key_id, wrapped FROM data_key WHERE witness_id = ?"
    row = _keystore_read.row(query, (witness_id,))
    if row is not None:
        return _unwrap(witness_id, row[0], row[1])
    if not create:
        raise VaultError(f"witness {witness_id}: no data key (erased?)")
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    if unit is not None:
        # Written with the others when the unit of work ends.
        unit[witness_id] = data_key
        return data_key
    with closing(_keystore()) as store:
        _keys_write(store, {witness_id: data_key})
        # Another process may have created it first: use the one kept.
        row = store.execute(query, (witness_id,)).fetchone()
    return _unwrap(witness_id, row[0], row[1])


def _keys_write(store, keys: dict[int, bytes]) -> None:
    """Wrap and insert new data keys in one key store transaction."""
    _key_writing_announce()
    store.execute("BEGIN IMMEDIATE")
    try:
        for witness_id, data_key in keys.items():
            key_id, wrapped = _wrap(witness_id, data_key)
            store.execute(
                "INSERT OR IGNORE INTO data_key VALUES (?, ?, ?)",
                (witness_id, key_id, wrapped),
            )
    except BaseException:
        store.execute("ROLLBACK")
        raise
    store.execute("COMMIT")


# Any constant: the advisory lock that PostgreSQL transactions writing data
# keys share, and that collecting unreferenced keys takes alone.
_POSTGRES_KEYS_LOCK = 0x7661756C


def _key_writing_announce() -> None:
    """Before writing data keys from inside a database transaction: make
    keys_collection_lock wait for this transaction to end, so that keys
    whose rows are not committed yet are never taken for unreferenced ones.
    SQLite needs nothing more: the transaction writing the rows holds the
    database's write lock (immediate transactions), as collecting does."""
    from django.db import connection

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s)", [_POSTGRES_KEYS_LOCK]
            )


def keys_collection_lock() -> None:
    """Inside a database transaction, before reading which witnesses exist
    to destroy the keys of the others: wait until no transaction that may
    have written data keys is still open, and keep any from writing more
    until this one ends. On SQLite the immediate transaction this runs in
    holds the database's write lock, which every such transaction holds."""
    from django.db import connection

    if not connection.in_atomic_block:
        raise RuntimeError("keys_collection_lock needs a database transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_KEYS_LOCK])
    elif connection.vendor == "sqlite":
        mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
        if mode != "IMMEDIATE":
            raise ImproperlyConfigured("SQLite needs immediate transactions here.")


_unit = threading.local()


@contextmanager
def keys_unit_of_work():
    """A database transaction whose new data keys are written with it.

    New data keys are kept in memory while the transaction runs (sealing
    and opening use them), then written to the key store in one key store
    transaction as the last step before the database commits. A failure or
    a kill before that leaves no key behind, and keys are never committed
    after the rows they open (a witness without its key could never be
    read). A kill in the instant between the two commits, or an enclosing
    transaction rolled back afterwards, leaves keys nobody uses:
    `manage.py vault_gc` reports and removes those. A decorator, or a
    `with` block, around every write that creates witnesses; inside another
    unit it joins that one."""
    from django.db import transaction

    if getattr(_unit, "keys", None) is not None:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        _unit.keys = {}
        try:
            yield
            keys, _unit.keys = _unit.keys, None
            if keys:
                with closing(_keystore()) as store:
                    _keys_write(store, keys)
        finally:
            _unit.keys = None


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
    return bool(data_keys_destroy(witness_ids=[witness_id]))


def data_keys_destroy(*, witness_ids) -> int:
    """data_key_destroy for many witnesses in one key store transaction;
    returns how many keys were destroyed."""
    with closing(_keystore()) as store:
        store.execute("BEGIN IMMEDIATE")
        deleted = sum(
            store.execute(
                "DELETE FROM data_key WHERE witness_id = ?", (witness_id,)
            ).rowcount
            for witness_id in witness_ids
        )
        store.execute("COMMIT")
    return deleted


def master_key_rotate() -> dict[str, int]:
    """Re-wrap every data key with the current master key, one at a time
    (readers keep working: both keys stay configured until this is done).
    Keys nobody uses are collected apart (vault_gc), under the lock that
    keeps a concurrent import's keys safe."""
    current_id, _key = _current_master()
    counts = {"rewrapped": 0, "current": 0}
    with closing(_keystore()) as store:
        rows = store.execute(
            "SELECT witness_id, master_key_id FROM data_key"
        ).fetchall()
        for witness_id, key_id in rows:
            if key_id == current_id:
                counts["current"] += 1
                continue
            row = store.execute(
                "SELECT wrapped FROM data_key WHERE witness_id = ?", (witness_id,)
            ).fetchone()
            if row is None:
                continue  # destroyed meanwhile (an erasure)
            data_key = _unwrap(witness_id, key_id, row[0])
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


def keystore_vacuum() -> None:
    """Rewrite the key store's file without the pages freed by destroyed
    keys (secure_delete zeroed them already)."""
    with closing(_keystore()) as store:
        store.execute("VACUUM")


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
