"""Checking and processing an uploaded file, in memory, before anything is
stored.

What a file is comes from its content only: its first bytes (magic
numbers), and for images Pillow reading the header, verifying and decoding
the whole picture. The name the uploader gave and the content type their
browser sent decide nothing; the name's extension is only compared with the
content, so that a file named as one kind of thing and holding another (a
photo named ".pdf", a text renamed ".jpg") is refused instead of being
filed as something it does not claim to be.

Images become working copies made from their pixels alone: turned upright
by their EXIF orientation, converted to sRGB, then rebuilt from raw pixel
data and re-encoded (JPEG, or PNG where there is transparency), so that no
EXIF, GPS, XMP, IPTC, ICC profile, comment or embedded thumbnail of the
original survives. An animated GIF keeps its first frame only. PDF and
audio files are kept as received: there is no safe working copy of them.
"""

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageFilter, ImageOps

from testimonies.attachments.models import AttachmentKind

DISPLAY_SIDE = 1600
THUMBNAIL_SIDE = 320
# The kind a file's name claims, by extension (compared with the content,
# never used to decide it).
NAMED_KINDS = {
    **dict.fromkeys(("jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif"), "image"),
    "pdf": "pdf",
    **dict.fromkeys(("mp3", "ogg", "oga", "opus", "wav", "m4a", "webm"), "audio"),
}
PDF_TAIL = 1024
M4A_BRANDS = (b"M4A ", b"M4B ", b"F4A ")


class AttachmentRefused(ValidationError):
    """An upload the archive does not keep, with a message for the uploader."""


@dataclass(frozen=True)
class Detected:
    kind: str
    media_type: str
    # Pillow's format name, for images.
    image_format: str = ""


@dataclass(frozen=True)
class ImageCopies:
    """Encoded working copies of an image, from pixel data only."""

    width: int
    height: int
    media_type: str
    working: bytes
    working_thumb: bytes
    public: bytes
    public_thumb: bytes


def limit_label() -> str:
    return filesizeformat(settings.ATTACHMENT_MAX_BYTES)


def refuse_too_large() -> AttachmentRefused:
    return AttachmentRefused(
        _("This file is larger than %(limit)s, the most the archive accepts.")
        % {"limit": limit_label()},
        code="too_large",
    )


def _named_kind(name: str) -> str | None:
    suffix = PurePath(name or "").suffix.lower().lstrip(".")
    return NAMED_KINDS.get(suffix)


def _sniff(data: bytes) -> Detected | None:
    """The type of `data` by its signature, or None."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image", "image/jpeg", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image", "image/png", "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("image", "image/gif", "GIF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image", "image/webp", "WEBP")
    if head.startswith(b"%PDF-"):
        return Detected("pdf", "application/pdf")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Detected("audio", "audio/wav")
    if head.startswith(b"OggS"):
        codec = "opus" if b"OpusHead" in data[:512] else "vorbis"
        return Detected("audio", f"audio/ogg; codecs={codec}")
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return Detected("audio", "audio/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return Detected("audio", "audio/webm")
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return Detected("audio", "audio/mpeg")
    return None


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2 layer III frame header (an MP3 without an ID3 tag)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and rate != 3


def detect(data: bytes, name: str = "") -> Detected:
    """What this file is, by its content; AttachmentRefused when it is
    nothing the archive keeps, or not what its name says."""
    if not data:
        raise AttachmentRefused(_("This file is empty."), code="empty")
    detected = _sniff(data)
    named = _named_kind(name)
    if detected is None:
        if named == "image":
            raise AttachmentRefused(
                _(
                    "This file is named as a photo but its content is not a "
                    "JPEG, PNG, WebP or GIF image. The archive goes by what a "
                    "file holds, not by its name."
                ),
                code="not_an_image",
            )
        raise AttachmentRefused(
            _(
                "The archive does not accept this kind of file. It accepts "
                "photos (JPEG, PNG, WebP, GIF), PDF documents and audio "
                "recordings (MP3, Ogg/Opus, WAV, M4A, WebM), recognised by "
                "their content."
            ),
            code="unsupported",
        )
    if named is not None and named != detected.kind:
        raise AttachmentRefused(
            _(
                "The name of this file does not match its content: the name "
                "says “%(named)s”, the content is “%(actual)s”. Check that it "
                "is the file you meant to send, and give it a name that "
                "matches what it is."
            )
            % {
                "named": AttachmentKind(named).label,
                "actual": AttachmentKind(detected.kind).label,
            },
            code="name_mismatch",
        )
    if detected.kind == "pdf" and b"%%EOF" not in data[-PDF_TAIL:]:
        raise AttachmentRefused(
            _(
                "This PDF document is incomplete: it stops before its end. "
                "Send the whole file again."
            ),
            code="truncated",
        )
    return detected


def _too_many_pixels(pixels: int | None = None) -> AttachmentRefused:
    limit = settings.ATTACHMENT_MAX_PIXELS / 1_000_000
    if pixels:
        message = _(
            "This image has too many pixels (%(pixels).1f million; the archive "
            "accepts up to %(limit).1f million). Send a smaller copy."
        ) % {"pixels": pixels / 1_000_000, "limit": limit}
    else:
        message = _(
            "This image has too many pixels (the archive accepts up to "
            "%(limit).1f million). Send a smaller copy."
        ) % {"limit": limit}
    return AttachmentRefused(message, code="too_many_pixels")


def _damaged(error: Exception) -> AttachmentRefused:
    if "truncat" in str(error).lower():
        return AttachmentRefused(
            _(
                "This image is incomplete: it stops before its end, perhaps "
                "because a transfer was interrupted. Send the whole file again."
            ),
            code="truncated",
        )
    return AttachmentRefused(
        _("This image is damaged and cannot be read."), code="damaged"
    )


def _open(data: bytes, image_format: str) -> Image.Image:
    """Open with Pillow's decoder for the sniffed format only, refusing
    decompression bombs both by our limit and by Pillow's own."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # set by someone: it would hide damage
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[image_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise _damaged(error) from None
    width, height = image.size
    if width * height > settings.ATTACHMENT_MAX_PIXELS:
        raise _too_many_pixels(width * height)
    return image


def image_check(data: bytes, image_format: str) -> Image.Image:
    """The image decoded in full (first frame), after checking its header's
    size against the pixel limit and verifying it; AttachmentRefused when
    it is too big, truncated or damaged."""
    probe = _open(data, image_format)
    try:
        probe.verify()
    except Exception as error:  # noqa: BLE001 - each decoder raises its own
        raise _damaged(error) from None
    image = _open(data, image_format)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except Image.DecompressionBombWarning:
        raise _too_many_pixels() from None
    except Exception as error:  # noqa: BLE001
        raise _damaged(error) from None
    return image


def _upright_srgb(image: Image.Image) -> Image.Image:
    """Turned by its EXIF orientation, in sRGB, RGB or RGBA."""
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken EXIF block: keep it as stored
        image = image.copy()
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    target = "RGBA" if transparent else "RGB"
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            image = ImageCms.profileToProfile(image, source, srgb, outputMode=target)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: colours as stored
    return image.convert(target) if image.mode != target else image


def pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: nothing of the original file's
    metadata (its `info`, EXIF, profile, comments) is carried over."""
    upright = _upright_srgb(image)
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _shrunk_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The size _shrunk gives an image of this size, to within a pixel
    (Pillow rounds in its own way)."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def display_size(width: int | None, height: int | None) -> tuple[int, int] | None:
    """The size of the display copies image_copies makes of an upright image
    of this size, to within a pixel: a page gives it to the image so that its
    room is kept before the image comes, and nothing below it (a button, a
    link) moves under the pointer as it loads. None for a size not known
    (the fields may be empty): the page then gives none."""
    if not (width and height):
        return None
    return _shrunk_size(width, height, DISPLAY_SIDE)


def thumbnail_size(width: int | None, height: int | None) -> tuple[int, int] | None:
    """The size of the thumbnails image_copies makes, as display_size."""
    shown = display_size(width, height)
    return shown and _shrunk_size(*shown, THUMBNAIL_SIDE)


def encode(image: Image.Image) -> tuple[bytes, str]:
    """Encoded with no metadata at all: JPEG, or PNG to keep transparency."""
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG")
        return buffer.getvalue(), "image/png"
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue(), "image/jpeg"


def blur_apply(image: Image.Image, regions: list[dict]) -> Image.Image:
    """A copy with each area destroyed: pixelated to at most eight blocks
    across its longer side, then blurred. Irreversible: the detail is gone
    from the copy's pixels, not hidden by a layer."""
    result = image.copy()
    width, height = result.size
    for region in regions:
        box = (
            math.floor(region["x"] / 100 * width),
            math.floor(region["y"] / 100 * height),
            math.ceil((region["x"] + region["w"]) / 100 * width),
            math.ceil((region["y"] + region["h"]) / 100 * height),
        )
        box = (box[0], box[1], min(box[2], width), min(box[3], height))
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        area = result.crop(box)
        area_w, area_h = area.size
        block = max(4, math.ceil(max(area_w, area_h) / 8))
        small = area.resize(
            (max(1, area_w // block), max(1, area_h // block)),
            Image.Resampling.BOX,
        )
        destroyed = small.resize((area_w, area_h), Image.Resampling.NEAREST)
        destroyed = destroyed.filter(ImageFilter.GaussianBlur(block / 2))
        result.paste(destroyed, box[:2])
    return result


def public_copies(working: Image.Image, regions: list[dict]) -> tuple[bytes, bytes]:
    """The public display copy and its thumbnail, blurred areas burnt in."""
    blurred = blur_apply(working, regions)
    return encode(blurred)[0], encode(_shrunk(blurred, THUMBNAIL_SIDE))[0]


def image_copies(image: Image.Image, regions: list[dict]) -> ImageCopies:
    """Working copies (display size and thumbnail) and public copies of a
    checked image."""
    clean = pixels_only(image)
    display = _shrunk(clean, DISPLAY_SIDE)
    working, media_type = encode(display)
    public, public_thumb = public_copies(display, regions)
    return ImageCopies(
        width=clean.width,
        height=clean.height,
        media_type=media_type,
        working=working,
        working_thumb=encode(_shrunk(display, THUMBNAIL_SIDE))[0],
        public=public,
        public_thumb=public_thumb,
    )


def decode_working(data: bytes) -> Image.Image:
    """A working copy read back (the archive's own re-encoded file)."""
    image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
    image.load()
    return image
