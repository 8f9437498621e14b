from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel


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
    EXPORTED = "exported", _("Exported search results")
    ROLE_CHANGED = "role_changed", _("Changed a role")
    SECOND_FACTOR_ADDED = "second_factor_added", _("Added a second factor")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Removed a second factor")
    ACCOUNT_LOCKED = "account_locked", _("Locked out after failed logins")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Lifted a lockout")
    ATTACHMENT_ADDED = "attachment_added", _("Added an attachment")
    ATTACHMENT_REMOVED = "attachment_removed", _("Removed an attachment")
    BLUR_CHANGED = "blur_changed", _("Changed the blurred areas of a photo")
    READ_MEDIA_ORIGINAL = "read_media_original", _("Opened an attachment's original")
    WITNESS_KEY_DECIDED = "witness_key_decided", _("Decided a witness key conflict")
    ENROLMENT_LINK_ISSUED = (
        "enrolment_link_issued",
        _("Issued a second-factor enrolment link"),
    )
    HELD_FROM_PUBLIC = (
        "held_from_public",
        _("Held a testimony back from the public after a re-identification check"),
    )
    RELEASED_TO_PUBLIC = (
        "released_to_public",
        _("Released a held testimony to the public"),
    )


class AuditEntry(AppendOnlyModel):
    """An append-only record of who did what to which testimony.

    Names objects by public id only: the log itself must never hold a
    witness's identity.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor label"),
        max_length=200,
        blank=True,
        help_text=_("Who acted when no account did (a command, an import)."),
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=100, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    # The evidence row this entry seals (e.g. a consent record), and its
    # SHA-256 when written: a later edit of the row no longer matches.
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=40, blank=True)
    subject_digest = models.CharField(_("subject digest"), max_length=64, blank=True)
    # The hash chain (archive.audit): the entry before this one, and this one.
    previous_digest = models.CharField(_("previous digest"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.target}"


class EnrolmentLink(models.Model):
    """A one-time link that lets a moderator account set up its second
    factor (archive.services.enrolment_link_issue).

    A moderator account gets an authenticator app only this way: issued by
    another moderator who has passed their own second factor (or by an
    operator's command, to start an installation), valid for
    ENROLMENT_LINK_HOURS, used once, and only by someone who also knows the
    account's password. Promotion and a reset issue one, and nothing else:
    no password alone, not even the right one, sets up an app for a
    moderator. Only the token's SHA-256 is kept; the token itself is shown
    once, to the issuer, after a "#" (never sent to the server in a URL).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=20)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by_label = models.CharField(
        _("issued by (command)"), max_length=200, blank=True
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"enrolment link {self.pk}"
