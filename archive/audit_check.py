"""Checking the audit chain (manage.py verify_audit, and the audit log page).

Walks every entry in order and recomputes its digest and link, re-reads every
sealed subject and recomputes its digest, and looks for evidence rows that no
entry seals (a consent record slipped into the database by hand).
"""

from dataclasses import dataclass

from django.apps import apps

from archive.audit import GENESIS, entry_digest, record_digest
from archive.models import AuditEntry

# Evidence rows that are written only together with an audit entry sealing
# them; a row of these models without its entry was not written by the archive.
SEALED_MODELS = [
    "testimonies.consentrecord",
    "testimonies.review",
    "testimonies.erasure",
    "testimonies.attachmentcustody",
]


@dataclass
class ChainBreak:
    entry_pk: int | None
    reason: str

    def __str__(self):
        where = f"audit entry {self.entry_pk}" if self.entry_pk else "outside the chain"
        return f"{where}: {self.reason}"


@dataclass
class ChainReport:
    entries: int
    head: str
    broken: ChainBreak | None


def _subject_problem(entry: AuditEntry) -> str | None:
    try:
        model = apps.get_model(entry.subject_type)
    except (LookupError, ValueError):
        return f"names an unknown kind of record {entry.subject_type!r}"
    row = model._base_manager.filter(pk=entry.subject_id).first()
    if row is None:
        return f"its {entry.subject_type} {entry.subject_id} has been removed"
    if record_digest(row) != entry.subject_digest:
        return f"its {entry.subject_type} {entry.subject_id} has been changed"
    return None


def _unsealed_rows(sealed: dict[str, set[str]]) -> ChainBreak | None:
    for label in SEALED_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for pk in model._base_manager.order_by("pk").values_list("pk", flat=True):
            if str(pk) not in sealed.get(label, set()):
                return ChainBreak(None, f"{label} {pk} is not sealed by any entry")
    return None


def audit_verify() -> ChainReport:
    """The first broken link of the chain, if any, with the chain's length
    and head digest (keep a copy of the head elsewhere: entries cut off the
    end of the chain leave no break behind)."""
    previous = GENESIS
    count = 0
    sealed: dict[str, set[str]] = {}
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if entry.previous_digest != previous:
            return ChainReport(
                count,
                previous,
                ChainBreak(entry.pk, "does not follow the entry before it"),
            )
        if entry_digest(entry) != entry.digest:
            return ChainReport(
                count, previous, ChainBreak(entry.pk, "has been changed")
            )
        if entry.subject_type:
            problem = _subject_problem(entry)
            if problem:
                return ChainReport(count, previous, ChainBreak(entry.pk, problem))
            sealed.setdefault(entry.subject_type, set()).add(entry.subject_id)
        previous = entry.digest
    return ChainReport(count, previous, _unsealed_rows(sealed))
