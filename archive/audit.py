"""Writing to the audit log. Callers pass ids, never identities."""

from .models import AuditEntry


def audit_record(*, action, target="", actor=None, actor_label="", detail=""):
    """Append one entry to the audit log."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        action=action,
        target=target,
        detail=detail,
    )
