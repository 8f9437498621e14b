"""Reads behind the attachment pages and the media view. Access comes from
testimonies.policy only, asked on every request: a withdrawal of the witness's
consent to show photos and documents stops the serving at the next request."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from testimonies import policy
from testimonies.attachments import store
from testimonies.attachments.processing import thumbnail_size
from testimonies.core.selectors import TestimonyNotVisible, testimony_allowed
from testimonies.models import Attachment, AttachmentKind, Testimony
from testimonies.policy import Action

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/wav": "wav",
    "audio/ogg; codecs=opus": "opus",
    "audio/ogg; codecs=vorbis": "ogg",
    "audio/mp4": "m4a",
    "audio/webm": "webm",
    "audio/mpeg": "mp3",
}


@dataclass(frozen=True)
class AttachmentCard:
    """One attachment as one user may see it listed."""

    attachment: Attachment
    number: int
    alt: str
    thumbnail_url: str = ""
    # The thumbnail's size (processing.thumbnail_size), for the page to keep
    # its room before it loads; None where the size is not known.
    thumbnail_size: tuple[int, int] | None = None
    view_url: str = ""
    original_url: str = ""
    public_url: str = ""
    # The sealed description and file name: for those who see the working
    # copy (the recording documenter, moderators) only.
    description: str = ""
    original_name: str = ""
    blur_url: str = ""
    remove_url: str = ""


@dataclass(frozen=True)
class ServedFile:
    attachment: Attachment
    data: bytes
    media_type: str
    filename: str
    # The original, as uploaded: a download, and a reading the view records
    # (testimonies.attachments.services.media_original_reading_record).
    original: bool


def file_url(attachment: Attachment, variant: str) -> str:
    return reverse(
        "testimonies:attachment-file",
        kwargs={
            "public_id": attachment.testimony.public_id,
            "attachment_id": attachment.public_id,
            "variant": variant,
        },
    )


def _url(name: str, attachment: Attachment) -> str:
    return reverse(
        name,
        kwargs={
            "public_id": attachment.testimony.public_id,
            "attachment_id": attachment.public_id,
        },
    )


def attachment_cards(*, testimony: Testimony, user) -> list[AttachmentCard]:
    """The testimony's attachments `user` may see, with the copies they may
    be served: none without the policy's Action.VIEW_MEDIA. PDF documents
    and recordings have no cleaned copy: they are listed to those who may
    open originals (moderators) and to the recording documenter."""
    copies = policy.media_copies(user, testimony)
    if not copies:
        return []
    sees_working = policy.MEDIA_WORKING in copies
    may_attach = policy.allows(user, Action.ATTACH, testimony)
    may_blur = policy.allows(user, Action.BLUR_MEDIA, testimony)
    cards = []
    for attachment in testimony.attachments.select_related("testimony"):
        if not attachment.is_image and not sees_working:
            continue
        number = len(cards) + 1
        description = attachment.description if sees_working else ""
        image = attachment.is_image
        # The copy shown: the working one to those who see it, else the public.
        shown = store.WORKING if sees_working else store.PUBLIC
        cards.append(
            AttachmentCard(
                attachment=attachment,
                number=number,
                alt=description
                or (
                    _("Photo %(number)d attached to this testimony")
                    % {"number": number}
                ),
                thumbnail_url=file_url(attachment, f"{shown}-thumb") if image else "",
                thumbnail_size=(
                    thumbnail_size(attachment.width, attachment.height)
                    if image
                    else None
                ),
                view_url=file_url(attachment, shown) if image else "",
                original_url=(
                    file_url(attachment, store.ORIGINAL)
                    if policy.MEDIA_ORIGINAL in copies
                    else ""
                ),
                public_url=file_url(attachment, store.PUBLIC) if image else "",
                description=description,
                original_name=attachment.original_name if sees_working else "",
                blur_url=(
                    _url("testimonies:attachment-blur", attachment)
                    if may_blur and image
                    else ""
                ),
                remove_url=(
                    _url("testimonies:attachment-remove", attachment)
                    if may_attach
                    else ""
                ),
            )
        )
    return cards


def _attachable(*, public_id: str, user) -> Testimony:
    return testimony_allowed(public_id=public_id, user=user, action=Action.ATTACH)


def testimony_for_attachments(*, public_id: str, user) -> Testimony:
    """The upload page's testimony: for the recording documenter while it is
    a draft or sent back, and moderators (the policy's Action.ATTACH);
    TestimonyNotVisible for anyone else."""
    return _attachable(public_id=public_id, user=user)


def attachment_for_removal(*, public_id: str, attachment_id: str, user) -> Attachment:
    """The attachment `user` means to remove; TestimonyNotVisible otherwise."""
    testimony = _attachable(public_id=public_id, user=user)
    attachment = testimony.attachments.filter(public_id=attachment_id).first()
    if attachment is None:
        raise TestimonyNotVisible
    return attachment


def attachment_for_blur(*, public_id: str, attachment_id: str, user) -> Attachment:
    """A photo whose public copy a moderator may blur."""
    testimony = testimony_allowed(
        public_id=public_id, user=user, action=Action.BLUR_MEDIA
    )
    attachment = testimony.attachments.filter(
        public_id=attachment_id, kind=AttachmentKind.IMAGE
    ).first()
    if attachment is None:
        raise TestimonyNotVisible
    return attachment


def attachment_file(
    *, public_id: str, attachment_id: str, variant: str, user
) -> ServedFile:
    """One file of an attachment in the clear, if `user` may be served that
    copy now (testimonies.policy.media_copies); TestimonyNotVisible otherwise,
    and when the file is missing."""
    if variant not in store.VARIANTS:
        raise TestimonyNotVisible
    testimony = testimony_allowed(
        public_id=public_id, user=user, action=Action.VIEW_MEDIA
    )
    if store.COPY_OF[variant] not in policy.media_copies(user, testimony):
        raise TestimonyNotVisible
    attachment = testimony.attachments.filter(public_id=attachment_id).first()
    if attachment is None or (variant != store.ORIGINAL and not attachment.is_image):
        raise TestimonyNotVisible
    data = store.file_open(attachment, variant)
    if data is None:
        raise TestimonyNotVisible
    original = variant == store.ORIGINAL
    media_type = attachment.media_type if original else attachment.working_media_type
    extension = EXTENSIONS.get(media_type, "bin")
    return ServedFile(
        attachment=attachment,
        data=data,
        media_type=media_type,
        filename=f"attachment-{attachment.public_id}-{variant}.{extension}",
        original=original,
    )
