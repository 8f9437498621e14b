"""Writes made by the search app: the record of each export."""

import json

from django.db import transaction

from archive.audit import audit_record, keyed_digest
from archive.models import AuditEntry
from search.audit_actions import AuditAction


@transaction.atomic
def export_log(*, user, export_format: str, query: dict, outcome) -> AuditEntry:
    """Record an export in the audit log before it leaves: who, which format,
    which search, how many, and exactly which testimonies by public id.
    Never a name or a text of a testimony, nor the words of the query, which
    may be a name: only their keyed digest."""
    logged_query = dict(query)
    if logged_query.get("q"):
        logged_query["q"] = f"hmac-sha256:{keyed_digest(logged_query['q'])}"
    detail = {
        "format": export_format,
        "query": logged_query,
        "count": outcome.count,
        "exported": len(outcome.rows),
        "truncated": outcome.truncated,
        "ids": [row.testimony.public_id for row in outcome.rows],
    }
    return audit_record(
        action=AuditAction.EXPORTED,
        actor=user,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )
