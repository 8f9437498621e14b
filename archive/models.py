from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel
from archive.audit_actions import audit_action_label, audit_detail_label
from archive.roles import Role


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
    # Declared by the app that owns it (archive.audit_actions), not as choices
    # here: a new action needs no migration of archive.
    action = models.CharField(_("action"), max_length=40)
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
        return f"{self.action_label} {self.target}"

    @property
    def action_label(self) -> str:
        """The action's translated label, from the app that declared it."""
        return audit_action_label(self.action)

    @property
    def detail_label(self) -> str:
        """The detail in the reader's language where the archive wrote it
        (archive.audit_actions, Details); as stored otherwise."""
        return audit_detail_label(self.action, self.detail)


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


class Invitation(models.Model):
    """An invitation, sent by e-mail by a moderator, to a new account with a
    role (archive.services.invitation_send).

    Its link works once, for INVITATION_HOURS, and lets the invitee choose a
    password; the account is created then, not before. Only the token's
    SHA-256 is kept: the token itself is in the mail alone, after a "#"
    (never sent to the server in a URL). A moderator's invitation also has
    an enrolment code, shown once to the inviting moderator to pass on apart
    from the mail: the mailbox alone never makes a moderator.
    """

    email = models.EmailField(_("e-mail address"))
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=20)
    token_sha256 = models.CharField(max_length=64, unique=True)
    enrolment_code_sha256 = models.CharField(max_length=64, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"invitation {self.pk}"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


# The time zone times are shown in until an account chooses another: the
# archive's documenters and witnesses are in Syria.
DEFAULT_TIME_ZONE = "Asia/Damascus"


class MonthNames(models.TextChoices):
    """The Arabic month names an account reads dates with: the Syrian ones
    by default, as the witnesses use them, or the Egyptian ones. English is
    the same either way (archive/formats/month_names.py)."""

    SYRIAN = "syrian", _("Syrian: كانون الثاني، شباط، آذار…")
    EGYPTIAN = "egyptian", _("Egyptian: يناير، فبراير، مارس…")


class AccountSettings(models.Model):
    """What an account chose for itself on its settings page (the time zone
    its pages show times in, the Arabic month names its dates are written
    with; later settings join it here)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="archive_settings",
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        help_text=_("Times on every page are shown in this time zone."),
    )
    month_names = models.CharField(
        _("Arabic month names"),
        max_length=16,
        choices=MonthNames,
        default=MonthNames.SYRIAN,
        help_text=_("The month names dates are written with in Arabic."),
    )

    class Meta:
        verbose_name = _("account settings")
        verbose_name_plural = _("account settings")

    def __str__(self):
        return f"settings of account {self.user_id}"

    def clean(self):
        if self.time_zone not in available_timezones():
            raise ValidationError(
                {"time_zone": _("Choose a time zone from the list.")},
                code="time_zone",
            )


class PasswordResetLink(models.Model):
    """The account a mailed password reset link is for, named in the link by
    a random reference of its own (archive.services.password_reset_link_issue)
    rather than by anything derived from the account's sequential id.

    The secret is still Django's token, checked by Django's own view; the
    reference only says whose token it is. Only its SHA-256 is kept, and a
    link older than PASSWORD_RESET_TIMEOUT names nobody any more.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reference_sha256 = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued"))

    class Meta:
        verbose_name = _("password reset link")
        verbose_name_plural = _("password reset links")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"password reset link {self.pk}"
