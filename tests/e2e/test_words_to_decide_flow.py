"""A moderator reviews an account whose witness is called علي: على and علي
wait for a decision, approval is refused until both are decided, then the
public reads على as written and the name replaced. In a real browser, in
English and right to left in Arabic; screenshots for docs/ when asked
(ARCHIVE_SCREENSHOTS=<folder>)."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django_otp.oath import totp
from playwright.sync_api import expect

from testimonies.models import TestimonyStatus
from testimonies.vault.identity import identity_store
from tests import factories
from tests.e2e.sessions import on_home_page
from tests.markers import committed_db

pytestmark = committed_db

SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")


def _screenshot(page, name):
    """The flagged words of the preview and the panel deciding them."""
    if SCREENSHOTS:
        # Page coordinates: the boxes are the viewport's, scrolled.
        scrolled = page.evaluate("window.scrollY")
        top = page.locator(".preview-block").last.bounding_box()["y"] + scrolled
        panel = page.locator("#words-to-decide").bounding_box()
        bottom = panel["y"] + scrolled + panel["height"]
        page.screenshot(
            path=str(Path(SCREENSHOTS) / name),
            full_page=True,
            clip={
                "x": 0,
                "y": top - 10,
                "width": page.viewport_size["width"],
                "height": bottom - top + 20,
            },
        )


def test_a_moderator_decides_flagged_words_before_approving(
    page, log_in, documenter, moderator, second_factor
):
    testimony = factories.testimony(
        status="submitted",
        recorded_by=documenter,
        witness_name="Ali Haidar",
        narrative="Gunmen came at night. Ali Haidar hid in the orchard.",
        translations={
            "ar": "جاء مسلحون ليلاً وأطلقوا النار على البيت. قال علي إنهم بحثوا عنه."
        },
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    pseudonym = testimony.witness.pseudonym
    device = second_factor(moderator)
    log_in("moderator")
    page.goto(f"/moderation/{testimony.public_id}/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Verify").click()
    # The code sends the moderator on to the review asked for. Awaited, not
    # asked for again: that would cancel the code's form, which might then
    # never have reached the server.
    # (The path alone: the code's own address ends with the same ?next=.)
    review = f"/moderation/{testimony.public_id}/"
    page.wait_for_url(lambda url: urlsplit(url).path == review)

    panel = page.locator("#words-to-decide")
    expect(panel).to_contain_text("2 words may name someone")
    expect(panel.locator("mark.flagged")).to_have_count(2)
    # The preview marks them too, on both sides.
    expect(page.locator(".side-redacted mark.flagged")).to_have_count(2)
    _screenshot(page, "words-to-decide-en.png")
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _screenshot(page, "words-to-decide-ar.png")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".review-form p.error")).to_contain_text(
        "flagged words still need a decision"
    )

    # على is the preposition: kept. علي is the witness: replaced.
    page.get_by_role("button", name="Keep as written “على”").click()
    expect(page.locator(".messages")).to_contain_text("Kept as written")
    expect(page).to_have_url(re.compile(r"#words-to-decide$"))
    page.get_by_role("button", name="Replace “علي”").click()
    expect(page.locator(".messages")).to_contain_text("Replaced")
    expect(panel).to_contain_text("Every flagged word is decided")
    expect(page.locator(".side-redacted").last).to_contain_text(
        f"على البيت. قال [{pseudonym}] إنهم"
    )

    # In Arabic, right to left.
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#words-to-decide")).to_contain_text("بُتّ في كل الكلمات")
    page.locator("button[name=decision][value=approved]").click()
    expect(page.locator(".messages")).to_be_visible()
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.APPROVED

    # The public reads على as written and the witness's name replaced.
    page.get_by_role("button", name=re.compile("Log out|تسجيل الخروج")).click()
    # Awaited: the page below must be read by the public, not by a moderator
    # whose logout the next request cancelled.
    page.wait_for_url(on_home_page)
    page.goto("/ar" + testimony.get_absolute_url())
    body = page.locator("main")
    expect(body).to_contain_text(f"على البيت. قال [{pseudonym}] إنهم")
    expect(body).not_to_contain_text("Haidar")
    expect(body).not_to_contain_text("حيدر")
