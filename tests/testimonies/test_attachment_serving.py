"""The attachment pages and the media view, read: who gets which copy of a
published photo, what the served bytes hold, who is shown the upload and
blur pages of a draft's photo.

These tests only read (a logged download's audit entry rolls back): the
two testimonies and their photos are built once for the module. What
changes them (uploads, removals, blurring, withdrawals, erasure) is in
test_attachment_views.py, with data of its own for each test."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.attachments.selectors import attachment_file
from testimonies.attachments.services import attachment_add
from testimonies.audit_actions import AuditAction
from testimonies.models import Attachment
from tests import factories
from tests.testimonies import test_attachment_views as views
from tests.testimonies.media_samples import metadata_problems, photo_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

ROLES = views.ROLES
IMAGE_VARIANTS = views.IMAGE_VARIANTS
SERVED = views.SERVED
PAGE_STATUS = views.PAGE_STATUS
file_url = views.file_url
attachment_url = views.attachment_url
goes_to_two_factor = views.goes_to_two_factor
assert_blur_status = views.assert_blur_status
# A client for each role, and the documenter who recorded neither.
as_role = views.as_role
other_documenter = views.other_documenter


def _media_emptied():
    shutil.rmtree(Path(settings.MEDIA_ROOT), ignore_errors=True)


@pytest.fixture(scope="module")
def photos(built_once):
    """`published` and `draft` (test_attachment_views.py), built once with
    their photos' files, in a media folder emptied before and after the
    module."""
    _media_emptied()

    def build():
        documenter = factories.user_in("documenter")
        moderator = factories.user_in("moderator")
        published = factories.testimony(
            recorded_by=documenter, consent=dict(views.EVERY_SCOPE)
        )
        draft = factories.testimony(status="draft", recorded_by=documenter)
        return {
            "published": attachment_add(
                testimony=published, upload=upload(photo_bytes()), by=moderator
            ),
            "draft": attachment_add(
                testimony=draft, upload=upload(photo_bytes()), by=documenter
            ),
        }

    yield built_once(build)
    _media_emptied()


def _read_again(attachment):
    attachment = Attachment.objects.select_related("testimony").get(pk=attachment.pk)
    return attachment.testimony, attachment


@pytest.fixture
def published(photos):
    """An approved testimony recorded by `documenter`, every scope granted,
    with a photo attached (read again for each test)."""
    return _read_again(photos["published"])


@pytest.fixture
def draft(photos):
    """A draft of `documenter`'s with a photo attached (read again)."""
    return _read_again(photos["draft"])


@pytest.mark.parametrize("role", ROLES)
def test_the_media_view_serves_each_role_its_copies_only(published, as_role, role):
    _testimony, attachment = published
    client = as_role(role)
    for variant in IMAGE_VARIANTS:
        response = client.get(file_url(attachment, variant))
        if role == "moderator-unverified":
            assert goes_to_two_factor(response), variant
        elif variant in SERVED[role]:
            assert response.status_code == 200, variant
        else:
            assert response.status_code == 404, variant
    assert client.get(file_url(attachment, "no-such-copy")).status_code in (302, 404)


@pytest.mark.parametrize(
    "variant", ["public", "public-thumb", "working", "working-thumb"]
)
def test_served_copies_carry_no_metadata_and_a_neutral_name(
    published, client_for, moderator, variant
):
    _testimony, attachment = published
    response = client_for(moderator).get(file_url(attachment, variant))

    assert response.status_code == 200
    assert metadata_problems(response.content) == []
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'inline; filename="attachment-{attachment.public_id}-{variant}.jpg"'
    )


def test_the_original_is_a_logged_download_for_moderators(
    published, client_for, moderator
):
    _testimony, attachment = published
    response = client_for(moderator).get(file_url(attachment, "original"))

    assert response.content == photo_bytes()
    assert response["Content-Disposition"] == (
        f'attachment; filename="attachment-{attachment.public_id}-original.jpg"'
    )
    assert "IMG_2025" not in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action=AuditAction.READ_MEDIA_ORIGINAL)
    assert (entry.actor, entry.detail) == (moderator, attachment.public_id)


def test_reading_an_original_file_writes_nothing_until_the_view_serves_it(
    published, moderator
):
    testimony, attachment = published
    before = AuditEntry.objects.count()
    for _ in range(2):
        served = attachment_file(
            public_id=testimony.public_id,
            attachment_id=attachment.public_id,
            variant="original",
            user=moderator,
        )
        assert served.original and served.data == photo_bytes()
    assert AuditEntry.objects.count() == before


def test_the_testimony_page_shows_thumbnails_as_the_policy_allows(
    published, client_for, users
):
    testimony, attachment = published
    anonymous = client_for(users["anonymous"]).get(testimony.get_absolute_url())
    assert file_url(attachment, "public-thumb").encode() in anonymous.content
    assert b'alt="Photo 1 attached to this testimony"' in anonymous.content
    assert b"working" not in anonymous.content
    own = client_for(users["documenter"]).get(testimony.get_absolute_url())
    assert file_url(attachment, "working-thumb").encode() in own.content


@pytest.mark.parametrize("role", ROLES)
def test_the_upload_page_is_for_the_recording_documenter_and_moderators(
    draft, as_role, role
):
    testimony, _attachment = draft
    url = reverse("testimonies:attachments", kwargs={"public_id": testimony.public_id})
    response = as_role(role).get(url)
    if role == "moderator-unverified":
        assert goes_to_two_factor(response)
    else:
        assert response.status_code == PAGE_STATUS[role]
    if response.status_code == 200:
        assert b'enctype="multipart/form-data"' in response.content
        assert b'<label for="attachment_file">' in response.content


def test_the_documenter_may_no_longer_attach_once_submitted(
    published, client_for, documenter
):
    testimony, _attachment = published
    url = reverse("testimonies:attachments", kwargs={"public_id": testimony.public_id})
    assert client_for(documenter).get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_blur_page_is_for_moderators(draft, as_role, role):
    _testimony, attachment = draft
    response = as_role(role).get(
        attachment_url("testimonies:attachment-blur", attachment)
    )
    assert_blur_status(response, role)
    if response.status_code == 200:
        assert b'src="/static/js/blur.js"' in response.content
        assert b'name="area-0-x"' in response.content
