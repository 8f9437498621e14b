"""Attachments: checked by content, the original sealed with its SHA-256 and
a custody entry, copies without metadata, nothing left by a refusal or a
rollback, and nothing at all after an erasure."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image, ImageStat

from archive.audit_check import audit_verify
from archive.models import AuditEntry
from testimonies.attachments import store
from testimonies.attachments.media_store import media_folder
from testimonies.attachments.services import (
    AttachmentRefused,
    attachment_add,
    attachment_remove,
    attachment_set_blur,
)
from testimonies.audit_actions import AuditAction
from testimonies.consent.erasure_content import content_sha256, erased_content
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Attachment, AttachmentCustody, CustodyEvent
from testimonies.recording.services import WitnessDetails, recording_witness_save
from tests import factories
from tests.databases import database_dump
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    BLUE,
    GPS_LATITUDE,
    RED,
    SERIAL,
    empty_media,
    media_bytes,
    media_files,
    metadata_problems,
    pdf_bytes,
    photo_bytes,
    png_claiming,
    read_back,
    upload,
    wav_bytes,
)

pytestmark = [committed_db, pytest.mark.usefixtures("empty_media")]


@pytest.fixture
def draft(documenter):
    return factories.testimony(status="draft", recorded_by=documenter)


def add(testimony, by, data, name="IMG_2025.jpg", **kwargs):
    return attachment_add(
        testimony=testimony, upload=upload(data, name), by=by, **kwargs
    )


def near(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


def test_the_original_is_kept_sealed_byte_for_byte_with_its_gps_and_serial(
    draft, documenter
):
    data = photo_bytes()
    attachment = add(draft, documenter, data)

    original = store.file_open(attachment, store.ORIGINAL)
    assert original == data
    kept = Image.open(io.BytesIO(original)).getexif()
    assert kept.get_ifd(0x8825)[2] == GPS_LATITUDE
    assert kept.get_ifd(0x8769)[0xA431] == SERIAL
    # Sealed: nothing on disk holds the serial, the GPS or the picture.
    assert media_files()
    assert SERIAL.encode() not in media_bytes()
    assert data[:200] not in media_bytes()
    assert (attachment.kind, attachment.media_type) == ("image", "image/jpeg")
    assert (attachment.size, attachment.sha256) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
    )


def test_a_custody_entry_records_the_original_and_is_sealed_in_the_audit_chain(
    draft, documenter
):
    data = photo_bytes()
    attachment = add(draft, documenter, data)

    custody = AttachmentCustody.objects.get(attachment_public_id=attachment.public_id)
    assert custody.sha256 == hashlib.sha256(data).hexdigest()
    assert (custody.size, custody.media_type, custody.by) == (
        len(data),
        "image/jpeg",
        documenter,
    )
    assert custody.event == CustodyEvent.RECEIVED and custody.at
    entry = AuditEntry.objects.get(action=AuditAction.ATTACHMENT_ADDED)
    assert (entry.subject_type, entry.subject_id) == (
        "testimonies.attachmentcustody",
        str(custody.pk),
    )
    assert audit_verify().broken is None
    with pytest.raises(ValidationError):
        custody.save()  # append-only


@pytest.mark.parametrize("variant", [v for v in store.VARIANTS if v != "original"])
def test_every_copy_is_rebuilt_from_pixels_without_any_metadata(
    draft, documenter, variant
):
    attachment = add(draft, documenter, photo_bytes(fmt="JPEG"))

    data = store.file_open(attachment, variant)
    assert metadata_problems(data) == []
    assert read_back(data).format == "JPEG"


def test_png_and_webp_photos_lose_their_metadata_too(draft, documenter):
    for fmt, name in (("PNG", "a.png"), ("WEBP", "b.webp")):
        attachment = add(draft, documenter, photo_bytes(fmt=fmt), name=name)
        assert attachment.media_type == f"image/{fmt.lower()}"
        for variant in ("working", "public-thumb"):
            assert metadata_problems(store.file_open(attachment, variant)) == []


def test_an_animated_gif_keeps_its_first_frame_without_its_comment(draft, documenter):
    frames = [Image.new("RGB", (60, 40), colour) for colour in (RED, BLUE, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"Layla Haddad"
    )

    attachment = add(draft, documenter, buffer.getvalue(), name="clip.gif")

    assert attachment.media_type == "image/gif"
    working = store.file_open(attachment, store.WORKING)
    assert b"Layla" not in working and metadata_problems(working) == []
    assert near(read_back(working).getpixel((30, 20)), RED)


def test_a_photo_taken_sideways_is_turned_upright_by_its_orientation(draft, documenter):
    # Orientation 6: the camera was turned; the stored left half (red) is
    # the top of the picture as seen.
    attachment = add(draft, documenter, photo_bytes(size=(96, 64), orientation=6))

    working = read_back(store.file_open(attachment, store.WORKING))
    assert working.size == (64, 96) == (attachment.width, attachment.height)
    assert near(working.getpixel((32, 10)), RED)
    assert near(working.getpixel((32, 86)), BLUE)


REFUSALS = {
    "renamed text file": (
        b"Notes of the interview: the family hides in the old mill.\n",
        "photo.jpg",
        "not_an_image",
        "named as a photo but its content is not",
    ),
    "truncated jpeg": (None, "photo.jpg", "truncated", "incomplete"),
    "over the pixel limit": (None, "big.jpg", "too_many_pixels", "too many pixels"),
    "a bomb's header": (
        png_claiming(30_000, 30_000),
        "small.png",
        "too_many_pixels",
        "too many pixels",
    ),
    "over the size limit": (None, "photo.jpg", "too_large", "larger than"),
    "image named as a pdf": (None, "scan.pdf", "name_mismatch", "does not match"),
    "unknown kind": (
        b"PK\x03\x04 zip archive",
        "x.zip",
        "unsupported",
        "does not accept",
    ),
    "truncated pdf": (pdf_bytes()[:40], "scan.pdf", "truncated", "incomplete"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_uploads_leave_nothing_on_disk_or_in_the_database(
    draft, documenter, settings, case
):
    data, name, code, message = REFUSALS[case]
    photo = photo_bytes(size=(96, 64))
    if case == "truncated jpeg":
        data = photo[: len(photo) // 2]
    elif case == "over the pixel limit":
        settings.ATTACHMENT_MAX_PIXELS = 96 * 64 - 1
        data = photo
    elif case == "over the size limit":
        settings.ATTACHMENT_MAX_BYTES = len(photo) - 1
        data = photo
    elif data is None:
        data = photo
    entries = AuditEntry.objects.count()

    with pytest.raises(AttachmentRefused) as refused:
        add(draft, documenter, data, name=name)

    assert refused.value.code == code
    assert message in refused.value.messages[0]
    assert media_files() == []
    assert not Attachment.objects.exists()
    assert not AttachmentCustody.objects.exists()
    assert AuditEntry.objects.count() == entries


class Unreadable(io.BytesIO):
    """An upload announcing its size, that must not be read."""

    name = "huge.jpg"

    def __init__(self, size):
        super().__init__()
        self.size = size

    def read(self, *args):
        raise AssertionError("read although its size was already too large")


def test_a_file_announced_too_large_is_refused_before_it_is_read(
    draft, documenter, settings
):
    with pytest.raises(AttachmentRefused) as refused:
        attachment_add(
            testimony=draft,
            upload=Unreadable(settings.ATTACHMENT_MAX_BYTES + 1),
            by=documenter,
        )
    assert refused.value.code == "too_large"


def test_a_rolled_back_transaction_leaves_no_file_and_no_row(draft, documenter):
    with pytest.raises(RuntimeError), transaction.atomic():
        add(draft, documenter, photo_bytes())
        assert Attachment.objects.exists()
        raise RuntimeError("the request failed after the upload")

    assert media_files() == []
    assert not Attachment.objects.exists()
    assert not AttachmentCustody.objects.exists()


def test_a_failed_write_takes_the_attachment_back_out(draft, documenter):
    # Something in the way of the attachments' folder: the write fails
    # after the row has been committed.
    blocker = media_folder(draft) / "attachments"
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"not a folder")

    with pytest.raises(AttachmentRefused) as refused:
        add(draft, documenter, photo_bytes())

    assert refused.value.code == "storage_failed"
    assert not Attachment.objects.exists()
    events = list(AttachmentCustody.objects.values_list("event", flat=True))
    assert events == [CustodyEvent.RECEIVED, CustodyEvent.REMOVED]
    assert media_files() == [blocker]
    assert audit_verify().broken is None


def test_pdf_and_audio_are_kept_as_received_without_copies(draft, documenter):
    pdf = add(draft, documenter, pdf_bytes(), name="statement.pdf")
    audio = add(draft, documenter, wav_bytes(), name="interview.wav")

    assert (pdf.kind, pdf.media_type) == ("pdf", "application/pdf")
    assert (audio.kind, audio.media_type) == ("audio", "audio/wav")
    assert store.file_open(pdf, store.ORIGINAL) == pdf_bytes()
    assert store.file_open(audio, store.ORIGINAL) == wav_bytes()
    assert store.file_open(pdf, store.WORKING) is None


def test_the_description_and_the_file_name_are_sealed(draft, documenter):
    add(
        draft,
        documenter,
        photo_bytes(),
        name="Nizar Quokkafeather at home.jpg",
        description="Nizar Quokkafeather's burnt kitchen",
    )
    dump = database_dump()
    assert "Quokkafeather" not in dump
    attachment = Attachment.objects.get()
    assert attachment.description == "Nizar Quokkafeather's burnt kitchen"
    assert attachment.original_name == "Nizar Quokkafeather at home.jpg"


def test_blurred_areas_are_destroyed_in_the_public_copy_only(
    draft, documenter, moderator
):
    attachment = add(draft, documenter, photo_bytes(size=(200, 200), pattern=True))
    # The checkerboard's contrast, as the working copy keeps it.
    working = read_back(store.file_open(attachment, store.WORKING)).convert("L")
    box, outside = (10, 10, 90, 90), (120, 120, 190, 190)
    assert ImageStat.Stat(working.crop(box)).stddev[0] > 60

    attachment_set_blur(
        attachment=attachment,
        regions=[{"x": 0, "y": 0, "w": 50, "h": 50}],
        by=moderator,
    )

    public = read_back(store.file_open(attachment, store.PUBLIC)).convert("L")
    assert ImageStat.Stat(public.crop(box)).stddev[0] < 10
    assert ImageStat.Stat(public.crop(outside)).stddev[0] > 60
    thumb = read_back(store.file_open(attachment, store.PUBLIC_THUMB)).convert("L")
    half = thumb.width // 2
    assert ImageStat.Stat(thumb.crop((2, 2, half - 8, half - 8))).stddev[0] < 10
    again = read_back(store.file_open(attachment, store.WORKING)).convert("L")
    assert ImageStat.Stat(again.crop(box)).stddev[0] > 60
    # The copies made again for the blur carry no metadata either.
    for variant in (store.PUBLIC, store.PUBLIC_THUMB):
        assert metadata_problems(store.file_open(attachment, variant)) == []
    attachment.refresh_from_db()
    assert attachment.blur_regions == [{"x": 0, "y": 0, "w": 50, "h": 50}]
    assert AuditEntry.objects.filter(action=AuditAction.BLUR_CHANGED).count() == 1


def test_only_moderators_blur_and_areas_must_lie_inside(draft, documenter, moderator):
    attachment = add(draft, documenter, photo_bytes())
    with pytest.raises(ValidationError):
        attachment_set_blur(
            attachment=attachment,
            regions=[{"x": 0, "y": 0, "w": 5, "h": 5}],
            by=documenter,
        )
    with pytest.raises(ValidationError):
        attachment_set_blur(
            attachment=attachment,
            regions=[{"x": 60, "y": 0, "w": 50, "h": 5}],
            by=moderator,
        )


def test_the_documenter_attaches_until_review_and_moderators_after(
    documenter, moderator
):
    submitted = factories.testimony(status="submitted", recorded_by=documenter)
    with pytest.raises(ValidationError) as refused:
        add(submitted, documenter, photo_bytes())
    assert refused.value.code == "not_allowed"
    attachment = add(submitted, moderator, photo_bytes())
    with pytest.raises(ValidationError):
        attachment_remove(attachment=attachment, by=documenter)
    attachment_remove(attachment=attachment, by=moderator)
    assert not Attachment.objects.exists()


def test_removing_an_attachment_deletes_its_files_and_keeps_its_custody(
    draft, documenter
):
    keep = add(draft, documenter, photo_bytes(), description="kept")
    gone = add(draft, documenter, photo_bytes(size=(50, 50)))

    attachment_remove(attachment=gone, by=documenter)

    assert [a.pk for a in Attachment.objects.all()] == [keep.pk]
    assert store.file_open(keep, store.WORKING) is not None
    assert not any(gone.public_id in str(path) for path in media_files())
    events = AttachmentCustody.objects.filter(attachment_public_id=gone.public_id)
    assert [e.event for e in events] == [CustodyEvent.RECEIVED, CustodyEvent.REMOVED]
    assert audit_verify().broken is None


def test_erasure_removes_every_file_row_and_readable_copy(draft, documenter, moderator):
    data = photo_bytes()
    attachment = add(draft, documenter, data, description="Nizar's kitchen")
    folder = media_folder(draft)
    assert folder.exists()
    content = erased_content(draft)
    assert [a["description"] for a in content["attachments"]] == ["Nizar's kitchen"]
    assert content["attachments"][0]["sha256"] == hashlib.sha256(data).hexdigest()

    erasure = testimony_erase(
        testimony=draft, reason="the witness asked", erased_by=moderator
    )

    assert not folder.exists() and media_files() == []
    assert not Attachment.objects.exists()
    # The witness had no other testimony: the key is gone, the original
    # cannot be opened from any copy of the files either.
    assert store.file_open(attachment, store.ORIGINAL) is None
    custody = AttachmentCustody.objects.get(attachment_public_id=attachment.public_id)
    assert custody.sha256 == hashlib.sha256(data).hexdigest()
    assert erasure.content_sha256 == content_sha256(content)
    assert audit_verify().broken is None


def test_a_draft_with_files_stays_with_its_witness(draft, documenter):
    """Its files are sealed under its witness's key, which moving the draft
    to another witness would destroy."""
    add(draft, documenter, photo_bytes())
    other = factories.testimony(status="draft", recorded_by=documenter)
    key = "family-9"
    recording_witness_save(
        user=documenter,
        testimony=other,
        details=WitnessDetails(witness_key=key),
    )
    with pytest.raises(ValidationError) as error:
        recording_witness_save(
            user=documenter,
            testimony=draft,
            details=WitnessDetails(witness_key=key),
        )
    assert "witness_key" in error.value.message_dict
    assert store.file_open(draft.attachments.get(), store.ORIGINAL) == photo_bytes()
