"""The actions the audit chain records, each declared by the app that owns it.

archive owns the chain's mechanism (archive.audit, archive.models.AuditEntry)
and the accounts' own actions (AuditAction below). testimonies and search
declare theirs in their own audit_actions module and register them when
their app is ready, so that a feature adds its action without a migration
of archive. An entry keeps the action's stored value, which the chain's
digests cover; recording an action that no app declared is refused
(audit_action_check), so that nothing enters the chain unlabelled.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from archive.roles import ROLE_LABELS, Role


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
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Deactivated an account")
    ACCOUNT_REACTIVATED = "account_reactivated", _("Reactivated an account")
    INVITATION_SENT = "invitation_sent", _("Sent an invitation")
    INVITATION_USED = "invitation_used", _("Accepted an invitation")
    INVITATION_REFUSED = "invitation_refused", _("Refused an invitation's link")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("Withdrew an invitation")
    PASSWORD_RESET_SENT = "password_reset_sent", _("Sent a password reset link")
    PASSWORD_RESET_USED = (
        "password_reset_used",
        _("Set a password through a reset link"),
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


# --- Details -----------------------------------------------------------------
#
# An entry's detail is stored as the archive wrote it, in English, and the
# chain's digests cover it: it is never rewritten. What the archive itself
# writes there (counts, scopes, roles) is shown in the reader's language by
# the wordings each app declares for its actions, beside them; free text
# typed by a person (a reason, a name) and data (digests, ids, JSON) are
# shown as stored.


@dataclass(frozen=True)
class DetailWording:
    """One shape of detail: `pattern` (a regular expression with named
    groups) must match the whole stored detail; `message` (gettext_lazy, or
    ngettext_lazy counted by the group named "count") shows it, each group
    first passed through its function in `words` if it has one."""

    pattern: str
    message: Promise | str
    words: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    def shown(self, detail: str) -> str | None:
        found = re.fullmatch(self.pattern, detail, re.DOTALL)
        if found is None:
            return None
        values: dict = {
            name: self.words[name](text) if name in self.words else text
            for name, text in found.groupdict().items()
        }
        if "count" in values:
            values["count"] = int(values["count"])
        return str(self.message % values)


def listed_words(labels: Mapping[str, object]) -> Callable[[str], str]:
    """A comma-separated list of stored words ("archive, researchers"), each
    shown by its label in `labels` (unknown words as stored), joined by the
    language's list separator."""

    def shown(text: str) -> str:
        return _list_separator().join(
            str(labels.get(word, word)) for word in text.split(", ")
        )

    return shown


def _list_separator() -> str:
    # Translators: joins the items of a list, as in "archive, researchers".
    return str(pgettext_lazy("list separator", ", "))


_wordings: dict[str, list[DetailWording]] = {}


def audit_details_register(wordings: Mapping[str, list[DetailWording]]) -> None:
    """Declare how the details of an app's actions read (from its
    AppConfig.ready, with its actions). Registering the same again does
    nothing."""
    for action, declared in wordings.items():
        known = _wordings.setdefault(str(action), [])
        known.extend(wording for wording in declared if wording not in known)


def audit_detail_label(value: str, detail: str) -> str:
    """The detail of an entry of action `value` in the current language: by
    the first declared wording that matches it, else as stored."""
    for wording in _wordings.get(value, ()):
        shown = wording.shown(detail)
        if shown is not None:
            return shown
    return detail


# Roles as archive.services writes them in a role change ("none" for no role).
_ROLE_WORDS = {
    "none": _("no role"),
    **{role.value: label for role, label in ROLE_LABELS.items() if role != Role.PUBLIC},
}
# Why authenticator apps were removed (archive.services).
_REMOVAL_REASONS = {
    "promoted to moderator": _("promoted to moderator"),
    "reset": _("reset"),
}

ACCOUNT_DETAILS = {
    AuditAction.ROLE_CHANGED: [
        DetailWording(
            r"(?P<old>\w+) -> (?P<new>\w+)",
            _("from %(old)s to %(new)s"),
            {"old": _ROLE_WORDS.get, "new": _ROLE_WORDS.get},
        ),
    ],
    AuditAction.ACCOUNT_UNLOCKED: [
        DetailWording(
            r"unlocked: (?P<count>\d+) failed-login record\(s\) cleared",
            ngettext_lazy(
                "unlocked: %(count)d failed-login record cleared",
                "unlocked: %(count)d failed-login records cleared",
                "count",
            ),
        ),
    ],
    AuditAction.ACCOUNT_LOCKED: [
        DetailWording(
            r"after (?P<count>\d+) failed logins",
            ngettext_lazy(
                "after %(count)d failed login", "after %(count)d failed logins", "count"
            ),
        ),
        DetailWording(
            r"identity reveal refused after (?P<count>\d+) wrong passwords",
            ngettext_lazy(
                "identity reveal refused after %(count)d wrong password",
                "identity reveal refused after %(count)d wrong passwords",
                "count",
            ),
        ),
    ],
    AuditAction.SECOND_FACTOR_RESET: [
        DetailWording(
            r"(?P<count>\d+) authenticator app\(s\) removed \((?P<why>.*)\)",
            ngettext_lazy(
                "%(count)d authenticator app removed (%(why)s)",
                "%(count)d authenticator apps removed (%(why)s)",
                "count",
            ),
            {"why": lambda why: str(_REMOVAL_REASONS.get(why, why))},
        ),
    ],
    AuditAction.SECOND_FACTOR_ADDED: [
        DetailWording(r"authenticator app \(TOTP\)", _("authenticator app (TOTP)")),
        DetailWording(
            r"authenticator app \(TOTP\), through a link issued by (?P<issuer>.+)",
            _("authenticator app (TOTP), through a link issued by %(issuer)s"),
        ),
    ],
    AuditAction.ACCOUNT_DEACTIVATED: [
        DetailWording(
            r"(?P<count>\d+) session\(s\) ended",
            ngettext_lazy(
                "%(count)d session ended", "%(count)d sessions ended", "count"
            ),
        ),
    ],
    AuditAction.INVITATION_SENT: [
        DetailWording(
            r"(?P<role>\w+); valid until (?P<until>\S+)",
            _("%(role)s; valid until %(until)s"),
            {"role": lambda role: str(_ROLE_WORDS.get(role, role))},
        ),
    ],
    AuditAction.INVITATION_USED: [
        DetailWording(
            r"(?P<role>\w+)",
            _("as %(role)s"),
            {"role": lambda role: str(_ROLE_WORDS.get(role, role))},
        ),
    ],
    AuditAction.INVITATION_REFUSED: [
        DetailWording(r"already used", _("already used")),
        DetailWording(r"expired", _("expired")),
        DetailWording(
            r"inviter may no longer invite",
            _("the moderator who invited may no longer invite"),
        ),
    ],
    AuditAction.ENROLMENT_LINK_ISSUED: [
        DetailWording(
            r"(?P<reason>.*); valid until (?P<until>\S+)",
            _("%(reason)s; valid until %(until)s"),
        ),
    ],
}
