"""Backup -> fresh installation -> restore, and the refusals of damaged backups.

The archive backed up is this test process's (test settings); each
installation restored into is a subprocess under dev settings with its own
ARCHIVE_DATA_DIR and the same master key, as on a new machine.

The whole archive and its backup are made once for the module
(`backed_up`): the tests that restore, damage or read a backup all start
from that file, and the refusals of its damaged copies are tried by one
process (tests/archive/restore_attempts.py), each refusal checked on its own.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from haystack import connections
from PIL import Image

from archive.backup_crypto import HEADER_BYTES, BackupWriter, backup_decrypt
from archive.models import AuditEntry
from testimonies.attachments.media_store import media_folder
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.review import (
    testimony_approve,
    testimony_send_back,
    testimony_submit,
)
from testimonies.models import Testimony
from testimonies.vault.sealing import master_key_generate
from tests import factories
from tests.archive.backup_snapshot import snapshot
from tests.archive.restore_attempts import files_of
from tests.databases import database_emptied
from tests.installation import fresh_environment
from tests.markers import committed_db

pytestmark = committed_db

ROOT = Path(settings.BASE_DIR)
QUERY = "harbour"
USERS = ["documenter", "moderator"]
AUDIT_THEN_SNAPSHOT = f"""
import json
from django.core.management import call_command
from tests.archive.backup_snapshot import snapshot
call_command("verify_audit")
print(json.dumps(snapshot({QUERY!r}, {USERS!r}), default=str))
"""


def installation(folder: Path, *, master_key=None) -> dict:
    """The environment of a fresh installation in `folder`."""
    return fresh_environment(folder, master_key=master_key or settings.VAULT_MASTER_KEY)


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def migrated(folder: Path, migrated_database, **kwargs) -> dict:
    """A fresh installation in `folder`, its database migrated."""
    env = installation(folder, **kwargs)
    migrated_database(folder)
    return env


def noise_image(path: Path, size, fmt):
    """A real image of random pixels (incompressible: the backup spans
    several 1 MiB chunks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, fmt)


def build_archive(documenter, moderator):
    """Testimonies through their whole life: reviewed, sent back, withdrawn,
    erased, each with identities, consent records and audit entries, and
    media (an original and a derived copy) under each one's folder; the
    moderator has a second factor."""
    TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    published = factories.testimony(
        witness_name="Rania Quokkafeather",
        narrative="We hid by the harbour wall in Banias until dawn.",
        status="draft",
        recorded_by=documenter,
    )
    testimony_submit(testimony=published, user=documenter)
    testimony_approve(testimony=published, reviewer=moderator, comment="ok")
    returned = factories.testimony(
        witness_name="Samer Lanternmoss",
        narrative="From the harbour we heard shooting all night.",
        status="draft",
        recorded_by=documenter,
    )
    testimony_submit(testimony=returned, user=documenter)
    testimony_send_back(testimony=returned, reviewer=moderator, comment="dates?")
    withdrawn = factories.testimony(
        witness_name="Huda Overtide",
        narrative="The harbour road was closed by armed men.",
    )
    consent_withdraw(
        testimony=withdrawn,
        scopes=["public"],
        reason="asked by phone",
        obtained_by="documenter",
        on=datetime.date(2025, 5, 2),
        recorded_by=documenter,
    )
    factories.testimony(witness_name="Erased Person", status="erased")
    for testimony in (published, returned, withdrawn):
        folder = media_folder(testimony)
        noise_image(folder / "original.png", (700, 600), "PNG")
        noise_image(folder / "derived" / "preview.jpg", (200, 150), "JPEG")
    return published, returned, withdrawn


def written_backup(tmp_path) -> Path:
    path = tmp_path / "archive.backup"
    call_command("backup", str(path), stdout=open(os.devnull, "w"))
    return path


@dataclass(frozen=True)
class BackedUp:
    path: Path  # the backup file (read only: tests damage copies of it)
    published: str  # the public id of the one published testimony
    snapshot: dict  # what a restore of it must bring back


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory) -> BackedUp:
    """The archive of `build_archive`, committed, snapshotted and backed up
    once for the module; then the database, index and media it wrote are
    emptied again, as a test whose writes commit leaves them. Building it
    (incompressible images over several chunks) and writing the backup cost
    about a second, which each test that needs a backup used to pay."""
    folder = tmp_path_factory.mktemp("backed-up")
    with django_db_blocker.unblock():
        media = []
        try:
            documenter, moderator = (
                factories.UserFactory(username=role) for role in USERS
            )
            for user, role in zip((documenter, moderator), USERS, strict=True):
                user.groups.add(Group.objects.get(name=role))
            testimonies = build_archive(documenter, moderator)
            media = [media_folder(testimony) for testimony in testimonies]
            before = json.loads(json.dumps(snapshot(QUERY, USERS), default=str))
            path = written_backup(folder)
        finally:
            database_emptied()
            connections["default"].get_backend().clear()
            for testimony_media in media:
                shutil.rmtree(testimony_media, ignore_errors=True)
    return BackedUp(path=path, published=testimonies[0].public_id, snapshot=before)


@pytest.mark.slow
def test_restore_into_a_fresh_installation_brings_back_everything(
    tmp_path, backed_up, migrated_database
):
    before = backed_up.snapshot
    # The archive is what it should be, so an equal restore means something.
    assert before["search"]["anonymous"] == [backed_up.published]
    assert len(before["search"]["moderator"]) >= 2
    named = [identity["name"] for identity in before["identities"].values() if identity]
    assert "Rania Quokkafeather" in named and len(named) >= 3
    assert "Erased Person" not in named
    assert before["audit_check"][2] == ""
    assert len([p for p in before["media"] if p.startswith("testimonies/")]) >= 6

    env = migrated(tmp_path / "fresh", migrated_database)
    result = manage(env, "restore", str(backed_up.path))
    assert result.returncode == 0, result.stderr
    assert "The audit chain holds" in result.stdout

    # The audit check as an operator runs it, then the snapshot, read from
    # disk by a process of their own (one Django start-up for both): a
    # broken chain ends it with the command's error.
    after = manage(env, "shell", "-v", "0", "-c", AUDIT_THEN_SNAPSHOT)
    assert after.returncode == 0, after.stderr
    audit_report, snapshot_json = after.stdout.strip().splitlines()[-2:]
    assert audit_report.startswith("The audit chain holds")
    assert json.loads(snapshot_json) == before


def test_the_backup_holds_no_secret_of_the_installation(backed_up):
    data = backed_up.path.read_bytes()
    for secret in (
        settings.VAULT_MASTER_KEY,
        settings.SECRET_KEY,
        settings.PSEUDONYM_KEY,
        "Quokkafeather",
        "harbour",
    ):
        assert secret.encode() not in data


def test_an_existing_file_is_kept_unless_forced(tmp_path, documenter):
    factories.testimony()
    path = tmp_path / "archive.backup"
    path.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"an older backup"
    call_command("backup", str(path), "--force", stdout=open(os.devnull, "w"))
    assert path.read_bytes() != b"an older backup"


def test_restore_into_an_installation_holding_data_is_refused(tmp_path, documenter):
    factories.testimony()
    path = written_backup(tmp_path)
    entries = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path))
    assert Testimony.objects.count() == 1
    assert AuditEntry.objects.count() == entries


@pytest.fixture(scope="module")
def empty_installation(tmp_path_factory, migrated_database):
    folder = tmp_path_factory.mktemp("empty")
    return folder, migrated(folder, migrated_database)


# Where a backup's copy is damaged (`damaged`).
DAMAGES = [
    "header",
    "first chunk",
    "middle",
    "last chunk",
    "truncated",
    "last chunk cut off",
    "appended",
]
# The copy that passes every check and fails during the load (`rewritten`).
LOAD_FAILURE = "a row that fails to load"


def damaged(path: Path, where: str, folder: Path) -> Path:
    data = bytearray(path.read_bytes())
    if where == "truncated":
        data = data[: len(data) // 2]
    elif where == "last chunk cut off":
        data = data[: len(data) - 40]
    elif where == "appended":
        data += b"\0" * 64
    else:
        offset = {
            "header": 12,
            "first chunk": HEADER_BYTES + 100,
            "middle": len(data) // 2,
            "last chunk": len(data) - 5,
        }[where]
        data[offset] ^= 0x01
    copy = folder / f"damaged-{where.replace(' ', '-')}"
    copy.write_bytes(bytes(data))
    return copy


def rewritten(path: Path, change, copy: Path) -> Path:
    """The backup with `change` applied to its rows, re-sealed with the right
    key and a manifest that matches, as `copy`: a backup that passes every
    check before the load and fails during it."""
    payload = io.BytesIO()
    backup_decrypt(source=path, destination=payload)
    payload.seek(0)
    members = {}
    with tarfile.open(fileobj=payload, mode="r:gz") as tar:
        for member in tar:
            members[member.name] = tar.extractfile(member).read()
    rows = json.loads(members["database.json"])
    members["database.json"] = json.dumps(change(rows)).encode()
    manifest = json.loads(members.pop("manifest.json"))
    manifest["members"]["database.json"] = {
        "size": len(members["database.json"]),
        "sha256": hashlib.sha256(members["database.json"]).hexdigest(),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    with open(copy, "wb") as handle:
        writer = BackupWriter(handle)
        with tarfile.open(fileobj=writer, mode="w|gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        writer.close()
    return copy


def ghost_actor(rows):
    """The last audit entry names a user the backup does not hold."""
    entry = [row for row in rows if row["model"] == "archive.auditentry"][-1]
    entry["fields"]["actor"] = ["nobody-of-this-name"]
    return rows


@pytest.fixture(scope="module")
def refusals(backed_up, empty_installation, tmp_path_factory):
    """Every refused restore of the module, tried on the empty installation
    by one process (tests/archive/restore_attempts.py), in turn: the
    installation's files before it started, and each copy's answer (exit
    status, output, the installation's files right after it) by name. The
    copy that fails during the load goes last, so that whatever it might
    leave behind cannot make another copy's refusal pass."""
    copies = tmp_path_factory.mktemp("refused")
    backups = {where: damaged(backed_up.path, where, copies) for where in DAMAGES}
    backups[LOAD_FAILURE] = rewritten(
        backed_up.path, ghost_actor, copies / "rewritten.backup"
    )
    folder, env = empty_installation
    files = files_of(folder)
    attempts = subprocess.run(
        [sys.executable, "-m", "tests.archive.restore_attempts"]
        + [str(path) for path in backups.values()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert attempts.returncode == 0, attempts.stderr
    answers = json.loads(attempts.stdout)
    return files, {name: answers[str(path)] for name, path in backups.items()}


@pytest.mark.parametrize("where", DAMAGES)
@pytest.mark.slow
def test_a_damaged_backup_is_refused_and_changes_nothing(refusals, where):
    files, answers = refusals
    result = answers[where]
    assert result["returncode"] != 0
    assert "Restore refused" in result["stderr"]
    assert "damaged" in result["stderr"] or "truncated" in result["stderr"]
    assert result["files"] == files
    assert not result["media"]


@pytest.mark.slow
def test_a_backup_under_another_master_key_is_refused(
    tmp_path, backed_up, migrated_database
):
    folder = tmp_path / "other"
    env = migrated(folder, migrated_database, master_key=master_key_generate())
    files = files_of(folder)
    result = manage(env, "restore", str(backed_up.path))
    assert result.returncode != 0
    assert "ARCHIVE_MASTER_KEY" in result.stderr
    assert files_of(folder) == files


@pytest.mark.slow
def test_a_failure_during_the_load_rolls_everything_back(refusals):
    files, answers = refusals
    result = answers[LOAD_FAILURE]
    assert result["returncode"] != 0
    assert "could not be loaded, so nothing was restored" in result["stderr"]
    assert result["files"] == files
    assert not result["media"]
    assert "Traceback" not in result["stderr"]
