from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel
from testimonies.core.keys import random_key


class Erasure(AppendOnlyModel):
    """The tombstone of an erased testimony: that it existed, when and by
    whom it was erased and why, and a SHA-256 of what was erased.

    The digest lets anyone holding a copy made before the erasure (a backup,
    an export) prove that it is the erased content, without the archive
    keeping any of it. Written once by services.testimony_erase; never
    changed or removed (an erasure cannot be undone).
    """

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    testimony = models.OneToOneField(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    content_sha256 = models.CharField(
        _("SHA-256 of the erased content"),
        max_length=64,
        help_text=_(
            "Hex digest of the canonical serialisation of everything erased "
            "(testimonies.consent.erasure_content)."
        ),
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_by_label = models.CharField(
        _("erased by (label)"),
        max_length=200,
        blank=True,
        help_text=_("Who erased it when no account did (a command)."),
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    reason = models.TextField(
        _("reason"),
        help_text=_(
            "Why the testimony was erased. Never the witness's name or any "
            "part of the account: this text is kept."
        ),
    )

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at"]
        get_latest_by = "erased_at"

    def __str__(self):
        return f"erasure of {self.testimony.public_id}"

    def get_absolute_url(self):
        return reverse(
            "testimonies:detail", kwargs={"public_id": self.testimony.public_id}
        )

    @property
    def erased_by_name(self) -> str:
        return self.erased_by.get_username() if self.erased_by else self.erased_by_label
