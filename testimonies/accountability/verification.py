"""Checking an accountability package (`manage.py verify_package`): the bag,
the signature, the audit entries' digests, and the originals against their
custody; the first thing that fails is named.

The same checks a recipient can make without this software
(docs/accountability-package.md): `bagit` for the bag, `openssl` or any
Ed25519 library for the signature.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from django.utils.translation import gettext as _

from archive.audit import entry_digest
from archive.models import AuditEntry
from testimonies.accountability import signing
from testimonies.accountability.services import (
    PUBLIC_KEY_FILE,
    SIGNATURE_SUFFIX,
    SIGNED_FILES,
    package_digest,
)


@dataclass
class Verification:
    ok: bool
    failure: str = ""  # the first thing that failed, in words
    failed_file: str = ""  # the file it concerns, relative to the bag
    checked: list[str] = field(default_factory=list)  # what passed, in order
    digest: str = ""


def _failed(result: Verification, message: str, file: str = "") -> Verification:
    result.ok, result.failure, result.failed_file = False, message, file
    return result


def _bag_failure(error: bagit.BagValidationError) -> tuple[str, str]:
    """The first file bagit found wrong, and what was wrong with it."""
    for detail in error.details or []:
        path = getattr(detail, "path", "")
        if isinstance(detail, bagit.ChecksumMismatch):
            return (
                _("%(file)s does not match its %(algorithm)s digest in the manifest.")
                % {"file": path, "algorithm": detail.algorithm},
                path,
            )
        if isinstance(detail, bagit.FileMissing):
            return _("%(file)s is listed but missing.") % {"file": path}, path
        if isinstance(detail, bagit.UnexpectedFile):
            return _("%(file)s is in no manifest.") % {"file": path}, path
    return str(error), ""


def _check_bag(path: Path, result: Verification) -> bool:
    try:
        bag = bagit.Bag(str(path))
        bag.validate(fast=False)
    except bagit.BagValidationError as error:
        message, file = _bag_failure(error)
        _failed(result, message, file)
        return False
    except bagit.BagError as error:
        _failed(result, _("Not a valid bag: %(error)s") % {"error": error})
        return False
    missing = set(SIGNED_FILES) - {Path(name).name for name in bag.tagmanifest_files()}
    if missing:
        name = sorted(missing)[0]
        _failed(result, _("%(file)s is missing.") % {"file": name}, name)
        return False
    result.checked.append(_("bag: every file matches its SHA-256 and SHA-512 digests"))
    return True


def _check_signatures(path: Path, key, result: Verification) -> bool:
    for name in SIGNED_FILES:
        signature_file = path / (name + SIGNATURE_SUFFIX)
        if not signature_file.is_file():
            _failed(
                result,
                _("%(file)s is missing.") % {"file": signature_file.name},
                signature_file.name,
            )
            return False
        if not signing.signature_valid(
            key, signature_file.read_bytes(), (path / name).read_bytes()
        ):
            _failed(
                result,
                _(
                    "%(file)s is not the archive's signature of %(signed)s: "
                    "one of the two was changed."
                )
                % {"file": signature_file.name, "signed": name},
                signature_file.name,
            )
            return False
    result.checked.append(
        _("signature: the tag manifests are signed by the key %(fingerprint)s")
        % {"fingerprint": signing.fingerprint(key)}
    )
    return True


def _check_tag_files(path: Path, result: Verification) -> bool:
    """Each tag file (bagit.txt, bag-info.txt, the manifests, the README,
    the key) against the signed tag manifests, before bagit reads them: a
    changed bagit.txt would otherwise stop bagit before it says which file
    is wrong."""
    for name in SIGNED_FILES:
        algorithm = name.removeprefix("tagmanifest-").removesuffix(".txt")
        for line in (path / name).read_text("utf-8").splitlines():
            expected, _sep, file = line.strip().partition(" ")
            file = file.strip()
            target = path / file
            if not target.is_file():
                return _failed(
                    result, _("%(file)s is listed but missing.") % {"file": file}, file
                ).ok
            if hashlib.new(algorithm, target.read_bytes()).hexdigest() != expected:
                return _failed(
                    result,
                    _(
                        "%(file)s does not match its %(algorithm)s digest in "
                        "%(manifest)s."
                    )
                    % {"file": file, "algorithm": algorithm, "manifest": name},
                    file,
                ).ok
    return True


def _check_enclosed_key(path: Path, key, result: Verification) -> bool:
    """The copy of the public key inside the package is the key checked
    against (a recipient compares its fingerprint with the published one)."""
    enclosed = path / PUBLIC_KEY_FILE
    if not enclosed.is_file() or enclosed.read_text("ascii").strip() != (
        signing.public_key_pem(key).strip()
    ):
        return _failed(
            result,
            _("%(file)s is not the key this package is checked against.")
            % {"file": PUBLIC_KEY_FILE},
            PUBLIC_KEY_FILE,
        ).ok
    return True


def _entry(record: dict) -> AuditEntry:
    return AuditEntry(
        actor_id=record["actor"],
        actor_label=record["actor_label"],
        action=record["action"],
        target=record["target"],
        detail=record["detail"],
        at=datetime.datetime.fromisoformat(record["at"]),
        subject_type=record["subject_type"],
        subject_id=record["subject_id"],
        subject_digest=record["subject_digest"],
        previous_digest=record["previous_digest"],
    )


def _check_audit(path: Path, result: Verification) -> bool:
    name = "data/audit/entries.jsonl"
    lines = (path / name).read_text("utf-8").splitlines()
    records = [(name, n, json.loads(line)) for n, line in enumerate(lines, 1)]
    for file, number, record in records:
        if entry_digest(_entry(record)) != record["digest"]:
            _failed(
                result,
                _(
                    "Audit entry %(id)s (%(file)s, line %(line)d) does not "
                    "match its digest."
                )
                % {"id": record["id"], "file": file, "line": number},
                file,
            )
            return False
    result.checked.append(
        _("audit: %(count)d entries match their digests") % {"count": len(lines)}
    )
    return True


def _check_originals(path: Path, result: Verification) -> bool:
    """Each original against the SHA-256 its testimony and custody record."""
    for record_file in sorted((path / "data" / "testimonies").glob("*/testimony.json")):
        record = json.loads(record_file.read_text("utf-8"))
        for attachment in record["attachments"]:
            if not attachment["file"]:
                continue
            file = record_file.parent / attachment["file"]
            relative = str(file.relative_to(path))
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            if digest != attachment["sha256"]:
                _failed(
                    result,
                    _("%(file)s is not the original received (SHA-256 differs).")
                    % {"file": relative},
                    relative,
                )
                return False
    result.checked.append(_("attachments: every original matches its custody digest"))
    return True


def package_verify(path: Path, *, public_key_pem: bytes | None = None) -> Verification:
    """Check the package at `path`: the bag (every file against both
    manifests), the signatures of the tag manifests (with `public_key_pem`,
    else this archive's own key: never the copy inside the package, which
    whoever changed the package could have replaced), the audit entries'
    digests and the originals' digests. Stops at the first failure."""
    path = Path(path)
    result = Verification(ok=True)
    if not (path / "bagit.txt").is_file():
        return _failed(result, _("%(path)s is not a bag.") % {"path": path})
    key = (
        signing.public_key_load(public_key_pem)
        if public_key_pem is not None
        else signing.public_key()
    )
    # The signatures first: they cover the tag manifests, which no manifest
    # covers (a changed tag manifest would otherwise be reported as the file
    # whose digest it lists).
    if not (
        _check_signatures(path, key, result)
        and _check_tag_files(path, result)
        and _check_bag(path, result)
        and _check_enclosed_key(path, key, result)
        and _check_audit(path, result)
        and _check_originals(path, result)
    ):
        return result
    result.digest = package_digest(path)
    return result
