"""Restoring a backup (archive/backup.py) into an empty installation.

Everything is checked before anything is written: every chunk of the file
decrypts and authenticates (archive/backup_crypto.py), every member of the
payload is one the format allows and matches its size and SHA-256 in the
manifest, nothing is missing or added, the backup's migrations are all
applied here and the installation holds no data. Only then are the rows
loaded, in one transaction, and the key store and the media put in place
(copied to temporary names, then renamed); a failure during the load rolls
the transaction back and removes the files placed. Last, the search index
is rebuilt from the restored database.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from archive.audit_check import ChainReport, audit_verify
from archive.backup import MANIFEST_FORMAT, applied_migrations, backed_up_models
from archive.backup_crypto import BackupError, backup_decrypt
from testimonies.vault import sealing as vault

# Rows that `migrate` creates in every installation (the role groups, the
# vocabularies): replaced by the backup's own rows, with their primary keys.
REPLACED_MODELS = {"auth.group", "testimonies.community", "testimonies.eventtype"}
FIXED_MEMBERS = {"manifest.json", "database.json", "keystore.sqlite3"}
_CHUNK = 1024 * 1024


@dataclass
class RestoreReport:
    counts: dict[str, int]
    keys: int
    orphan_keys_destroyed: int
    media_files: int
    audit: ChainReport


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if name in FIXED_MEMBERS:
        return path
    if (
        path.is_absolute()
        or len(path.parts) < 2
        or path.parts[0] != "media"
        or any(part in ("", ".", "..") for part in path.parts)
    ):
        raise BackupError(f"The backup holds an unexpected member {name!r}.")
    return path


def _extract(payload: Path, into: Path) -> dict[str, dict]:
    """Unpack regular files only, each to a path checked above; returns the
    size and SHA-256 of each as written."""
    found: dict[str, dict] = {}
    try:
        with tarfile.open(payload, mode="r:gz") as tar:
            for member in tar:
                path = _member_path(member.name)
                if not member.isfile():
                    raise BackupError(f"The backup member {member.name!r} is no file.")
                if member.name in found:
                    raise BackupError(f"The backup holds {member.name!r} twice.")
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with open(target, "wb") as handle:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
                found[member.name] = {
                    "size": target.stat().st_size,
                    "sha256": digest.hexdigest(),
                }
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"The backup's contents cannot be read: {error}") from error
    return found


def _check_manifest(found: dict[str, dict], into: Path) -> dict:
    if "manifest.json" not in found:
        raise BackupError("The backup has no manifest.")
    try:
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError("The backup's manifest is not readable.") from error
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"Unknown manifest format {manifest.get('format')!r}.")
    listed = manifest.get("members", {})
    present = {name: facts for name, facts in found.items() if name != "manifest.json"}
    for name in sorted(set(listed) | set(present)):
        if name not in present:
            raise BackupError(f"The backup lacks {name!r}, listed in its manifest.")
        if name not in listed:
            raise BackupError(f"The backup holds {name!r}, absent from its manifest.")
        if present[name] != listed[name]:
            raise BackupError(f"{name!r} does not match its SHA-256 in the manifest.")
    for name in ("database.json", "keystore.sqlite3"):
        if name not in present:
            raise BackupError(f"The backup lacks {name!r}.")
    return manifest


def backup_verify(*, path: Path, scratch: Path) -> dict:
    """Decrypt and check a whole backup into `scratch`; its manifest, or
    BackupError. Writes nothing outside `scratch`."""
    payload = scratch / "payload.tar.gz"
    with open(payload, "wb") as handle:
        backup_decrypt(source=Path(path), destination=handle)
    contents = scratch / "contents"
    contents.mkdir()
    found = _extract(payload, contents)
    payload.unlink()
    return _check_manifest(found, contents)


def installation_problems(*, manifest: dict, using=DEFAULT_DB_ALIAS) -> list[str]:
    """What this installation holds that keeps it from receiving the backup
    (nothing: it may). BackupError when its schema does not fit the backup."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            "The database is not fully migrated: run `manage.py migrate` first."
        )
    here = {tuple(pair) for pair in applied_migrations(using)}
    newer = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in here]
    if newer:
        raise BackupError(
            "The backup was made by a newer version of the archive (migrations "
            f"{', '.join(newer[:5])} are unknown here): update the code first."
        )
    problems = []
    for model in backed_up_models():
        label = model._meta.label_lower
        if label in REPLACED_MODELS:
            continue
        count = model._base_manager.using(using).count()
        if count:
            problems.append(f"the database already holds {count} {label} rows")
    if vault.keystore_witness_ids():
        problems.append(f"the key store {settings.VAULT_KEYSTORE_PATH} holds keys")
    media_root = Path(settings.MEDIA_ROOT)
    held = media_root.rglob("*") if media_root.exists() else []
    if any(p.is_file() or p.is_symlink() for p in held):
        problems.append(f"{media_root} holds files")
    return problems


def _load_rows(database: Path, manifest: dict, using) -> set[int]:
    for label in REPLACED_MODELS:
        apps.get_model(label)._base_manager.using(using).all().delete()
    data = json.loads(database.read_text(encoding="utf-8"))
    deferred = []
    for item in serializers.deserialize(
        "python", data, using=using, handle_forward_references=True
    ):
        item.save(using=using)
        if item.deferred_fields:
            deferred.append(item)
    for item in deferred:
        item.save_deferred_fields(using=using)
    connection = connections[using]
    models = backed_up_models()
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    for model in models:
        label = model._meta.label_lower
        count = model._base_manager.using(using).count()
        if count != manifest["counts"].get(label, 0):
            raise BackupError(
                f"After loading, {label} has {count} rows, the manifest "
                f"{manifest['counts'].get(label, 0)}."
            )
    witness = apps.get_model("testimonies", "witness")
    return set(witness._base_manager.using(using).values_list("pk", flat=True))


def _place_media(staged: Path, media_root: Path) -> list[Path]:
    """Move the staged media into MEDIA_ROOT (same filesystem: renames);
    returns what was placed, for removal should the restore fail."""
    placed: list[Path] = []
    media_root.mkdir(parents=True, exist_ok=True)
    if not staged.is_dir():
        return placed
    for entry in sorted(staged.iterdir()):
        target = media_root / entry.name
        if target.exists():
            shutil.rmtree(target)  # an empty folder: checked to hold no file
        os.replace(entry, target)
        placed.append(target)
    return placed


def backup_restore(*, path: Path, using=DEFAULT_DB_ALIAS) -> RestoreReport:
    """Restore the backup at `path` into this empty installation; BackupError
    (installation untouched) when the backup or the installation is not fit."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    keystore = Path(settings.VAULT_KEYSTORE_PATH)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as tmp:
        scratch = Path(tmp)
        os.chmod(scratch, 0o700)
        manifest = backup_verify(path=path, scratch=scratch)
        contents = scratch / "contents"
        placed: list[Path] = []
        keystore_installed = False
        try:
            with transaction.atomic(using=using):
                # Checked inside the transaction (SQLite: a write lock from
                # its start) so nothing is written between check and load.
                problems = installation_problems(manifest=manifest, using=using)
                if problems:
                    raise BackupError(
                        "This installation is not empty, so nothing was "
                        "restored: " + "; ".join(problems) + "."
                    )
                witness_ids = _load_rows(contents / "database.json", manifest, using)
                staged_keys = contents / "keystore.sqlite3"
                orphans = vault.keystore_prune(
                    path=staged_keys, keep_witness_ids=witness_ids
                )
                keys = len(vault.keystore_witness_ids(staged_keys))
                vault.keystore_install(source=staged_keys)
                keystore_installed = True
                placed = _place_media(contents / "media", media_root)
        except BaseException as error:
            for target in placed:
                shutil.rmtree(target, ignore_errors=True)
            if keystore_installed:
                keystore.unlink(missing_ok=True)
            if isinstance(error, BackupError) or not isinstance(error, Exception):
                raise
            raise BackupError(
                f"The backup's contents could not be loaded, so nothing was "
                f"restored: {error}"
            ) from error
    call_command("rebuild_index", interactive=False, verbosity=0)
    media_count = sum(1 for name in manifest["members"] if name.startswith("media/"))
    return RestoreReport(
        counts=manifest["counts"],
        keys=keys,
        orphan_keys_destroyed=orphans,
        media_files=media_count,
        audit=audit_verify(),
    )
