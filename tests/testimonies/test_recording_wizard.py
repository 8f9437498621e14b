"""The recording wizard's finer points: hints, the photos step, refused
uploads, the review's redacted text, a witness who gives no name."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from testimonies.attachments.services import attachment_add
from testimonies.models import Testimony
from testimonies.vault.identity import identity_read
from tests import factories
from tests.testimonies.media_samples import photo_bytes, upload

pytestmark = pytest.mark.django_db


def step_url(testimony, step):
    return reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": step},
    )


@pytest.fixture
def draft(documenter):
    return factories.testimony(status="draft", recorded_by=documenter, consent={})


def inputs(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_empty_date_fields_show_the_shape_of_a_date_not_a_date(
    client_for, documenter, draft, language
):
    client = client_for(documenter)
    page = client.get(
        {"en": "", "ar": "/ar"}[language] + step_url(draft, "when-where")
    ).content.decode()
    with translation.override(language):
        hint = translation.gettext("YYYY-MM-DD")
    for name in ("incident_start", "incident_end"):
        field = inputs(page, name)
        assert f'placeholder="{hint}"' in field
        # No digits in the hint: it cannot pass for a date typed in.
        placeholder = re.search(r'placeholder="([^"]*)"', field).group(1)
        assert not re.search(r"[0-9٠-٩]", placeholder)


# --- A refused upload keeps the documenter on the photos step ---------------


def upload_url(testimony):
    return reverse("testimonies:attachments", kwargs={"public_id": testimony.public_id})


def file_field_block(page: str) -> str:
    """The file field's block: its label, input, help and errors."""
    start = page.index('<div class="field has-error">')
    return page[start : page.index('<div class="field', start + 10)]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_refused_upload_stays_on_the_step_with_the_error_beside_the_file(
    client_for, documenter, draft, language
):
    client = client_for(documenter)
    # The Arabic step posts from, and names as `next`, its /ar/ address.
    prefix = {"en": "", "ar": "/ar"}[language]
    step = prefix + step_url(draft, "media")
    response = client.post(
        prefix + upload_url(draft),
        {"file": upload(b"just some notes\n", name="photo.jpg"), "next": step},
    )
    assert response.status_code == 400
    assert "testimonies/recording/step_media.html" in [
        t.name for t in response.templates
    ]
    page = response.content.decode()
    block = file_field_block(page)
    assert 'name="file"' in block
    with translation.override(language):
        assert str(response.context["attachment_form"].errors["file"][0]) in block
    # The summary at the top links to the field; the step stays current.
    assert 'href="#attachment_file"' in page
    assert 'aria-current="step"' in page
    assert draft.attachments.count() == 0


def test_a_file_refused_unread_for_its_size_stays_on_the_step(
    client_for, documenter, draft, settings
):
    settings.ATTACHMENT_MAX_BYTES = 10
    step = step_url(draft, "media")
    client = client_for(documenter)
    # The panel's form sends `next` in its address too.
    action = re.search(
        r'action="([^"]+)"[^>]*class="stacked upload-form"',
        client.get(step).content.decode(),
    ).group(1)
    assert action == f"{upload_url(draft)}?next={step.replace('/', '%2F')}"
    response = client.post(
        upload_url(draft) + f"?next={step}",
        {"file": upload(b"\xff\xd8\xff" + b"0" * 70_000), "next": step},
    )
    assert response.status_code == 413
    block = file_field_block(response.content.decode())
    assert "larger than" in block and 'name="file"' in block
    assert "This field is required" not in block


# --- The photos step shows as done ------------------------------------------


def media_item(page: str) -> str:
    """The photos step's entry in the list of steps."""
    items = re.findall(r"<li class=\"[^\"]*\"[^>]*>.*?</li>", page, re.DOTALL)
    return next(item for item in items if "/record/media/" in item or "Photos" in item)


def test_the_photos_step_is_done_once_opened(client_for, documenter, draft):
    client = client_for(documenter)
    before = media_item(client.get(step_url(draft, "account")).content.decode())
    assert 'class="done"' not in before and "(done)" not in before
    client.get(step_url(draft, "media"))
    after = media_item(client.get(step_url(draft, "account")).content.decode())
    assert 'class="done"' in after and "(done)" in after


def test_the_photos_step_is_done_once_a_file_is_attached(client_for, documenter, draft):
    attachment_add(testimony=draft, upload=upload(photo_bytes()), by=documenter)
    page = client_for(documenter).get(step_url(draft, "consent")).content.decode()
    item = media_item(page)
    assert 'class="done"' in item and "(done)" in item


# --- A file chosen but not attached is not lost -----------------------------


def leave_media_step(client, draft, go, **fields):
    return client.post(
        upload_url(draft), {"next": step_url(draft, "media"), "go": go, **fields}
    )


def test_continue_and_go_back_without_a_file_just_move_on(
    client_for, documenter, draft
):
    client = client_for(documenter)
    page = client.get(step_url(draft, "media")).content.decode()
    # Both are buttons of the upload form, not links that would drop a file.
    for go in ("next", "back"):
        assert re.search(
            rf'<button type="submit" form="attachment-upload" name="go" value="{go}"',
            page,
        )
    assert 'id="attachment-upload"' in page and "js/media_step.js" in page
    forward = leave_media_step(client, draft, "next")
    assert forward.status_code == 302
    assert forward["Location"] == step_url(draft, "consent")
    backward = leave_media_step(client, draft, "back")
    assert backward["Location"] == step_url(draft, "what")
    assert draft.attachments.count() == 0


def test_continue_with_a_chosen_file_attaches_it_first(client_for, documenter, draft):
    client = client_for(documenter)
    response = leave_media_step(
        client, draft, "next", file=upload(photo_bytes()), description="The gate"
    )
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "consent")
    assert draft.attachments.count() == 1


def test_continue_with_a_refused_file_stays_on_the_step(client_for, documenter, draft):
    response = leave_media_step(
        client_for(documenter), draft, "next", file=upload(b"notes", name="a.jpg")
    )
    assert response.status_code == 400
    assert "testimonies/recording/step_media.html" in [
        t.name for t in response.templates
    ]
    assert draft.attachments.count() == 0


def test_go_is_ignored_outside_the_recording_step(client_for, documenter, draft):
    # From the testimony's own attachments page, a missing file is an error
    # as before: only the wizard's buttons move on without one.
    response = client_for(documenter).post(
        upload_url(draft), {"next": reverse("testimonies:mine"), "go": "next"}
    )
    assert response.status_code == 400
    assert "testimonies/attachment_list.html" in [t.name for t in response.templates]


def test_the_unattached_warning_speaks_arabic(client_for, documenter, draft):
    page = client_for(documenter).get("/ar" + step_url(draft, "media")).content.decode()
    warning = re.search(r'<p class="help" id="unattached-warning"[^>]*>', page)
    assert warning and "hidden" in warning.group(0)
    assert "You chose a file" not in page and "not attached yet" not in page


# --- The review shows the text as it will be published ------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_review_shows_the_redacted_text_beside_the_original(
    client_for, documenter, language
):
    draft = factories.testimony(
        status="draft",
        recorded_by=documenter,
        consent={},
        witness_name="Samir Khoury",
        narrative="Samir Khoury saw Nour Saleh taken at the bridge.",
        persons_named=["Nour Saleh"],
    )
    response = client_for(documenter).get(
        {"en": "", "ar": "/ar"}[language] + step_url(draft, "review")
    )
    page = response.content.decode()
    original = page[page.index("side-original") : page.index("side-redacted")]
    redacted = page[page.index("side-redacted") :]
    redacted = redacted[: redacted.index("</div>\n  </div>")]
    # The same marks as the moderators' preview: names marked in the
    # original, placeholders in the redacted text, which holds no name.
    assert '<mark class="name"' in original and "Samir Khoury" in original
    assert '<mark class="placeholder">' in redacted
    assert draft.witness.pseudonym in redacted
    assert "Samir" not in redacted and "Nour" not in redacted
    # Headings nest under the page's own.
    assert "<h5>" in original


# --- A witness who declines to give a name ----------------------------------

START = reverse("testimonies:record-start")


def declined(**changes):
    data = {"name_given": "declined", "name": "", "contact": "+963-955-100-200",
            "gender": "female", "go": "next"}  # fmt: skip
    data.update(changes)
    return data


def test_a_witness_who_declines_is_recorded_by_pseudonym_only(client_for, documenter):
    client = client_for(documenter)
    response = client.post(START, declined())
    testimony = Testimony.objects.get(recorded_by=documenter)
    assert response["Location"] == step_url(testimony, "account")
    witness = testimony.witness
    assert witness.name_declined
    identity = identity_read(witness=witness)
    assert (identity.name, identity.name_variants) == ("", ())
    # ...a way to reach them is still kept, in the vault.
    assert identity.contact == "+963-955-100-200"
    # The step is done, and the choice is shown back.
    page = client.get(step_url(testimony, "witness")).content.decode()
    assert re.search(r'value="declined"[^>]*checked', page)
    review = client.get(step_url(testimony, "review")).content.decode()
    assert "Declined to give a name: pseudonym only" in review
    # Its texts are redacted as any other's (nothing taken out for a name).
    client.post(
        step_url(testimony, "account"),
        {
            "language": "en",
            "recorded_on": "2025-03-20",
            "go": "stay",
            "narrative": "They came at night. I hid with my son.",
        },  # fmt: skip
    )
    review = client.get(step_url(testimony, "review")).content.decode()
    redacted = review[review.index("side-redacted") :]
    assert "They came at night. I hid with my son." in redacted


def test_a_name_typed_beside_the_declined_choice_is_refused(client_for, documenter):
    response = client_for(documenter).post(START, declined(name="Vesperine"))
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["name"][0]
        .startswith("The witness declined to give a name")
    )
    assert not Testimony.objects.exists()


def test_no_name_without_the_choice_is_refused(client_for, documenter):
    response = client_for(documenter).post(START, declined(name_given="given"))
    assert "choose that they declined" in response.context["form"].errors["name"][0]
    assert not Testimony.objects.exists()


def test_choosing_declined_later_erases_the_name_kept(client_for, documenter):
    client = client_for(documenter)
    client.post(START, declined(name_given="given", name="Vesperine Hollquist"))
    testimony = Testimony.objects.get()
    assert identity_read(witness=testimony.witness).name == "Vesperine Hollquist"
    client.post(step_url(testimony, "witness"), declined())
    testimony.witness.refresh_from_db()
    assert testimony.witness.name_declined
    assert identity_read(witness=testimony.witness).name == ""
    # And back: a name given later is kept again.
    client.post(
        step_url(testimony, "witness"), declined(name_given="given", name="Vesperine")
    )
    testimony.witness.refresh_from_db()
    assert not testimony.witness.name_declined
    assert identity_read(witness=testimony.witness).name == "Vesperine"


def test_the_choice_speaks_arabic(client_for, documenter):
    page = client_for(documenter).get("/ar" + START).content.decode()
    assert "declined to give a name" not in page
