"""A documenter records informed consent and submits, in a real browser."""

from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def test_documenter_records_consent_then_submits(page, log_in, documenter):
    testimony = factories.testimony(status="draft", recorded_by=documenter, consent={})
    log_in("documenter")
    page.get_by_role("link", name="My testimonies").click()
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    page.get_by_role("link", name="Record consent").click()

    # Sharing with researchers before the risks were explained is refused,
    # the reason shown beside the point, and nothing is recorded.
    page.get_by_label("Kept in the archive").check()
    page.get_by_label("Shared with researchers").check()
    page.get_by_label("The purpose of the archive").check()
    page.get_by_label("Who will be able to see the account").check()
    page.get_by_label("The right to withdraw consent at any time").check()
    page.get_by_label("Oral").check()
    page.get_by_label("Obtained on").fill("2025-03-20")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Shown to researchers").check()
    page.get_by_role("button", name="Record this consent").click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "Explain this to the witness before sharing beyond the archive"
    )
    assert not testimony.consent_records.exists()

    page.get_by_label("The risks to the witness and to others").check()
    page.get_by_role("button", name="Record this consent").click()
    expect(page.locator(".messages")).to_contain_text("Consent recorded.")
    expect(page.locator(".consent-table tbody tr")).to_have_count(1)

    page.get_by_role("link", name="My testimonies").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("Submitted for review.")
    expect(page.locator(".status")).to_have_text("Submitted for review")
    testimony.refresh_from_db()
    assert testimony.status == "submitted"
