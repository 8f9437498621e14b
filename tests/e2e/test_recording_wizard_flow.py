"""The recording wizard in a real browser: on the photos step, in English and
in Arabic on a phone, a file chosen but not attached is said so, leaving by
a link asks first, and Continue attaches it before moving on; the review
and the witness step, and the account settings, in Arabic. Screenshots for
docs/ when asked (ARCHIVE_SCREENSHOTS=<folder>)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db
from tests.testimonies.media_samples import photo_bytes

pytestmark = committed_db

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")


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
    page.goto(media if language == "en" else f"/{language}{media}")
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


def test_the_review_and_the_witness_step_in_arabic(page, log_in, documenter):
    """The review shows the text as readers will see it beside the
    original; the witness step offers the declined name as a choice.
    Screenshots for docs/ when asked."""
    draft = factories.testimony(
        status="draft",
        recorded_by=documenter,
        consent={},
        witness_name="Samir Khoury",
        narrative="Samir Khoury saw Nour Saleh taken at the bridge.",
        persons_named=["Nour Saleh"],
    )
    log_in("documenter")
    page.locator("button[name=language][value=ar]").click()
    # The choice is remembered by the form's answer: awaited before the next
    # page is asked for, which would cancel it.
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.goto(f"/ar/testimonies/{draft.public_id}/record/review/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    redacted = page.locator(".side-redacted").first
    expect(redacted).to_contain_text(draft.witness.pseudonym)
    expect(redacted).not_to_contain_text("Samir")
    expect(page.locator(".side-original mark.name").first).to_be_visible()
    if SCREENSHOTS:
        page.locator(".preview-block").first.screenshot(
            path=str(Path(SCREENSHOTS) / "recording-review-ar.png")
        )
    page.goto("/ar/testimonies/record/")
    declined = page.locator("input[name=name_given][value=declined]")
    declined.check()
    expect(declined).to_be_checked()
    if SCREENSHOTS:
        page.locator("fieldset.group").screenshot(
            path=str(Path(SCREENSHOTS) / "recording-witness-declined-ar.png")
        )


def test_a_documenter_chooses_a_time_zone_in_arabic(page, log_in, documenter):
    log_in("documenter")
    page.locator("button[name=language][value=ar]").click()
    page.get_by_role("link", name="الإعدادات").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("إعداداتك")
    field = page.get_by_label("المنطقة الزمنية")
    expect(field).to_have_value("Asia/Damascus")
    field.select_option("Europe/London")
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("حُفظت إعداداتك")
    expect(page.get_by_label("المنطقة الزمنية")).to_have_value("Europe/London")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "account-settings-ar.png"))
