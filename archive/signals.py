"""Audit entries for what django-axes decides: one per lockout."""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.dispatch import receiver

from archive.audit import audit_record
from archive.audit_actions import AuditAction


@receiver(user_locked_out, dispatch_uid="archive-audit-lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    """Record the failure that locked a username out, once per lockout.

    django-axes sends this signal again for every attempt made while the
    lockout lasts; only the attempt that reached the limit is recorded. What
    was typed as a username is recorded only when it names an account: it
    may be anything (a mistyped password, a guess), and the log keeps
    everything forever. The address is not recorded.
    """
    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, credentials):
        return
    exists = bool(username) and (
        get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username})
        .exists()
    )
    audit_record(
        action=AuditAction.ACCOUNT_LOCKED,
        target=username if exists else "",
        actor_label="login throttle",
        detail=f"after {failures} failed logins"
        + ("" if exists else " with a username that names no account"),
    )
