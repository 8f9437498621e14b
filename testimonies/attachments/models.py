"""Photos, documents and recordings attached to a testimony.

The files themselves are kept sealed on disk (testimonies.attachments.store):
the original exactly as received, and for images working copies re-encoded
from pixels only (no metadata) and a public copy with the moderators'
blurred areas. The row holds what a court asks of the original (SHA-256,
size, type, who sent it and when); the custody log (AttachmentCustody)
keeps the same facts as evidence that outlives the attachment.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel
from testimonies.attachments.blur_regions import blur_regions_check
from testimonies.core.keys import random_key
from testimonies.core.models import new_public_id
from testimonies.vault.sealed import SealedContent, sealed_attribute


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    PDF = "pdf", _("PDF document")
    AUDIO = "audio", _("Audio recording")


class Attachment(SealedContent):
    """One file attached to a testimony."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    media_type = models.CharField(
        _("media type"),
        max_length=50,
        help_text=_("Detected from the file's content, never from its name."),
    )
    size = models.PositiveBigIntegerField(_("size of the original (bytes)"))
    sha256 = models.CharField(
        _("SHA-256 of the original"),
        max_length=64,
        help_text=_("Hex digest of the bytes exactly as received."),
    )
    # Images only: the size once turned upright (EXIF orientation), which
    # the blurred areas are measured against.
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    working_media_type = models.CharField(
        _("media type of the working copies"), max_length=50, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Rectangles in percent of the upright image ({"x", "y", "w", "h"}),
    # drawn by a moderator; burnt into the public copy only.
    blur_regions = models.JSONField(_("blurred areas"), default=list, blank=True)
    # The uploader's description and the file's name as sent: either may
    # name a person, so both are sealed (models/sealed.py).
    SEALED_FIELDS = {"description": str, "original_name": str}
    description = sealed_attribute("description")
    original_name = sealed_attribute("original_name")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.public_id

    def sealing_witness_id(self) -> int:
        return self.testimony.witness_id

    def sealing_purpose(self) -> str:
        return f"attachment:{self.pk}"

    def clean(self):
        try:
            blur_regions_check(self.blur_regions)
        except ValueError as error:
            raise ValidationError(
                {"blur_regions": ValidationError(str(error), code="blur_shape")}
            ) from None
        if self.kind == AttachmentKind.IMAGE and not (self.width and self.height):
            raise ValidationError(
                _("An image needs its size."), code="image_size_missing"
            )

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE


class CustodyEvent(models.TextChoices):
    RECEIVED = "received", _("Received")
    REMOVED = "removed", _("Removed")


class AttachmentCustody(AppendOnlyModel):
    """One link of an attachment's chain of custody: received (with the
    SHA-256, size and type of the original) or removed, by whom and when.

    Append-only and sealed into the audit chain (archive.audit), so that an
    altered or deleted entry shows. Names the attachment by its public id:
    the entry stays when the attachment and its files are gone (removed, or
    erased with its testimony), and holds nothing that names anyone.
    """

    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="attachment_custody",
    )
    attachment_public_id = models.CharField(_("attachment"), max_length=20)
    event = models.CharField(_("event"), max_length=20, choices=CustodyEvent.choices)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    size = models.PositiveBigIntegerField(_("size of the original (bytes)"))
    media_type = models.CharField(_("media type"), max_length=50)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")
        ordering = ["testimony", "pk"]

    def __str__(self):
        return f"{self.get_event_display()} {self.attachment_public_id}"
