"""The whole life of one consent, in real browsers, as the issue tells it:
a documenter records consent and submits; a moderator, after a second
factor, approves; a researcher finds the testimony and exports it; the
moderator withdraws the `researchers` scope; the researcher's next search
and export no longer hold it."""

import json
import re

from django_otp.oath import totp
from playwright.sync_api import expect

from tests import factories
from tests.e2e.sessions import on_home_page
from tests.markers import committed_db

pytestmark = committed_db

NARRATIVE = "Gunmen came to Hai Al Kusour at dawn and took the men of our street."


def exported_ids(page) -> list[str]:
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    return [row["id"] for row in document["results"]]


def test_consent_from_recording_to_withdrawal(
    another_tab, coast, documenter, moderator, researcher, second_factor
):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        consent={},
        narrative=NARRATIVE,
        places=[coast["hai-al-kusour"]],
    )
    device = second_factor(moderator)

    def browser_for(username):
        tab = another_tab()
        tab.goto("/accounts/login/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill("correct horse battery staple")
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(on_home_page)
        return tab

    # The documenter records informed consent and submits.
    desk = browser_for("documenter")
    desk.get_by_role("link", name="My testimonies").click()
    desk.get_by_role("link", name="Record consent").click()
    for label in [
        "Kept in the archive",
        "Shared with researchers",
        "The purpose of the archive",
        "Who will be able to see the account",
        "The risks to the witness and to others",
        "The right to withdraw consent at any time",
        "Oral",
        "Not shown outside the archive's staff",
    ]:
        desk.get_by_label(label).check()
    desk.get_by_label("Obtained on").fill("2025-03-20")
    desk.get_by_label("No", exact=True).check()  # not a minor
    desk.get_by_role("button", name="Record this consent").click()
    expect(desk.locator(".messages")).to_contain_text("Consent recorded.")
    desk.get_by_role("link", name="My testimonies").click()
    desk.get_by_role("button", name="Submit for review").click()
    expect(desk.locator(".status")).to_have_text("Submitted for review")

    # Not yet approved: the researcher does not find it.
    reader = browser_for("researcher")
    reader.goto("/search/?q=Kusour")
    expect(reader.locator(".counts")).to_have_text("0 testimonies found")

    # The moderator is stopped for the second factor on the way to the queue.
    desk_of_moderator = browser_for("moderator")
    desk_of_moderator.get_by_role("link", name="Review queue").click()
    expect(desk_of_moderator).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    desk_of_moderator.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    desk_of_moderator.get_by_role("button", name="Verify").click()
    expect(desk_of_moderator.get_by_role("heading", level=1)).to_have_text(
        "Review queue"
    )
    desk_of_moderator.get_by_role(
        "link", name=f"Testimony of {testimony.witness.pseudonym}"
    ).click()
    desk_of_moderator.get_by_role("button", name="Approve").click()
    expect(desk_of_moderator.locator(".messages")).to_contain_text("Approved")

    # The researcher finds it now, redacted, and it is in the export.
    reader.goto("/search/?q=Kusour")
    expect(reader.locator(".counts")).to_have_text("1 testimony found")
    expect(reader.locator("ol.results")).to_contain_text("took the men")
    assert exported_ids(reader) == [testimony.public_id]

    # The witness withdraws what researchers may see.
    desk_of_moderator.goto(testimony.get_absolute_url())
    desk_of_moderator.get_by_role("link", name="Withdraw consent").click()
    desk_of_moderator.get_by_label("Shared with researchers").check()
    desk_of_moderator.get_by_label("Reason").fill("The family fears reprisals.")
    desk_of_moderator.get_by_role("button", name="Withdraw consent").click()
    expect(desk_of_moderator.locator(".messages")).to_contain_text("Consent withdrawn")

    # The researcher's very next search and export no longer hold it.
    reader.goto("/search/?q=Kusour")
    expect(reader.locator(".counts")).to_have_text("0 testimonies found")
    assert exported_ids(reader) == []
    response = reader.goto(testimony.get_absolute_url())
    assert response.status == 404
