"""A reader cites a testimony: the copy button puts the citation on the
clipboard; without JavaScript one click selects it whole; printed, the page
is one column with the citation and the permitted use, and no navigation."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


@pytest.fixture
def public_testimony(coast):
    return factories.testimony(
        narrative="Gunmen came to our street in Banias and took my neighbour away.",
        places=[coast["banias"]],
        consent={"archive": True, "researchers": True, "public": True},
    )


def test_the_copy_button_copies_the_citation(page, live_server, public_testimony):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(public_testimony.get_absolute_url())
    citation = page.locator("#citation-text")
    expect(citation).to_contain_text(f"Testimony {public_testimony.public_id}, ")
    button = page.get_by_role("button", name="Copy the citation")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-status")).to_have_text("Citation copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == citation.inner_text().strip()
    assert f"{live_server.url}/testimonies/{public_testimony.public_id}/" in copied


def test_without_javascript_one_click_selects_the_whole_citation(
    chromium, live_server, public_testimony
):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(public_testimony.get_absolute_url())
    expect(page.get_by_role("button", name="Copy the citation")).to_be_hidden()
    citation = page.locator("#citation-text")
    expect(citation).to_be_visible()
    expect(page.get_by_text("Click the citation to select it")).to_be_visible()
    assert citation.evaluate("e => getComputedStyle(e).userSelect") == "all"
    citation.click()
    assert page.evaluate("String(window.getSelection())").strip() == (
        citation.inner_text().strip()
    )
    context.close()


def test_printed_the_page_is_one_column_with_citation_and_permitted_use(
    page, public_testimony
):
    page.goto(public_testimony.get_absolute_url())
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy the citation")).to_be_hidden()
    expect(page.locator("#citation-text")).to_be_visible()
    expect(page.locator(".permitted-use")).to_be_visible()
    expect(page.locator(".narrative").first).to_be_visible()
    facts = page.locator(".testimony .facts")
    assert facts.evaluate("e => getComputedStyle(e).display") == "block"
    # Screen again: the navigation is back.
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()
