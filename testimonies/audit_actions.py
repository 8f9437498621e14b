"""What the audit chain records about testimonies, witnesses and their files.

Registered with the chain (archive.audit_actions) when the app is ready. The
stored values never change: the chain's digests cover them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ_ORIGINAL = "read_original", _("Read the unredacted narrative")
    READ_IDENTITY = "read_identity", _("Read a witness's identity")
    REDACTION_CHANGED = "redaction_changed", _("Changed the words marked")
    CONSENT_RECORDED = "consent_recorded", _("Recorded consent")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Withdrew consent")
    IMPORTED = "imported", _("Imported testimonies")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back for changes")
    ERASED = "erased", _("Erased a testimony")
    ATTACHMENT_ADDED = "attachment_added", _("Added an attachment")
    ATTACHMENT_REMOVED = "attachment_removed", _("Removed an attachment")
    BLUR_CHANGED = "blur_changed", _("Changed the blurred areas of a photo")
    READ_MEDIA_ORIGINAL = "read_media_original", _("Opened an attachment's original")
    WITNESS_KEY_DECIDED = "witness_key_decided", _("Decided a witness key conflict")
    HELD_FROM_PUBLIC = (
        "held_from_public",
        _("Held a testimony back from the public after a re-identification check"),
    )
    RELEASED_TO_PUBLIC = (
        "released_to_public",
        _("Released a held testimony to the public"),
    )
    REVIEW_ASSIGNED = "review_assigned", _("Assigned a testimony's review")
    REVIEW_UNASSIGNED = "review_unassigned", _("Took back a review assignment")
    PACKAGE_EXPORTED = (
        "package_exported",
        _("Exported an accountability package"),
    )
