"""A documenter records a testimony step by step in a real browser, closes
the page half-way, comes back from "My testimonies" and submits; the
moderator finds it in the queue."""

import re

from django_otp.oath import totp
from playwright.sync_api import expect

from testimonies.models import Testimony
from testimonies.vault.identity import identity_read
from tests.e2e.sessions import on_home_page
from tests.e2e.test_content_security_policy import LISTEN
from tests.markers import committed_db

pytestmark = committed_db

NARRATIVE = "At dawn gunmen came to Hai Al Kusour and took my neighbour away."


def new_tab(chromium, live_server, username):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.add_init_script(LISTEN)
    # The page's timers run on a clock the test may move on (the autosave's
    # quiet seconds); otherwise time passes as it does.
    tab.clock.install()
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill("correct horse battery staple")
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(on_home_page)
    return tab


def no_csp_refusals(tab):
    assert tab.evaluate("window.__cspViolations || []") == []


def test_documenter_records_resumes_and_submits(
    chromium, live_server, coast, documenter, moderator, second_factor
):
    desk = new_tab(chromium, live_server, "documenter")
    desk.get_by_role("link", name="Record a testimony").click()

    # 1. The witness: the identity goes to the vault, the pseudonym comes back.
    desk.get_by_label("Witness's full name").fill("Ysolde Marrankov")
    desk.get_by_label("How to reach the witness").fill("+963-977-000-111")
    desk.get_by_label("Year of birth").fill("1961")
    desk.get_by_label("Female").check()
    desk.get_by_role("button", name="Save and continue").click()
    expect(desk.locator(".messages")).to_contain_text("known in the archive as W-")
    testimony = Testimony.objects.get(recorded_by=documenter)
    assert identity_read(witness=testimony.witness).name == "Ysolde Marrankov"
    expect(desk.locator("[aria-current=step]")).to_have_text(re.compile("The account"))
    no_csp_refusals(desk)

    # 2. The account, by keyboard: Enter in a field must not lose anything.
    desk.get_by_label("English", exact=True).check()
    desk.get_by_label("The account, as the witness told it").fill(NARRATIVE)
    desk.get_by_label("The account, as the witness told it").press("Tab")
    expect(desk.get_by_label("Translation into Arabic")).to_be_focused()
    desk.get_by_label("Summary").fill("A neighbour taken at dawn.")
    desk.get_by_label("Summary").press("Tab")
    expect(desk.get_by_role("button", name="Save and continue")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(desk.locator("[aria-current=step]")).to_have_text(
        re.compile("When and where")
    )

    # 3. When and where: the place picker by keyboard only.
    desk.get_by_label("Incident started").fill("2025-03-07")
    picker = desk.get_by_role("combobox", name="Add a place")
    picker.focus()
    desk.keyboard.type("kusour")
    expect(desk.get_by_role("option").first).to_contain_text("Hai Al Kusour")
    expect(desk.get_by_role("option").first).to_contain_text(
        "Banias · Tartus Governorate"
    )
    expect(picker).to_have_attribute("aria-expanded", "true")
    desk.keyboard.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", "place-option-0")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("button", name="Remove Hai Al Kusour")).to_be_visible()
    expect(picker).to_have_attribute("aria-expanded", "false")
    # Escape closes the list without choosing.
    desk.keyboard.type("جبلة")
    expect(desk.get_by_role("option").first).to_contain_text("Jableh")
    desk.keyboard.press("Escape")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(desk.get_by_role("button", name="Remove Jableh")).to_have_count(0)
    # Saved by the autosave, a few seconds after the last change: those
    # seconds pass at once.
    desk.clock.fast_forward(3000)
    expect(desk.locator("#autosave-status")).to_contain_text("Saved at", timeout=20_000)
    no_csp_refusals(desk)
    desk.context.close()  # the tab is closed half-way

    # Back the next day: Resume opens the first step not done.
    desk = new_tab(chromium, live_server, "documenter")
    desk.get_by_role("link", name="My testimonies").click()
    desk.get_by_role("link", name=re.compile("Resume")).click()
    expect(desk.locator("[aria-current=step]")).to_have_text(
        re.compile("What happened")
    )
    desk.get_by_role("link", name="When and where").click()
    expect(desk.get_by_role("button", name="Remove Hai Al Kusour")).to_be_visible()
    expect(desk.get_by_label("Incident started")).to_have_value("2025-03-07")
    desk.get_by_role("button", name="Save and continue").click()

    # 4. What happened.
    desk.get_by_label("Killing").check()
    desk.get_by_label("Other persons named in the account").fill("Samir; سمير")
    desk.get_by_role("button", name="Save and continue").click()

    # 5. Photos and documents (the panel is helper B's), then 6. consent.
    media = desk.get_by_role("heading", name="Photos and documents")
    expect(media.first).to_be_visible()
    # Continue sends the upload form (a chosen file is attached first).
    desk.get_by_role("button", name="Continue").click()
    for label in [
        "Kept in the archive",
        "The purpose of the archive",
        "Who will be able to see the account",
        "The risks to the witness and to others",
        "The right to withdraw consent at any time",
        "Oral",
        "Not shown outside the archive's staff",
    ]:
        desk.get_by_label(label).check()
    desk.get_by_label("Obtained on").fill("2025-03-20")
    desk.get_by_label("No", exact=True).check()
    desk.get_by_role("button", name="Record this consent and continue").click()

    # 7. Review: every part with a link to change it; the name is not shown.
    expect(desk.locator("[aria-current=step]")).to_have_text(
        re.compile("Review and submit")
    )
    expect(desk.locator("main")).to_contain_text(NARRATIVE)
    expect(desk.locator("main")).not_to_contain_text("Ysolde")
    expect(desk.get_by_role("link", name="Change the witness")).to_be_visible()
    no_csp_refusals(desk)
    desk.get_by_role("button", name="Submit for review").click()
    expect(desk.locator(".messages")).to_contain_text("Submitted for review.")
    testimony.refresh_from_db()
    assert testimony.status == "submitted"

    # The moderator finds it in the queue.
    device = second_factor(moderator)
    desk_of_moderator = new_tab(chromium, live_server, "moderator")
    desk_of_moderator.get_by_role("link", name="Review queue").click()
    desk_of_moderator.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    desk_of_moderator.get_by_role("button", name="Verify").click()
    expect(
        desk_of_moderator.get_by_role(
            "link", name=f"Testimony of {testimony.witness.pseudonym}"
        )
    ).to_be_visible()
