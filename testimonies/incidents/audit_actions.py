"""What the audit chain records about incidents and their links.

Registered with the chain (archive.audit_actions) when the app is ready. The
stored values never change: the chain's digests cover them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentAuditAction(models.TextChoices):
    PROPOSED = "incident_proposed", _("Proposed an incident")
    CONFIRMED = "incident_confirmed", _("Confirmed an incident")
    MERGED = "incident_merged", _("Merged an incident into another")
    SPLIT = "incident_split", _("Split testimonies off an incident")
    LINKED = "incident_linked", _("Linked a testimony to an incident")
    UNLINKED = "incident_unlinked", _("Unlinked a testimony from an incident")
    EDITED = "incident_edited", _("Edited an incident")
    WITNESS_COMMUNITIES_READ = (
        "incident_witness_communities_read",
        _("Read the communities of an incident's witnesses"),
    )
