from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel


class ConsentScope(models.TextChoices):
    """What a witness may agree to, one purpose at a time (CONTRACTS.md, 3)."""

    ARCHIVE = "archive", _("Kept in the archive")
    RESEARCHERS = "researchers", _("Shared with researchers")
    ACCOUNTABILITY = "accountability", _("Shared with accountability bodies")
    PUBLIC = "public", _("Published to the public")
    MEDIA = "media", _("Shared with media")
    NAMED = "named", _("Named as the witness")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Oral")
    WRITTEN = "written", _("Written")


class ConsentEvent(models.TextChoices):
    GRANT = "grant", _("Consent given or revised")
    WITHDRAWAL = "withdrawal", _("Consent withdrawn")


class ConsentRecord(AppendOnlyModel):
    """One consent event. Each row holds the full state of every scope after
    the event, so the current consent is simply the latest row."""

    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="consent_records",
    )
    event = models.CharField(_("event"), max_length=20, choices=ConsentEvent.choices)
    archive = models.BooleanField(ConsentScope.ARCHIVE.label, default=False)
    researchers = models.BooleanField(ConsentScope.RESEARCHERS.label, default=False)
    accountability = models.BooleanField(
        ConsentScope.ACCOUNTABILITY.label, default=False
    )
    public = models.BooleanField(ConsentScope.PUBLIC.label, default=False)
    media = models.BooleanField(ConsentScope.MEDIA.label, default=False)
    named = models.BooleanField(ConsentScope.NAMED.label, default=False)
    method = models.CharField(
        _("method"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    obtained_by = models.CharField(
        _("obtained by"),
        max_length=200,
        help_text=_("Who took the consent (or received the withdrawal)."),
    )
    obtained_on = models.DateField(_("obtained on"))
    embargo_until = models.DateField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("Nothing is released to any audience before this date."),
    )
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["testimony", "pk"]
        get_latest_by = "pk"

    def __str__(self):
        return f"{self.get_event_display()} ({self.obtained_on})"

    def clean(self):
        if self.event == ConsentEvent.GRANT and not self.method:
            raise ValidationError(
                {
                    "method": ValidationError(
                        _("Say how the consent was given."), code="method_missing"
                    )
                }
            )
        if self.event == ConsentEvent.WITHDRAWAL and not self.reason.strip():
            raise ValidationError(
                {
                    "reason": ValidationError(
                        _("A withdrawal needs a reason."), code="reason_missing"
                    )
                }
            )
        granted_beyond_archive = any(
            getattr(self, scope) for scope in ConsentScope.values if scope != "archive"
        )
        if granted_beyond_archive and not self.archive:
            raise ValidationError(
                _("Sharing a testimony needs consent to keep it in the archive."),
                code="archive_required",
            )

    @property
    def scopes(self) -> dict[str, bool]:
        return {scope: getattr(self, scope) for scope in ConsentScope.values}

    @property
    def granted_scopes(self) -> list[str]:
        return [scope for scope, granted in self.scopes.items() if granted]
