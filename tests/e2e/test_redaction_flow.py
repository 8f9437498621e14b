"""A documenter marks a nickname and checks the side-by-side preview, in a
real browser, in English and right to left in Arabic."""

from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def test_documenter_marks_a_nickname_and_sees_it_replaced(page, log_in, documenter):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="Abu Samer drove the gunmen to our street.",
    )
    log_in("documenter")
    page.goto(testimony.get_absolute_url())
    page.get_by_role("link", name="Redaction marks").click()
    redacted = page.locator(".side-redacted .preview-text").first
    expect(redacted).to_contain_text("Abu Samer drove")

    page.get_by_label("Words to mark").fill("Abu Samr")  # a slip of the hand
    page.get_by_role("button", name="Save the marks").click()
    expect(page.locator(".field.has-error")).to_contain_text("does not occur")

    page.get_by_label("Words to mark").fill("abu samer")
    page.get_by_role("button", name="Save the marks").click()
    expect(page.locator(".messages")).to_contain_text("Marks saved")
    expect(redacted).to_have_text("[person 1] drove the gunmen to our street.")
    expect(page.locator(".side-original mark.name")).to_have_text("Abu Samer")

    # Right to left, the original column sits to the right of the redacted.
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    original = page.locator(".side-original").first.bounding_box()
    redacted_box = page.locator(".side-redacted").first.bounding_box()
    assert original["x"] > redacted_box["x"]

    page.locator("input[name=marks-remove]").check()
    page.locator("button[name=save_marks]").click()
    expect(page.locator(".side-redacted .preview-text").first).to_contain_text(
        "Abu Samer drove"
    )
    testimony.refresh_from_db()
    assert testimony.redaction_marks == []
