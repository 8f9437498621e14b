"""The actions the audit chain records, each declared by the app that owns it.

archive owns the chain's mechanism (archive.audit, archive.models.AuditEntry)
and the accounts' own actions (AuditAction below). testimonies and search
declare theirs in their own audit_actions module and register them when
their app is ready, so that a feature adds its action without a migration
of archive. An entry keeps the action's stored value, which the chain's
digests cover; recording an action that no app declared is refused
(audit_action_check), so that nothing enters the chain unlabelled.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What happens to accounts (roles, second factors, lockouts)."""

    ROLE_CHANGED = "role_changed", _("Changed a role")
    SECOND_FACTOR_ADDED = "second_factor_added", _("Added a second factor")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Removed a second factor")
    ACCOUNT_LOCKED = "account_locked", _("Locked out after failed logins")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Lifted a lockout")
    ENROLMENT_LINK_ISSUED = (
        "enrolment_link_issued",
        _("Issued a second-factor enrolment link"),
    )


class UndeclaredAuditAction(ValueError):
    """An action no app declared: a programming error, refused before
    anything is written to the chain."""


# Stored value -> the declared member (its label translated when shown), in
# the order the apps registered them.
_declared: dict[str, models.TextChoices] = {}


def audit_actions_register(actions: type[models.TextChoices]) -> None:
    """Declare an app's actions (from its AppConfig.ready). Registering the
    same actions again does nothing; a stored value that another app
    already declared is refused, since the log could not tell them apart."""
    for action in actions:
        known = _declared.get(action.value)
        if known is not None and known is not action:
            raise ImproperlyConfigured(
                f"Audit action {action.value!r} is declared by both "
                f"{type(known).__module__} and {actions.__module__}."
            )
        _declared[action.value] = action


def audit_action_check(value: str) -> None:
    """UndeclaredAuditAction unless an app declared `value`."""
    if str(value) not in _declared:
        raise UndeclaredAuditAction(f"No app declares the audit action {value!r}.")


def audit_action_label(value: str) -> str:
    """The action's label in the current language. An action no app declares
    any more is shown as stored: its entries stay in the chain as written."""
    action = _declared.get(value)
    return str(action.label) if action is not None else value


def audit_action_choices() -> list[tuple[str, str]]:
    """(stored value, label) of every declared action, for filters."""
    return [(value, action.label) for value, action in _declared.items()]
