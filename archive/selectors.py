"""Reads behind the archive's own pages."""

from django.db.models import Q

from .models import AuditEntry


def audit_entries(*, action="", actor="", target="", date_from=None, date_to=None):
    """Audit entries, newest first, narrowed by the log page's filters."""
    entries = AuditEntry.objects.select_related("actor").order_by("-pk")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(
            Q(actor__username__iexact=actor) | Q(actor_label__iexact=actor)
        )
    if target:
        entries = entries.filter(target__iexact=target)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries
