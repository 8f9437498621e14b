"""The audit log: an append-only hash chain. Callers pass ids, never identities.

Each entry carries the SHA-256 of the entry before it (`previous_digest`) and
its own (`digest`, over every field and the previous digest), so an entry
changed or removed in the database breaks the chain at that point. An entry
may also name a *subject*, an evidence row such as a consent record, with the
SHA-256 of that row as it was written: editing the row afterwards no longer
matches. `manage.py verify_audit` walks both (archive.audit_check).

Entries are appended under a database write lock (SQLite: immediate
transactions, see settings; PostgreSQL: an advisory lock): the head is read
and the new entries chained to it and written under it, so that two
requests never both extend the same head.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from archive.audit_actions import audit_action_check
from archive.models import AuditEntry

GENESIS = "0" * 64
# Any constant: the advisory lock PostgreSQL sessions take to append.
_POSTGRES_CHAIN_LOCK = 0x61756469


def _canonical(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def record_digest(instance) -> str:
    """SHA-256 of every stored field of a row, as written.

    Fields holding their default are left out, so that a field added to the
    model later does not break the seals of rows written before it; changing
    any value, to or from the default, still changes the digest."""
    fields = {
        field.attname: field.value_to_string(instance)
        for field in instance._meta.concrete_fields
        if getattr(instance, field.attname) != field.get_default()
    }
    return hashlib.sha256(_canonical([instance._meta.label_lower, fields])).hexdigest()


def entry_content(entry: AuditEntry) -> dict:
    """What an entry's digest covers: its content and the digest before it
    (also what an accountability package gives a recipient to recompute it)."""
    return {
        "previous": entry.previous_digest,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "subject_digest": entry.subject_digest,
    }


def entry_digest(entry: AuditEntry) -> str:
    """SHA-256 of an entry's content and the digest before it."""
    return hashlib.sha256(_canonical(entry_content(entry))).hexdigest()


def keyed_digest(text: str) -> str:
    """HMAC-SHA256 of free text a user typed (a search query), keyed with the
    installation's secret: the log can later confirm that a given query was
    run, but never shows it, since people type witnesses' names into
    search boxes."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK])


def audit_record(
    *, action, target="", actor=None, actor_label="", detail="", subject=None
) -> AuditEntry:
    """Append one entry to the chain. `action` is one an app declared
    (archive.audit_actions; UndeclaredAuditAction otherwise, nothing
    written). `subject`, if given, is a saved evidence row (consent record,
    review, tombstone) sealed by this entry."""
    return audit_record_many(
        [
            {
                "action": action,
                "target": target,
                "actor": actor,
                "actor_label": actor_label,
                "detail": detail,
                "subject": subject,
            }
        ]
    )[0]


@transaction.atomic
def audit_record_many(events: list[dict]) -> list[AuditEntry]:
    """Append entries in the order given, each taking audit_record's keyword
    arguments: the head is read once under the chain lock, the entries are
    chained in memory and written in one insert (bulk writers such as the
    corpus generator; audit_record is this with one entry)."""
    _lock_chain()
    head = AuditEntry.objects.order_by("-pk").values_list("digest", flat=True).first()
    previous = head or GENESIS
    entries = []
    for event in events:
        entry = _entry(previous_digest=previous, **event)
        entries.append(entry)
        previous = entry.digest
    # On SQLite and PostgreSQL the rows get ascending keys in list order,
    # which is the chain's order (audit_check walks it by key).
    return AuditEntry.objects.bulk_create(entries)


def _entry(
    *,
    previous_digest,
    action,
    target="",
    actor=None,
    actor_label="",
    detail="",
    subject=None,
) -> AuditEntry:
    audit_action_check(action)
    if actor is not None and not actor.is_authenticated:
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        action=action,
        target=target,
        detail=detail,
        at=timezone.now(),
        previous_digest=previous_digest,
    )
    if subject is not None:
        entry.subject_type = subject._meta.label_lower
        entry.subject_id = str(subject.pk)
        entry.subject_digest = record_digest(subject)
    entry.digest = entry_digest(entry)
    return entry
