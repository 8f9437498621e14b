"""Writing a backup: the database, the key store and the media in one
encrypted file (format: archive/backup_crypto.py; restoring: archive/restore.py).

The payload is a tar holding
    database.json     every row of the archive's own tables, users, groups
                      and second-factor devices, primary keys kept (the audit
                      chain's order and digests depend on them)
    keystore.sqlite3  the vault's wrapped data keys (nothing opens without
                      the master key, which is never in a backup)
    media/...         every file under MEDIA_ROOT
    manifest.json     (last) format, time, versions, migrations, row counts,
                      and the size and SHA-256 of every other member
Left out: sessions, login-attempt records, permissions and content types
(rebuilt by `migrate`), the search index (rebuilt after a restore: the
PostgreSQL engine's table of documents and its change marks are that index)
and the index changes still pending for it, password-reset links (useless
after their two hours), and every secret from the environment.

Order: the database is dumped in one read transaction, then the key store is
copied. A witness created in between has a key in the copy but no row in the
dump: restore destroys such orphan keys, so it is harmless. The other order
would be harmful: a witness created between a key store copy and a later dump
would come back with a sealed identity and no key to open it.
"""

import datetime
import hashlib
import json
import os
import platform
import tarfile
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from archive.backup_crypto import BackupError, BackupWriter
from testimonies.vault import sealing as vault

MANIFEST_FORMAT = 1
# Whole apps, and single models, never in a backup (see the module docstring).
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {
    "auth.permission",
    "search.pendingindexchange",
    "search.searchdocument",
    "search.searchdocumentchange",
    "archive.passwordresetlink",
}
_CHUNK = 1024 * 1024


@dataclass
class BackupReport:
    path: Path
    sha256: str
    counts: dict[str, int]
    keys: int
    media_files: int
    skipped_links: list[str] = field(default_factory=list)


def backed_up_models() -> list:
    """The models a backup holds, parents before the rows pointing at them."""
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]
    by_app: dict = {}
    for model in chosen:
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(by_app.items(), allow_cycles=True)


class _ExactEncoder(json.JSONEncoder):
    """JSON keeping datetimes to the microsecond: Django's own encoder cuts
    them to milliseconds, which would break every audit entry's digest."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        if isinstance(o, Decimal | UUID):
            return str(o)
        return super().default(o)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations(using=DEFAULT_DB_ALIAS) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _read_snapshot(using):
    """A transaction in which every query sees the same moment."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    atomic = transaction.atomic(using=using)
    atomic.__enter__()
    if connection.vendor == "postgresql" and outermost:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    # SQLite: the project opens transactions IMMEDIATE, so writers wait.
    return atomic


def _dump_database(destination: Path, using) -> tuple[dict[str, int], list]:
    counts: dict[str, int] = {}
    atomic = _read_snapshot(using)
    try:
        with open(destination, "w", encoding="utf-8") as handle:
            handle.write("[")
            first = True
            for model in backed_up_models():
                rows = model._base_manager.using(using).order_by("pk")
                counts[model._meta.label_lower] = 0
                for row in rows.iterator(chunk_size=500):
                    (item,) = serializers.serialize(
                        "python", [row], use_natural_foreign_keys=True
                    )
                    handle.write(
                        ("" if first else ",\n")
                        + json.dumps(item, cls=_ExactEncoder, ensure_ascii=False)
                    )
                    first = False
                    counts[model._meta.label_lower] += 1
            handle.write("]\n")
        migrations = applied_migrations(using)
    finally:
        atomic.__exit__(None, None, None)
    return counts, migrations


def _media_files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular files under MEDIA_ROOT; symbolic links are reported, never
    followed (what they point to is not the archive's)."""
    files, links = [], []
    if not root.is_dir():
        return files, links
    for folder, dirs, names in os.walk(root, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if path.is_symlink():
                links.append(path.relative_to(root).as_posix())
            elif path.is_file():
                files.append(path)
    return sorted(files), links


class _HashingReader:
    def __init__(self, handle):
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self._handle.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    """Add one file; its size and SHA-256 as read into the tar (a file
    changing meanwhile is recorded as it went in)."""
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mode = 0o600
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def backup_create(*, path: Path, force: bool = False, using=DEFAULT_DB_ALIAS):
    """Write one encrypted backup to `path` (via a temporary file renamed at
    the end, so a failed backup never leaves a partial file under that
    name). Refuses to replace an existing file unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists; choose another name or pass --force.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=path.parent) as scratch:
        scratch = Path(scratch)
        os.chmod(scratch, 0o700)
        database = scratch / "database.json"
        counts, migrations = _dump_database(database, using)
        keystore = scratch / "keystore.sqlite3"
        keys = vault.keystore_snapshot(destination=keystore)
        media, links = _media_files(media_root)

        members = {"database.json": database, "keystore.sqlite3": keystore}
        for file in media:
            members["media/" + file.relative_to(media_root).as_posix()] = file
        partial = scratch / "backup.partial"
        with open(partial, "wb") as handle:
            writer = BackupWriter(handle)
            with tarfile.open(fileobj=writer, mode="w|gz") as tar:
                listed = {name: _add(tar, file, name) for name, file in members.items()}
                manifest = {
                    "format": MANIFEST_FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "versions": {
                        "django": django.get_version(),
                        "python": platform.python_version(),
                        "database": connections[using].vendor,
                    },
                    "migrations": migrations,
                    "counts": counts,
                    "keys": keys,
                    "members": listed,
                }
                manifest_path = scratch / "manifest.json"
                manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
                # Last: restore reads the whole payload before trusting any of it.
                _add(tar, manifest_path, "manifest.json")
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    return BackupReport(
        path=path,
        sha256=sha256_file(path),
        counts=counts,
        keys=keys,
        media_files=len(media),
        skipped_links=links,
    )
