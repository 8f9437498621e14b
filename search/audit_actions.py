"""What the audit chain records about search: exports leave the archive.

Registered with the chain (archive.audit_actions) when the app is ready. The
stored value never changes: the chain's digests cover it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    EXPORTED = "exported", _("Exported search results")
