"""Writes about a testimony as a whole that belong to no other capability:
recording, in the audit chain, that someone was shown its original text."""

from archive.audit import audit_record
from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.models import Testimony


def original_reading_record(
    *, testimony: Testimony, user, page: str = ""
) -> AuditEntry:
    """Record that `user` was shown `testimony`'s original text, names in it,
    on `page` ("" for the testimony page; "redaction", "review",
    "recording"). The views call it in the request that shows the text,
    once the page is known to be theirs to see: whoever reads a witness's
    words unredacted leaves a trace."""
    return audit_record(
        action=AuditAction.READ_ORIGINAL,
        target=testimony.public_id,
        actor=user,
        detail=page,
    )
