"""The language in the URL, in a real browser: the switcher keeps the page
and its query both ways, on a desktop and a phone; an account chooses the
Egyptian month names and then reads them. Screenshots for docs/ when asked
(ARCHIVE_SCREENSHOTS=<folder>)."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.sessions import sign_in
from tests.e2e.test_accessibility import describe, serious_violations
from tests.markers import committed_db

pytestmark = committed_db

SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")
SCREENS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
BANIAS = "%D8%A8%D8%A7%D9%86%D9%8A%D8%A7%D8%B3"  # بانياس, as the address has it


def clean(page, where):
    violations = serious_violations(Axe().run(page))
    assert not violations, f"{where}:\n{describe(violations)}"


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def switch_to(page, language):
    page.locator(f".language-switch button[value={language}]").click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_switcher_keeps_the_page_and_query_both_ways(
    page, another_tab, live_server, archive, screen
):
    page.set_viewport_size(SCREENS[screen])
    page.goto(f"/search/?q={BANIAS}&page=1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_to(page, "ar")
    assert page.url == f"{live_server.url}/ar/search/?q={BANIAS}&page=1"
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_q")).to_have_value("بانياس")
    clean(page, f"the Arabic search page after switching ({screen})")
    if screen == "desktop":
        screenshot(page, "switched-ar.png")
    # The shared Arabic link opens in Arabic in another reader's browser.
    shared = another_tab()
    shared.goto(page.url)
    expect(shared.locator("html")).to_have_attribute("lang", "ar")
    switch_to(page, "en")
    assert page.url == f"{live_server.url}/search/?q={BANIAS}&page=1"
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    testimony = archive["kusour"].get_absolute_url()
    page.goto("/ar" + testimony)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    switch_to(page, "en")
    assert page.url == live_server.url + testimony
    switch_to(page, "ar")
    assert page.url == f"{live_server.url}/ar{testimony}"
    clean(page, f"an Arabic testimony page after switching ({screen})")
    # The remembered choice brings the bare address back to Arabic.
    page.goto("/")
    assert page.url == f"{live_server.url}/ar/"


def test_an_account_chooses_the_egyptian_month_names(
    page, live_server, archive, researcher
):
    sign_in(page, live_server, "researcher")
    testimony = archive["kusour"].get_absolute_url()
    page.goto("/ar" + testimony)
    expect(page.locator("main")).to_contain_text("7 آذار 2025")

    page.goto("/accounts/settings/")
    clean(page, "the settings page in English")
    screenshot(page, "account-settings-months-en.png")
    page.goto("/ar/accounts/settings/")
    expect(page.get_by_label(re.compile("السورية"))).to_be_checked()
    page.get_by_label(re.compile("المصرية")).check()
    page.get_by_role("button", name="حفظ").click()
    expect(page).to_have_url(re.compile(r"/ar/accounts/settings/$"))
    expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_label(re.compile("المصرية"))).to_be_checked()
    clean(page, "the settings page in Arabic")
    screenshot(page, "account-settings-months-ar.png")

    page.goto("/ar" + testimony)
    expect(page.locator("main")).to_contain_text("7 مارس 2025 – 8 مارس 2025")
    expect(page.locator("main")).not_to_contain_text("آذار")
    # The timeline's own labels, written by its script with the server's names.
    page.goto("/ar/timeline/")
    chart = page.locator("#archive-timeline")
    expect(chart).to_contain_text("مارس 2025")
    expect(chart).not_to_contain_text("آذار")
    # English is the same either way.
    page.goto(testimony)
    expect(page.locator("main")).to_contain_text("7 March 2025 – 8 March 2025")
