"""The recording wizard's photos step in a real browser, in English and in
Arabic on a phone: a file chosen but not attached is said so, leaving by a
link asks first, and Continue attaches it before moving on."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db
from tests.testimonies.media_samples import photo_bytes

pytestmark = committed_db

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_chosen_file_is_never_left_behind_silently(
    page, log_in, documenter, tmp_path, language
):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(photo_bytes())
    if language == "ar":
        page.set_viewport_size(PHONE)
    log_in("documenter")
    if language == "ar":
        page.locator("button[name=language][value=ar]").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    media = f"/testimonies/{draft.public_id}/record/media/"
    page.goto(media)
    warning = page.locator("#unattached-warning")
    expect(warning).to_be_hidden()
    page.locator("#attachment_file").set_input_files(str(photo))
    expect(warning).to_be_visible()

    # A link out of the step asks; saying no stays, with the file chosen.
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.locator(".step-list a").first.click()
    assert len(questions) == 1
    assert ("اخترت ملفًا" if language == "ar" else "You chose a file") in questions[0]
    expect(page).to_have_url(re.compile(re.escape(media) + "$"))

    # Continue attaches the file, then moves on.
    page.locator("button[name=go][value=next]").click()
    expect(page).to_have_url(re.compile(r"/record/consent/$"))
    assert draft.attachments.count() == 1
    # ...and the photos step now reads as done.
    done = page.locator(".step-list li.done", has=page.locator("a[href$='/media/']"))
    expect(done).to_have_count(1)
    if language == "ar":
        assert page.evaluate(
            "document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        )
