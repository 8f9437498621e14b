"""Making an accountability package: a BagIt bag (RFC 8493) made with the
`bagit` library, SHA-256 and SHA-512 manifests, its tag manifests signed
with the archive's Ed25519 key, and the export written to the audit chain
(who, for whom, which testimonies, the package's digest).

The layout is in docs/accountability-package.md. The bag is built in a
hidden folder beside its destination and moved into place only when it is
complete and signed: an error or a killed process leaves no half-made
package under the name asked for.
"""

import datetime
import hashlib
import json
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import bagit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from archive.audit import audit_record, entry_content
from testimonies.accountability import signing
from testimonies.accountability.selectors import (
    LEFT_OUT_REASONS,
    PackagedIncident,
    PackagedTestimony,
    PackageIncidentRefused,
    PackageSelection,
    audit_chain_head,
    package_audit_entries,
    package_incident,
    package_selection,
)
from testimonies.audit_actions import AuditAction

CHECKSUMS = ("sha256", "sha512")
SIGNED_FILES = tuple(f"tagmanifest-{alg}.txt" for alg in CHECKSUMS)
SIGNATURE_SUFFIX = ".sig"
PUBLIC_KEY_FILE = "archive-public-key.pem"
README_FILE = "README.txt"
# The record of the incident a package was made for, under data/.
INCIDENT_FILE = "incident.json"
PACKAGE_FORMAT = "eyewitness-archive-accountability-package"
PACKAGE_FORMAT_VERSION = 1
# Audit entries whose detail is words a person typed (the reason given to
# see an identity): they may name the witness, so they travel only to a
# recipient who may be given the identity.
FREE_TEXT_ACTIONS = {AuditAction.READ_IDENTITY.value}


# bagit changes the process's working directory while it bags (os.chdir):
# two packages made at once by two threads of one process would bag in each
# other's folder. Everything else here uses absolute paths.
_BAGGING = threading.Lock()


class PackageRefused(ValidationError):
    """Nothing may go to this recipient, or the destination is taken."""


@dataclass(frozen=True)
class PackageResult:
    path: Path
    package_id: str
    digest: str  # SHA-256 of tagmanifest-sha256.txt, which covers everything
    selection: PackageSelection


def package_digest(bag_path: Path) -> str:
    """The package's digest: the SHA-256 of its SHA-256 tag manifest, which
    holds the digest of every tag file and of the payload manifests (and so
    of every payload file)."""
    return hashlib.sha256(
        (bag_path / "tagmanifest-sha256.txt").read_bytes()
    ).hexdigest()


def _json(value) -> bytes:
    return (
        json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str)
        + "\n"
    ).encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _in_both(text) -> dict:
    out = {}
    for language in ("en", "ar"):
        with translation.override(language):
            out[language] = str(text)
    return out


def _place(place) -> dict:
    return {
        "slug": place.slug,
        "kind": place.kind,
        "name_en": place.name,
        "name_ar": place.name_ar,
        "path": place.path,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def _vocabulary(item) -> dict:
    return {"slug": item.slug, "name_en": item.name, "name_ar": item.name_ar}


def _consent_json(record, *, words_allowed: bool) -> dict:
    """A consent record. Its reason is words a person typed (why a witness
    withdrew), which may name someone: only where the original wording may
    go to this body."""
    return {
        "id": record.pk,
        "event": record.event,
        "scopes": record.scopes,
        "images_shown": record.images,
        "method": record.method,
        "obtained_by": record.obtained_by,
        "obtained_on": record.obtained_on.isoformat(),
        "embargo_until": record.embargo_until and record.embargo_until.isoformat(),
        "reason": record.reason if words_allowed else "",
        "reason_withheld": bool(record.reason) and not words_allowed,
        "explained": {
            "purpose": record.explained_purpose,
            "audience": record.explained_audience,
            "risks": record.explained_risks,
            "withdrawal": record.explained_withdrawal,
        },
        "witness_is_minor": record.witness_is_minor,
        "guardian_consent": record.guardian_consent,
        "guardian_relation": record.guardian_relation,
        "child_assent": record.child_assent,
        "recorded_at": record.recorded_at.isoformat(),
    }


def _custody_json(entry) -> dict:
    return {
        "id": entry.pk,
        "attachment": entry.attachment_public_id,
        "event": entry.event,
        "sha256": entry.sha256,
        "size": entry.size,
        "media_type": entry.media_type,
        "by": entry.by.get_username() if entry.by_id else "",
        "at": entry.at.isoformat(),
    }


def audit_entry_json(entry) -> dict:
    """An audit entry with every field its digest covers
    (archive.audit.entry_content), so that a recipient can recompute it."""
    content = entry_content(entry)
    previous = content.pop("previous")
    return {
        "id": entry.pk,
        **content,
        "previous_digest": previous,
        "digest": entry.digest,
    }


def _site_url(testimony) -> str:
    return settings.ARCHIVE_SITE_URL.rstrip("/") + testimony.get_absolute_url()


def _incident_link_json(link) -> dict:
    incident = link.incident
    return {
        "id": incident.public_id,
        "url": _site_url(incident),
        "title_en": incident.title,
        "title_ar": incident.title_ar,
        "role": link.role,
        "status": incident.status,
    }


def _incident_json(packaged: PackagedIncident) -> dict:
    """The incident a package was made for; its corroboration counted over
    the testimonies in this package only (docs/incidents.md)."""
    incident = packaged.incident
    return {
        "id": incident.public_id,
        "url": _site_url(incident),
        "title_en": incident.title,
        "title_ar": incident.title_ar,
        "summary_en": incident.summary,
        "summary_ar": incident.summary_ar,
        "dates": {
            "start": incident.start and incident.start.isoformat(),
            "end": incident.end and incident.end.isoformat(),
            "precision": incident.precision,
        },
        "places": [_place(p) for p in packaged.places],
        "event_types": [_vocabulary(e) for e in packaged.event_types],
        "communities": [_vocabulary(c) for c in packaged.communities],
        "status": incident.status,
        "corroboration_in_this_package": {
            "witnesses": packaged.witnesses,
            "testimonies_describing": packaged.testimonies,
            "testimonies_mentioning": packaged.mentions,
            "communities": [_vocabulary(c) for c in packaged.testimony_communities],
            "witnesses_from_several_communities": packaged.several_communities,
        },
    }


def _testimony_json(packaged: PackagedTestimony) -> dict:
    testimony = packaged.testimony
    use = packaged.consent.permitted_use
    return {
        "id": testimony.public_id,
        "url": _site_url(testimony),
        "pseudonym": testimony.witness.pseudonym,
        "language": testimony.language,
        "status": testimony.status,
        "recorded_on": testimony.recorded_on.isoformat(),
        "incident": {
            "start": testimony.incident_start and testimony.incident_start.isoformat(),
            "end": testimony.incident_end and testimony.incident_end.isoformat(),
            "precision": testimony.incident_precision,
        },
        "places": [
            _place(p) for p in sorted(testimony.places.all(), key=lambda p: p.path)
        ],
        "communities": [_vocabulary(c) for c in testimony.communities.all()],
        "event_types": [_vocabulary(e) for e in testimony.event_types.all()],
        # "original": as the witness said it, names included (the consent
        # record names this recipient); "redacted": every name replaced.
        "text_version": "original" if packaged.original_allowed else "redacted",
        "narrative": packaged.narrative,
        "translations": packaged.translations,
        "summary": packaged.summary,
        "identity_included": packaged.identity is not None,
        "permitted_use": {"code": use.code, **_in_both(use.text)},
        "attachments": [
            {
                "id": a.attachment.public_id,
                "kind": a.attachment.kind,
                "media_type": a.attachment.media_type,
                "size": a.attachment.size,
                "sha256": a.attachment.sha256,
                "uploaded_at": a.attachment.uploaded_at.isoformat(),
                "file": (
                    f"attachments/{a.attachment.public_id}/{a.file_name}"
                    if a.content is not None
                    else None
                ),
            }
            for a in packaged.attachments
        ],
        "incidents": [_incident_link_json(link) for link in packaged.incident_links],
    }


def _testimony_text(packaged: PackagedTestimony, record: dict) -> str:
    lines = [
        f"{record['id']} ({record['pseudonym']})",
        f"Recorded on: {record['recorded_on']}",
        f"Incident: {record['incident']['start'] or '?'} - "
        f"{record['incident']['end'] or '?'} ({record['incident']['precision']})",
        "Places: " + "; ".join(p["name_en"] for p in record["places"]),
        f"Text: {record['text_version']}",
        f"Permitted use: {record['permitted_use']['en']}",
        *(
            f"Incident {i['id']} ({i['role']}): {i['title_en']} / {i['title_ar']}"
            for i in record["incidents"]
        ),
        "",
        packaged.narrative,
    ]
    for language, text in packaged.translations.items():
        lines += ["", f"[{language}]", text]
    if packaged.summary:
        lines += ["", "[summary]", packaged.summary]
    return "\n".join(lines) + "\n"


def _identity_json(identity) -> dict:
    return {
        "name": identity.name,
        "name_variants": list(identity.name_variants),
        "contact": identity.contact,
        "birth_year": identity.birth_year,
        "gender": identity.gender,
    }


def _write_testimony(folder: Path, packaged: PackagedTestimony) -> None:
    record = _testimony_json(packaged)
    _write(folder / "testimony.json", _json(record))
    _write(folder / "testimony.txt", _testimony_text(packaged, record).encode("utf-8"))
    _write(
        folder / "consent.json",
        _json(
            {
                "identity_and_original_text_for_this_recipient": (
                    packaged.original_allowed
                ),
                "records": [
                    _consent_json(r, words_allowed=packaged.original_allowed)
                    for r in packaged.consent_records
                ],
            }
        ),
    )
    if packaged.identity is not None:
        _write(folder / "identity.json", _json(_identity_json(packaged.identity)))
    custody = []
    for attachment in packaged.attachments:
        custody += [_custody_json(c) for c in attachment.custody]
        if attachment.content is not None:
            _write(
                folder
                / "attachments"
                / attachment.attachment.public_id
                / attachment.file_name,
                attachment.content,
            )
    _write(folder / "custody.json", _json(custody))


def _audit_files(data: Path, selection: PackageSelection) -> dict:
    identity_for = {
        p.testimony.public_id for p in selection.included if p.original_allowed
    }
    entries, withheld = [], 0
    for entry in package_audit_entries(selection):
        if entry.action in FREE_TEXT_ACTIONS and entry.target not in identity_for:
            withheld += 1
            continue
        entries.append(audit_entry_json(entry))
    head = audit_chain_head()
    head_json = {
        # Only where the chain stood: the entry itself may concern another
        # testimony, which this recipient has no business reading about.
        "head": (
            {"id": head.pk, "at": head.at.isoformat(), "digest": head.digest}
            if head
            else None
        ),
        "entries": len(entries),
        "withheld": withheld,
    }
    _write(
        data / "audit" / "entries.jsonl",
        "".join(
            json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries
        ).encode("utf-8"),
    )
    _write(data / "audit" / "head.json", _json(head_json))
    return head_json


def _manifest(selection, *, package_id, created_at, made_by, query, head) -> dict:
    return {
        "format": PACKAGE_FORMAT,
        "format_version": PACKAGE_FORMAT_VERSION,
        "package_id": package_id,
        "created_at": created_at.isoformat(),
        "archive": {
            "name": settings.ARCHIVE_NAME,
            "url": settings.ARCHIVE_SITE_URL,
            "version": settings.ARCHIVE_VERSION,
        },
        "recipient": selection.recipient,
        "made_by": made_by,
        "asked_for": {
            "ids": selection.requested,
            "query": query or {},
            "incident": selection.incident and selection.incident.incident.public_id,
        },
        # The incident's record, under data/ (in the payload manifests).
        "incident_file": selection.incident and INCIDENT_FILE,
        "included": [p.testimony.public_id for p in selection.included],
        "left_out": [
            {
                "id": item.public_id,
                "reason": str(item.reason),
                **{
                    f"reason_{k}": v
                    for k, v in _in_both(LEFT_OUT_REASONS[item.reason]).items()
                },
            }
            for item in selection.left_out
        ],
        "signing_key_fingerprint": signing.fingerprint(),
        "audit_chain_head": head["head"] and head["head"]["digest"],
    }


def _bag_info(selection, *, package_id, created_at, head) -> dict:
    return {
        "Source-Organization": settings.ARCHIVE_NAME,
        "Organization-Address": settings.ARCHIVE_SITE_URL,
        "External-Identifier": package_id,
        "External-Description": (
            "Eyewitness testimonies with their consent records, attachments, "
            "custody and audit entries, for an accountability body."
        ),
        "Bagging-Date": created_at.date().isoformat(),
        "Bag-Group-Identifier": selection.recipient,
        "Archive-Version": settings.ARCHIVE_VERSION,
        "Archive-Signing-Key-Fingerprint": signing.fingerprint(),
        "Audit-Chain-Head": (head["head"] and head["head"]["digest"]) or "",
        "Testimonies-Included": str(len(selection.included)),
        "Testimonies-Left-Out": str(len(selection.left_out)),
        **(
            {"Incident": selection.incident.incident.public_id}
            if selection.incident
            else {}
        ),
    }


def _build(bag_path: Path, selection, *, package_id, made_by, query) -> None:
    created_at = timezone.now()
    data = bag_path
    for packaged in selection.included:
        _write_testimony(data / "testimonies" / packaged.testimony.public_id, packaged)
    head = _audit_files(data, selection)
    if selection.incident is not None:
        _write(data / INCIDENT_FILE, _json(_incident_json(selection.incident)))
    _write(
        data / "package.json",
        _json(
            _manifest(
                selection,
                package_id=package_id,
                created_at=created_at,
                made_by=made_by,
                query=query,
                head=head,
            )
        ),
    )
    with _BAGGING:
        bag = bagit.make_bag(
            str(bag_path),
            bag_info=_bag_info(
                selection, package_id=package_id, created_at=created_at, head=head
            ),
            checksums=list(CHECKSUMS),
        )
    # Tag files beside bagit.txt: in the tag manifests, and so signed.
    (bag_path / PUBLIC_KEY_FILE).write_text(signing.public_key_pem(), "ascii")
    (bag_path / README_FILE).write_text(
        render_to_string(
            "accountability/package_readme.txt",
            {
                "archive_name": settings.ARCHIVE_NAME,
                "site_url": settings.ARCHIVE_SITE_URL,
                "recipient": selection.recipient,
                "package_id": package_id,
                "created_at": created_at,
                "included": len(selection.included),
                "left_out": len(selection.left_out),
                "fingerprint": signing.fingerprint(),
            },
        ),
        "utf-8",
    )
    with _BAGGING:
        bag.save()
    for name in SIGNED_FILES:
        (bag_path / (name + SIGNATURE_SUFFIX)).write_bytes(
            signing.sign((bag_path / name).read_bytes())
        )


def package_export(
    *,
    recipient: str,
    public_ids: list[str] = (),
    destination: Path,
    actor=None,
    actor_label: str = "",
    query: dict | None = None,
    incident_id: str = "",
) -> PackageResult:
    """Make the package of `public_ids` (or, with `incident_id`, of every
    testimony linked to that incident, whose record then goes with it) for
    `recipient` at `destination` (a folder that must not exist yet), sign it
    and record the export in the audit chain. PackageRefused when none of
    them may go to that body (the reasons are in the error's params), the
    incident does not exist or was merged, or the destination exists."""
    recipient = " ".join(recipient.split())
    if not recipient:
        raise PackageRefused(_("Say whom the package is for."), code="no_recipient")
    destination = Path(destination).resolve()
    if destination.exists():
        raise PackageRefused(
            _("%(path)s exists already; a package is never written over anything.")
            % {"path": destination},
            code="destination_exists",
        )
    signing.public_key()  # SigningKeyMissing before any work
    incident = None
    if incident_id:
        try:
            incident, public_ids = package_incident(public_id=incident_id)
        except PackageIncidentRefused as error:
            raise _incident_refused(error) from None
    selection = package_selection(
        recipient=recipient, public_ids=list(public_ids), incident=incident
    )
    if not selection.included:
        raise PackageRefused(
            _("None of the testimonies asked for may go to an accountability body."),
            code="nothing_to_package",
            params={"selection": selection},
        )
    package_id = str(uuid.uuid4())
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent)
    )
    try:
        _build(
            staging,
            selection,
            package_id=package_id,
            made_by=actor_label or (actor.get_username() if actor else ""),
            query=query,
        )
        digest = package_digest(staging)
        with transaction.atomic():
            audit_record(
                action=AuditAction.PACKAGE_EXPORTED,
                actor=actor,
                actor_label=actor_label,
                detail=json.dumps(
                    {
                        "package": package_id,
                        "for": recipient,
                        "incident": incident and incident.public_id,
                        "ids": [p.testimony.public_id for p in selection.included],
                        "left_out": [i.public_id for i in selection.left_out],
                        "sha256": digest,
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                ),
            )
            staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PackageResult(
        path=destination, package_id=package_id, digest=digest, selection=selection
    )


def _incident_refused(error: PackageIncidentRefused) -> PackageRefused:
    if error.merged_into is not None:
        return PackageRefused(
            _(
                "Incident %(id)s was merged into incident %(into)s (%(title)s): "
                "ask for %(into)s."
            )
            % {
                "id": error.public_id,
                "into": error.merged_into.public_id,
                "title": error.merged_into.label,
            },
            code="incident_merged",
        )
    return PackageRefused(
        _("There is no incident %(id)s.") % {"id": error.public_id},
        code="incident_not_found",
    )


# Packages made for a download are staged here, decrypted originals and
# identities included, and removed once sent. A process killed meanwhile
# (kill -9, a crash) leaves its folder behind: the next download clears
# folders older than this, which no export still running can own.
WEB_STAGING_MAX_AGE = datetime.timedelta(hours=1)


def web_staging_folder() -> Path:
    """A new private folder to stage one downloaded package in, after
    removing what killed exports left behind (WEB_STAGING_MAX_AGE)."""
    parent = Path(tempfile.gettempdir()) / "archive-packages"
    parent.mkdir(mode=0o700, exist_ok=True)
    parent.chmod(0o700)
    cutoff = timezone.now().timestamp() - WEB_STAGING_MAX_AGE.total_seconds()
    for left in parent.iterdir():
        if left.stat().st_mtime < cutoff:
            shutil.rmtree(left, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="package-", dir=parent))


def package_zip(result: PackageResult) -> Path:
    """The package as one zip file beside its folder (for downloading), the
    bag as its single top folder."""
    archive = shutil.make_archive(
        str(result.path), "zip", root_dir=result.path.parent, base_dir=result.path.name
    )
    return Path(archive)


def package_folder_name(recipient: str, on: datetime.date) -> str:
    """A file name for the package: the date and the recipient's name in
    ASCII (any script may name a body; "body" when nothing is left)."""
    name = slugify(recipient)[:40].strip("-") or "body"
    return f"accountability-package-{on.isoformat()}-{name}"
