"""Attaching files to a testimony, removing them, blurring areas of photos.

Each upload is checked by its content (testimonies.attachments.processing) before
anything is written; the row, its custody entry and their audit entry are
written in one transaction, and the sealed files only once it has committed
(testimonies.attachments.store). A refused upload leaves nothing anywhere.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.attachments import store
from testimonies.attachments.blur_regions import blur_regions_check
from testimonies.attachments.media_store import media_destroy_attachment
from testimonies.attachments.processing import (
    AttachmentRefused,
    decode_working,
    detect,
    image_check,
    image_copies,
    public_copies,
    refuse_too_large,
)
from testimonies.audit_actions import AuditAction
from testimonies.models import (
    Attachment,
    AttachmentCustody,
    AttachmentKind,
    CustodyEvent,
    Testimony,
)
from testimonies.policy import Action

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


def upload_read(upload) -> bytes:
    """The upload's bytes, refused as soon as it is known to pass the size
    limit: by its declared size before reading anything, and while reading
    in case the declared size was wrong."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise refuse_too_large()
    upload.seek(0)
    received = bytearray()
    while chunk := upload.read(_CHUNK):
        received += chunk
        if len(received) > limit:
            raise refuse_too_large()
    return bytes(received)


def _custody(*, attachment, event, by) -> AttachmentCustody:
    entry = AttachmentCustody(
        testimony=attachment.testimony,
        attachment_public_id=attachment.public_id,
        event=event,
        sha256=attachment.sha256,
        size=attachment.size,
        media_type=attachment.media_type,
        by=by,
    )
    entry.full_clean()
    entry.save()
    return entry


def _locked(testimony: Testimony) -> Testimony:
    return (
        Testimony.objects.select_for_update()
        .select_related("witness")
        .get(pk=testimony.pk)
    )


@transaction.atomic
def attachment_add(
    *, testimony: Testimony, upload, by, description: str = ""
) -> Attachment:
    """Check an uploaded file by its content and keep it: the original
    sealed exactly as received with its SHA-256, and for a photo working
    copies without any metadata and a public copy. Records a custody entry
    (who, when, SHA-256, size, type) sealed into the audit chain.

    `upload` is a file object with `name` (only compared with the content)
    and `size`. Raises AttachmentRefused (a ValidationError with a message
    for the uploader) for a file the archive does not keep, and
    ValidationError when `by` may not attach files to this testimony now
    (the policy's Action.ATTACH). Files are written when the transaction
    commits; if that fails, the attachment is taken back out (see
    _storage_failed) and AttachmentRefused is raised.
    """
    testimony = _locked(testimony)
    if not policy.allows(by, Action.ATTACH, testimony):
        raise ValidationError(
            _("Files cannot be attached to this testimony now."), code="not_allowed"
        )
    data = upload_read(upload)
    detected = detect(data, getattr(upload, "name", "") or "")
    copies = None
    if detected.kind == AttachmentKind.IMAGE:
        copies = image_copies(image_check(data, detected.image_format), [])
    attachment = Attachment(
        testimony=testimony,
        kind=detected.kind,
        media_type=detected.media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=copies.width if copies else None,
        height=copies.height if copies else None,
        working_media_type=copies.media_type if copies else "",
        uploaded_by=by,
    )
    attachment.description = description.strip()
    attachment.original_name = (getattr(upload, "name", "") or "")[:255]
    attachment.full_clean()
    attachment.save()
    custody = _custody(attachment=attachment, event=CustodyEvent.RECEIVED, by=by)
    audit_record(
        action=AuditAction.ATTACHMENT_ADDED,
        target=testimony.public_id,
        actor=by,
        detail=(
            f"{attachment.public_id} {attachment.media_type} "
            f"{attachment.size} bytes sha256={attachment.sha256}"
        ),
        subject=custody,
    )
    contents = {store.ORIGINAL: data}
    if copies:
        contents |= {
            store.WORKING: copies.working,
            store.WORKING_THUMB: copies.working_thumb,
            store.PUBLIC: copies.public,
            store.PUBLIC_THUMB: copies.public_thumb,
        }
    store.files_write_on_commit(
        attachment,
        contents,
        on_failure=lambda error: _storage_failed(attachment, by, error),
    )
    return attachment


def media_original_reading_record(*, attachment: Attachment, user) -> None:
    """Record that `user` was served an attachment's original, as uploaded
    (a photo with its GPS, a document, a recording). The media view calls it
    in the request that serves the file."""
    audit_record(
        action=AuditAction.READ_MEDIA_ORIGINAL,
        target=attachment.testimony.public_id,
        actor=user,
        detail=attachment.public_id,
    )


def _storage_failed(attachment: Attachment, by, error: OSError):
    """The files could not be written after the row was committed: take the
    attachment out again (its custody says it was received, then removed),
    and tell the uploader. media_write has removed what it had written."""
    logger.error("attachment %s not stored: %s", attachment.public_id, error)
    with transaction.atomic():
        _remove_row(attachment, by, detail="storage failed")
    raise AttachmentRefused(
        _("The file could not be stored; nothing was kept. Please try again."),
        code="storage_failed",
    )


def _remove_row(attachment: Attachment, by, *, detail: str = "") -> None:
    custody = _custody(attachment=attachment, event=CustodyEvent.REMOVED, by=by)
    Attachment.objects.filter(pk=attachment.pk).delete()
    audit_record(
        action=AuditAction.ATTACHMENT_REMOVED,
        target=attachment.testimony.public_id,
        actor=by,
        detail=f"{attachment.public_id} {detail}".strip(),
        subject=custody,
    )


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by) -> None:
    """Remove an attachment and its files: by the recording documenter while
    the testimony is a draft or sent back, by moderators also after approval
    (the policy's Action.ATTACH). The custody log keeps that it was received
    and removed, by whom and when, with the original's SHA-256. The files are
    overwritten and deleted once the removal has committed."""
    testimony = _locked(attachment.testimony)
    if not policy.allows(by, Action.ATTACH, testimony):
        raise ValidationError(
            _("Files cannot be removed from this testimony now."), code="not_allowed"
        )
    attachment = Attachment.objects.select_related("testimony").get(pk=attachment.pk)
    _remove_row(attachment, by)
    public_id = attachment.public_id
    transaction.on_commit(lambda: media_destroy_attachment(testimony, public_id))


@transaction.atomic
def attachment_set_blur(*, attachment: Attachment, regions: list, by) -> Attachment:
    """Replace the areas blurred on a photo's public copy (rectangles in
    percent, testimonies.attachments.blur_regions.blur_regions_check) and remake the
    public copies from the working copy. Moderators only
    (the policy's Action.BLUR_MEDIA); recorded in the audit chain."""
    testimony = _locked(attachment.testimony)
    if not policy.allows(by, Action.BLUR_MEDIA, testimony):
        raise ValidationError(
            _("Only moderators blur areas of a photo."), code="not_allowed"
        )
    attachment = Attachment.objects.select_related("testimony").get(pk=attachment.pk)
    if not attachment.is_image:
        raise ValidationError(_("Only photos have areas to blur."), code="not_image")
    try:
        regions = blur_regions_check(regions)
    except ValueError as error:
        raise ValidationError(str(error), code="blur_shape") from None
    working = store.file_open(attachment, store.WORKING)
    if working is None:
        raise ValidationError(
            _("The working copy of this photo cannot be read."), code="missing"
        )
    public, public_thumb = public_copies(decode_working(working), regions)
    attachment.blur_regions = regions
    attachment.full_clean()
    attachment.save(update_fields=["blur_regions"])
    audit_record(
        action=AuditAction.BLUR_CHANGED,
        target=testimony.public_id,
        actor=by,
        detail=f"{attachment.public_id}: {len(regions)} areas",
    )

    def failed(error):
        # An older public copy may blur less than asked: none is served
        # rather than that one.
        logger.error("public copy of %s not stored: %s", attachment.public_id, error)
        media_destroy_attachment(
            testimony, attachment.public_id, names=_public_file_names()
        )
        raise ValidationError(
            _("The blurred copy could not be stored; it is not shown. Try again."),
            code="storage_failed",
        )

    store.files_write_on_commit(
        attachment,
        {store.PUBLIC: public, store.PUBLIC_THUMB: public_thumb},
        on_failure=failed,
    )
    return attachment


def _public_file_names() -> list[str]:
    return [store.file_name(store.PUBLIC), store.file_name(store.PUBLIC_THUMB)]
