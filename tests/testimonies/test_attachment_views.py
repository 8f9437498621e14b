"""The attachment pages and the media view: who gets which copy, per request,
and what the served bytes hold, as attachments are added, removed, blurred,
withdrawn and erased. Each test builds its own testimonies and files; the
tests that only read share theirs (test_attachment_serving.py)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from testimonies.attachments.services import attachment_add
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Attachment
from tests import factories
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    media_files,
    photo_bytes,
    upload,
)

pytestmark = [committed_db, pytest.mark.usefixtures("empty_media")]

EVERY_SCOPE = {
    "archive": True, "researchers": True, "public": True, "media": True,
    "images": "public",
}  # fmt: skip
ROLES = (
    "anonymous",
    "researcher",
    "documenter",
    "other-documenter",
    "moderator",
    "moderator-unverified",
)
IMAGE_VARIANTS = ("public", "public-thumb", "working", "working-thumb", "original")


@pytest.fixture
def other_documenter(db):
    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


@pytest.fixture
def as_role(client_for, users, other_documenter):
    def make(role):
        if role == "moderator-unverified":
            return client_for(users["moderator"], verified=False)
        user = other_documenter if role == "other-documenter" else users[role]
        return client_for(user)

    return make


@pytest.fixture
def published(documenter, moderator):
    """An approved testimony recorded by `documenter`, every scope granted,
    with a photo attached."""
    testimony = factories.testimony(recorded_by=documenter, consent=dict(EVERY_SCOPE))
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes()), by=moderator
    )
    return testimony, attachment


@pytest.fixture
def draft(documenter):
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes()), by=documenter
    )
    return testimony, attachment


def file_url(attachment, variant):
    return reverse(
        "testimonies:attachment-file",
        kwargs={
            "public_id": attachment.testimony.public_id,
            "attachment_id": attachment.public_id,
            "variant": variant,
        },
    )


def attachment_url(name, attachment):
    return reverse(
        name,
        kwargs={
            "public_id": attachment.testimony.public_id,
            "attachment_id": attachment.public_id,
        },
    )


def goes_to_two_factor(response):
    return response.status_code == 302 and response["Location"].startswith(
        reverse("two-factor")
    )


# Who is served which copy of a published photo.
SERVED = {
    "anonymous": {"public", "public-thumb"},
    "researcher": {"public", "public-thumb"},
    "documenter": {"public", "public-thumb", "working", "working-thumb"},
    "other-documenter": {"public", "public-thumb"},
    "moderator": set(IMAGE_VARIANTS),
}


def test_withdrawing_image_consent_stops_the_serving_at_once(
    published, client_for, users
):
    testimony, attachment = published
    public = file_url(attachment, "public")
    assert client_for(users["anonymous"]).get(public).status_code == 200

    consent_withdraw(
        testimony=testimony, scopes=["images"], reason="asked", obtained_by="test"
    )

    assert client_for(users["anonymous"]).get(public).status_code == 404
    assert client_for(users["researcher"]).get(public).status_code == 404
    assert client_for(users["documenter"]).get(public).status_code == 200
    assert client_for(users["moderator"]).get(public).status_code == 200
    page = client_for(users["anonymous"]).get(testimony.get_absolute_url())
    assert public.encode() not in page.content
    # The account itself stays public: only the showing of images went.
    assert page.status_code == 200


@pytest.mark.parametrize(
    "consent, shown_to",
    [
        # The media scope (journalists may quote) shows no image any more.
        ({**EVERY_SCOPE, "images": ""}, set()),
        ({**EVERY_SCOPE, "images": "none"}, set()),
        ({**EVERY_SCOPE, "images": "researchers"}, {"researcher", "other-documenter"}),
        ({**EVERY_SCOPE, "images": "public"},
         {"anonymous", "researcher", "other-documenter"}),
        ({"archive": True, "researchers": True, "images": "public"},
         {"researcher", "other-documenter"}),  # the public cannot see it at all
    ],
)  # fmt: skip
def test_images_follow_their_own_consent_question(
    documenter, moderator, as_role, consent, shown_to
):
    testimony = factories.testimony(recorded_by=documenter, consent=dict(consent))
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes()), by=moderator
    )
    public = file_url(attachment, "public")
    for role in ("anonymous", "researcher", "other-documenter"):
        served = as_role(role).get(public).status_code == 200
        assert served is (role in shown_to), role
    for role in ("documenter", "moderator"):
        assert as_role(role).get(public).status_code == 200, role


def test_without_image_consent_the_public_sees_no_attachment(
    documenter, moderator, client_for, anonymous
):
    testimony = factories.testimony(recorded_by=documenter)  # images not asked
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes()), by=moderator
    )
    page = client_for(anonymous).get(testimony.get_absolute_url())
    assert page.status_code == 200 and attachment.public_id.encode() not in page.content
    response = client_for(anonymous).get(file_url(attachment, "public"))
    assert response.status_code == 404


def test_the_review_page_shows_the_attachment_to_the_moderator(
    documenter, moderator, client_for
):
    testimony = factories.testimony(status="submitted", recorded_by=documenter)
    attachment = attachment_add(
        testimony=testimony,
        upload=upload(photo_bytes()),
        by=moderator,
        description="the burnt kitchen",
    )
    response = client_for(moderator).get(
        reverse("moderation:review", kwargs={"public_id": testimony.public_id})
    )
    assert file_url(attachment, "working-thumb").encode() in response.content
    assert b'alt="the burnt kitchen"' in response.content
    assert attachment_url("testimonies:attachment-blur", attachment).encode() in (
        response.content
    )


# The upload page -------------------------------------------------------------

PAGE_STATUS = {
    "anonymous": 404,
    "researcher": 404,
    "documenter": 200,
    "other-documenter": 404,
    "moderator": 200,
}


def upload_url(testimony):
    return reverse("testimonies:attachments", kwargs={"public_id": testimony.public_id})


def test_an_upload_goes_to_the_safe_next_address(draft, client_for, documenter):
    testimony, _attachment = draft
    client = client_for(documenter)
    mine = reverse("testimonies:mine")
    response = client.post(
        upload_url(testimony),
        {"file": upload(photo_bytes(size=(40, 30))), "next": mine, "description": ""},
    )
    assert (response.status_code, response["Location"]) == (302, mine)
    assert testimony.attachments.count() == 2

    response = client.post(
        upload_url(testimony),
        {"file": upload(photo_bytes()), "next": "https://elsewhere.example/"},
    )
    assert (response.status_code, response["Location"]) == (302, upload_url(testimony))


def test_a_refused_upload_shows_why_and_keeps_nothing(draft, client_for, documenter):
    testimony, _attachment = draft
    files = media_files()
    response = client_for(documenter).post(
        upload_url(testimony),
        {"file": upload(b"just some notes\n", name="photo.jpg"), "next": "/"},
    )
    assert response.status_code == 400
    assert b"named as a photo but its content is not" in response.content
    assert testimony.attachments.count() == 1 and media_files() == files


def test_a_refused_upload_from_the_recording_step_leads_back_to_it(
    draft, client_for, documenter
):
    testimony, _attachment = draft
    step = reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": "media"},
    )
    client = client_for(documenter)
    response = client.post(
        upload_url(testimony),
        {"file": upload(b"just some notes\n", name="photo.jpg"), "next": step},
    )
    # The documenter stays on the step (tests/testimonies/test_recording_wizard.py).
    assert response.status_code == 400
    assert "testimonies/recording/step_media.html" in [
        t.name for t in response.templates
    ]
    assert f'name="next" value="{step}"' in response.content.decode()

    response = client.post(
        upload_url(testimony),
        {"file": upload(b"notes", name="photo.jpg"), "next": "https://x.example/"},
    )
    page = response.content.decode()
    assert 'href="https://x.example/"' not in page
    assert f'<a href="{testimony.get_absolute_url()}">Back to the testimony</a>' in page


def test_a_file_over_the_limit_is_not_kept_in_full(
    draft, client_for, documenter, settings
):
    testimony, _attachment = draft
    settings.ATTACHMENT_MAX_BYTES = 2000
    response = client_for(documenter).post(
        upload_url(testimony), {"file": upload(b"\xff\xd8\xff" + b"0" * 5000)}
    )
    assert response.status_code == 400 and b"larger than" in response.content
    assert testimony.attachments.count() == 1


def test_a_request_announcing_too_much_is_refused_unread(
    draft, client_for, documenter, settings
):
    testimony, _attachment = draft
    settings.ATTACHMENT_MAX_BYTES = 10
    response = client_for(documenter).post(
        upload_url(testimony), {"file": upload(b"\xff\xd8\xff" + b"0" * 70_000)}
    )
    assert response.status_code == 413 and b"larger than" in response.content
    assert testimony.attachments.count() == 1


def test_an_upload_needs_the_csrf_token(draft, documenter):
    testimony, _attachment = draft
    client = Client(enforce_csrf_checks=True)
    client.force_login(documenter)
    response = client.post(upload_url(testimony), {"file": upload(photo_bytes())})
    assert response.status_code == 403
    assert testimony.attachments.count() == 1


# Removing and blurring ------------------------------------------------------

REMOVE_STATUS = {
    "anonymous": 404,
    "researcher": 404,
    "documenter": 302,
    "other-documenter": 404,
    "moderator": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_removing_is_for_the_recording_documenter_and_moderators(draft, as_role, role):
    testimony, attachment = draft
    response = as_role(role).post(
        attachment_url("testimonies:attachment-remove", attachment)
    )
    if role == "moderator-unverified":
        assert goes_to_two_factor(response)
    else:
        assert response.status_code == REMOVE_STATUS[role]
    removed = response.status_code == 302 and not goes_to_two_factor(response)
    assert Attachment.objects.filter(pk=attachment.pk).exists() is not removed


BLUR_STATUS = {
    "researcher": 403,
    "documenter": 403,
    "other-documenter": 403,
    "moderator": 200,
}


def assert_blur_status(response, role):
    """The blur page's answer to each role: moderators only (403 to other
    signed-in roles, log in or second factor first)."""
    if role == "moderator-unverified":
        assert goes_to_two_factor(response)
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == BLUR_STATUS[role]


def test_the_blur_form_works_without_script(draft, client_for, moderator):
    _testimony, attachment = draft
    url = attachment_url("testimonies:attachment-blur", attachment)
    data = {
        "area-TOTAL_FORMS": "2",
        "area-INITIAL_FORMS": "0",
        "area-0-x": "10",
        "area-0-y": "20",
        "area-0-w": "30",
        "area-0-h": "40",
    }
    response = client_for(moderator).post(url, data)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.blur_regions == [{"x": 10.0, "y": 20.0, "w": 30.0, "h": 40.0}]

    outside = {**data, "area-0-x": "90"}
    response = client_for(moderator).post(url, outside)
    assert response.status_code == 200 and b"beyond the edge" in response.content


def test_an_erased_testimony_serves_nothing(published, client_for, moderator):
    testimony, attachment = published
    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    for variant in IMAGE_VARIANTS:
        response = client_for(moderator).get(file_url(attachment, variant))
        assert response.status_code == 404
    assert media_files() == []
    # The tombstone still answers, to moderators.
    assert client_for(moderator).get(testimony.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_uploading_is_for_the_recording_documenter_and_moderators(draft, as_role, role):
    testimony, _attachment = draft
    response = as_role(role).post(
        upload_url(testimony), {"file": upload(photo_bytes(size=(40, 30)))}
    )
    added = testimony.attachments.count() - 1
    if role in ("documenter", "moderator"):
        assert (response.status_code, added) == (302, 1)
    elif role == "moderator-unverified":
        assert goes_to_two_factor(response) and added == 0
    else:
        assert (response.status_code, added) == (PAGE_STATUS[role], 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_moderators_save_blurred_areas(draft, as_role, role):
    _testimony, attachment = draft
    response = as_role(role).post(
        attachment_url("testimonies:attachment-blur", attachment),
        {"area-TOTAL_FORMS": "1", "area-INITIAL_FORMS": "0",
         "area-0-x": "10", "area-0-y": "20", "area-0-w": "30", "area-0-h": "40"},
    )  # fmt: skip
    attachment.refresh_from_db()
    if role == "moderator":
        assert response.status_code == 302 and attachment.blur_regions
        return
    assert attachment.blur_regions == []
    assert_blur_status(response, role)


def test_a_thumbnail_keeps_its_room_before_it_loads(documenter, client_for):
    """Its size is in the page, so that the links and buttons below it do not
    move under the pointer as it comes (tests/e2e/test_attachment_flow.py)."""
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    attachment_add(
        testimony=testimony, upload=upload(photo_bytes(size=(400, 300))), by=documenter
    )
    page = client_for(documenter).get(testimony.get_absolute_url()).content.decode()
    assert re.search(r'<img src="[^"]+-thumb/"[^>]* width="320" height="240"', page)


def test_the_blur_page_keeps_the_photos_room_before_they_load(client_for, moderator):
    """The photo above the form and the public copy below it: the form's
    fields and its button stay where they are while they come."""
    testimony = factories.testimony(status="submitted")
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes(size=(2000, 1000))), by=moderator
    )
    url = attachment_url("testimonies:attachment-blur", attachment)
    page = client_for(moderator).get(url).content.decode()
    sized = re.findall(r'<img [^>]*width="1600" height="800"', page)
    assert len(sized) == 2, page


def test_a_photo_whose_size_is_not_recorded_still_opens(draft, client_for, moderator):
    """The size fields may be empty: the pages give no size, and still open."""
    testimony, attachment = draft
    Attachment.objects.filter(pk=attachment.pk).update(width=None, height=None)
    moderator_client = client_for(moderator)
    blur = moderator_client.get(
        attachment_url("testimonies:attachment-blur", attachment)
    )
    detail = moderator_client.get(testimony.get_absolute_url())
    for response in (blur, detail):
        assert response.status_code == 200
        assert b' width="' not in response.content
