"""How the details the archive writes for the testimonies' audit actions
read in the interface's language (archive.audit_actions, Details). The
stored details stay as written: the chain's digests cover them. Registered
when the app is ready, beside the actions (testimonies.audit_actions)."""

import re

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from archive.audit_actions import DetailWording, listed_words
from testimonies.audit_actions import AuditAction
from testimonies.models import ConsentScope
from testimonies.redaction.marking import DECISION_NAMES
from testimonies.redaction.reidentification import GENERALISATIONS
from testimonies.witnesses.models import KeyConflictResolution

_SCOPES = listed_words({scope.value: scope.label for scope in ConsentScope})
_SEALED = DetailWording(
    r"sealed when the audit chain began", _("sealed when the audit chain began")
)
_DECISIONS = dict(
    zip(
        DECISION_NAMES.values(),
        (_("replaced"), _("kept as written"), _("asked again")),
        strict=True,
    )
)


def _resolutions() -> dict[str, object]:
    # Stored as the English label of the choice (witnesses.services).
    with translation.override("en"):
        return {str(choice.label): choice.label for choice in KeyConflictResolution}


def _public_view(key: str) -> str:
    found = GENERALISATIONS.get(key)
    return str(found.label) if found else key


# The scopes granted or withdrawn, as consent services write them.
_SCOPE_LIST = DetailWording(
    r"(?P<scopes>[a-z_]+(?:, [a-z_]+)*)", "%(scopes)s", {"scopes": _SCOPES}
)
_PUBLIC_VIEW = DetailWording(
    r"public view: (?P<view>\w+)", _("public view: %(view)s"), {"view": _public_view}
)


def testimony_audit_details() -> dict[str, list[DetailWording]]:
    resolutions = _resolutions()
    resolution = "|".join(map(re.escape, resolutions))
    return {
        AuditAction.CONSENT_RECORDED: [
            _SEALED,
            _SCOPE_LIST,
        ],
        AuditAction.CONSENT_WITHDRAWN: [
            _SCOPE_LIST,
        ],
        AuditAction.IMPORTED: [
            DetailWording(
                r"(?P<created>\d+) created, (?P<updated>\d+) updated",
                _("created: %(created)s, updated: %(updated)s"),
            ),
        ],
        AuditAction.REDACTION_CHANGED: [
            DetailWording(
                r"(?P<marked>\d+) marked, (?P<unmarked>\d+) unmarked",
                _("marked: %(marked)s, unmarked: %(unmarked)s"),
            ),
            DetailWording(
                r"(?P<count>\d+) flagged (?P<decision>.+?) \((?P<reasons>.*)\)",
                ngettext_lazy(
                    "%(count)d flagged word %(decision)s (%(reasons)s)",
                    "%(count)d flagged words %(decision)s (%(reasons)s)",
                    "count",
                ),
                {"decision": lambda stored: str(_DECISIONS.get(stored, stored))},
            ),
        ],
        AuditAction.ATTACHMENT_ADDED: [
            DetailWording(
                r"(?P<id>\S+) (?P<type>\S+) (?P<size>\d+) bytes sha256=(?P<sha>\w+)",
                _("%(id)s %(type)s, %(size)s bytes, sha256=%(sha)s"),
            ),
        ],
        AuditAction.ATTACHMENT_REMOVED: [
            DetailWording(
                r"(?P<id>\S+) storage failed", _("%(id)s: could not be stored")
            ),
        ],
        AuditAction.BLUR_CHANGED: [
            DetailWording(
                r"(?P<id>\S+): (?P<count>\d+) areas",
                ngettext_lazy(
                    "%(id)s: %(count)d area blurred",
                    "%(id)s: %(count)d areas blurred",
                    "count",
                ),
            ),
        ],
        AuditAction.SUBMITTED: [
            DetailWording(r"consent widened", _("consent widened")),
        ],
        AuditAction.APPROVED: [_PUBLIC_VIEW],
        AuditAction.RELEASED_TO_PUBLIC: [_PUBLIC_VIEW],
        # Usernames of moderators, never anything about the witness.
        AuditAction.REVIEW_ASSIGNED: [
            DetailWording(r"to (?P<moderator>\S+)", _("to %(moderator)s")),
        ],
        AuditAction.REVIEW_UNASSIGNED: [
            DetailWording(r"from (?P<moderator>\S+)", _("from %(moderator)s")),
        ],
        AuditAction.WITNESS_KEY_DECIDED: [
            DetailWording(
                rf"(?P<resolution>{resolution}): (?P<pseudonyms>.*)",
                "%(resolution)s: %(pseudonyms)s",
                {"resolution": lambda stored: str(resolutions.get(stored, stored))},
            ),
        ],
    }
