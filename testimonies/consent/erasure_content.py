"""What an erasure removes, in one canonical form, and its SHA-256.

The digest kept in the tombstone (Erasure.content_sha256) is the SHA-256 of
the UTF-8 bytes of this JSON document (format version 4; version 3, before
flagged words were decided one by one, had no "redaction_decisions";
version 2, before attachments, had no "attachments"; version 1, before words
could be marked for redaction, had no "redaction_marks" either):

- keys sorted, no whitespace (separators "," and ":"), non-ASCII characters
  written as themselves (not \\u escapes), texts exactly as stored;
- "version": 4, "public_id", "external_id" (or null), "recorded_on" and
  "language": which testimony this was (they are kept, not erased);
- "narrative", "summary", "translations" ({language code: text}),
  "persons_named", "redaction_marks" and "redaction_decisions" (as stored),
  "incident_start",
  "incident_end" (YYYY-MM-DD or null), "incident_precision";
- "places", "communities", "event_types": sorted slugs;
- "reviewed_versions": the versions kept for review diffs, oldest first, each
  {"comment", "narrative", "summary", "translations", "persons_named",
  "redaction_marks", "places", "communities", "event_types",
  "incident_start", "incident_end", "incident_precision"} as stored;
- "attachments": one {"public_id", "media_type", "size", "sha256",
  "description", "original_name", "blur_regions"} per attachment, sorted by
  public id ("sha256" and "size" are the original's as received, as its
  custody entries keep them; the description and the file's name as given
  may name people);
- "media": one {"path", "size", "sha256"} per file (or {"path", "link"}
  for a symbolic link), sorted by path (testimonies.attachments.media_store).

Anyone holding a copy made before the erasure can rebuild this document and
compare digests; nobody can get the text back from the digest.
"""

import hashlib
import json

from testimonies.attachments.media_store import media_digests

FORMAT_VERSION = 4


def _day(value):
    return value.isoformat() if value else None


def erased_content(testimony) -> dict:
    """Everything testimony_erase removes, as plain data."""
    return {
        "version": FORMAT_VERSION,
        "public_id": testimony.public_id,
        "external_id": testimony.external_id,
        "recorded_on": _day(testimony.recorded_on),
        "language": testimony.language,
        "narrative": testimony.narrative,
        "summary": testimony.summary,
        "translations": dict(testimony.translations),
        "persons_named": list(testimony.persons_named),
        "redaction_marks": list(testimony.redaction_marks),
        "redaction_decisions": list(testimony.redaction_decisions),
        "incident_start": _day(testimony.incident_start),
        "incident_end": _day(testimony.incident_end),
        "incident_precision": testimony.incident_precision,
        "places": sorted(testimony.places.values_list("slug", flat=True)),
        "communities": sorted(testimony.communities.values_list("slug", flat=True)),
        "event_types": sorted(testimony.event_types.values_list("slug", flat=True)),
        "reviewed_versions": [
            {
                "comment": version.comment,
                "narrative": version.narrative,
                "summary": version.summary,
                "translations": dict(version.translations),
                "persons_named": list(version.persons_named),
                "redaction_marks": list(version.redaction_marks),
                "places": list(version.places),
                "communities": list(version.communities),
                "event_types": list(version.event_types),
                "incident_start": _day(version.incident_start),
                "incident_end": _day(version.incident_end),
                "incident_precision": version.incident_precision,
            }
            for version in testimony.reviewed_versions.order_by("pk")
        ],
        "attachments": [
            {
                "public_id": attachment.public_id,
                "media_type": attachment.media_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "description": attachment.description,
                "original_name": attachment.original_name,
                "blur_regions": list(attachment.blur_regions),
            }
            for attachment in testimony.attachments.order_by("public_id")
        ],
        "media": media_digests(testimony),
    }


def canonical_bytes(content: dict) -> bytes:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
