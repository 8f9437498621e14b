"""The researchers' tools in a browser, in English and Arabic: a search
saved from the search page and listed on the home page with what is new, a
private note and a collection from a testimony's page, and the collection's
page with its export links."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from research.models import Collection, Note, SavedSearch
from tests import factories
from tests.e2e.sessions import at, reading_as
from tests.e2e.test_everyday_layout import fits_the_page
from tests.markers import committed_db

pytestmark = committed_db

SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

WORDS = {
    "en": {
        "save_as": "Save this search as",
        "save": "Save this search",
        "new": "1 new",
        "note": "Your private note",
        "save_note": "Save the note",
        "new_collection": "Or a new collection named",
        "add": "Add to the collection",
        "export": "CSV (spreadsheet)",
        "collect_named": "Add to the collection named",
        "collect": "Add",
    },
    "ar": {
        "save_as": "حفظ هذا البحث باسم",
        "save": "حفظ هذا البحث",
        "new": "1 جديدة",
        "note": "ملاحظتك الخاصة",
        "save_note": "حفظ الملاحظة",
        "new_collection": "أو مجموعة جديدة باسم",
        "add": "إضافة إلى المجموعة",
        "export": "CSV (جدول بيانات)",
        "collect_named": "إضافة إلى المجموعة المسمّاة",
        "collect": "إضافة",
    },
}


def open_as(page, live_server, *, language, screen):
    page.set_viewport_size(screen)
    reading_as(page, live_server, "researcher", language)


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_researcher_saves_a_search_notes_and_collects(
    page, live_server, coast, researcher, language
):
    words = WORDS[language]
    first = factories.testimony(
        narrative="Gunmen came to our street in Banias.", places=[coast["banias"]]
    )
    open_as(page, live_server, language=language, screen=DESKTOP)
    page.goto(at("/search/?q=Banias", language))
    page.get_by_label(words["save_as"]).fill("Banias")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url("**/search/?q=Banias")
    assert SavedSearch.objects.get().seen_ids == [first.public_id]

    # A new account comes in: the home page counts it, opening clears it.
    second = factories.testimony(
        narrative="Banias again, at dawn.", places=[coast["banias"]]
    )
    page.goto(at("/", language))
    saved = page.locator(".saved-searches li").first
    expect(saved).to_contain_text(words["new"])
    screenshot(page, f"research-home-{language}.png")
    saved.get_by_role("button", name="Banias", exact=True).click()
    page.wait_for_url("**/search/?q=Banias")
    page.goto(at("/", language))
    expect(page.locator(".saved-searches .tag.new")).to_have_count(0)

    # A private note and a new collection, on the testimony's page.
    page.goto(at(first.get_absolute_url(), language))
    page.get_by_label(words["note"], exact=True).fill(
        "Compare with the Kusour accounts."
    )
    page.get_by_role("button", name=words["save_note"]).click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    expect(page.locator(".note")).to_contain_text("Compare with the Kusour accounts.")
    page.get_by_label(words["new_collection"]).fill("Banias, 7 March")
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    expect(page.get_by_role("link", name="Banias, 7 March")).to_be_visible()
    if SCREENSHOTS:
        page.locator(".research-panel").screenshot(
            path=str(Path(SCREENSHOTS) / f"research-notes-{language}.png")
        )
    # A search result goes into the same collection, by its name.
    page.goto(at("/search/?q=Banias", language))
    other = page.locator(".results .result", has_text=second.witness.pseudonym)
    other.get_by_label(words["collect_named"]).fill("Banias, 7 March")
    other.get_by_role("button", name=words["collect"]).click()
    page.wait_for_url("**/search/?q=Banias")
    expect(page.locator(".messages")).to_contain_text("Banias, 7 March")
    # From a search result, the same tools on a page of their own.
    result = page.locator(".results .result", has_text=first.witness.pseudonym)
    result.locator(".research-link a").click()
    expect(page.locator(".research-panel .note")).to_have_count(1)
    assert Note.objects.get().author == researcher
    page.get_by_role("link", name="Banias, 7 March").click()
    expect(page.locator(".results .result")).to_have_count(2)
    expect(page.get_by_role("link", name=words["export"])).to_be_visible()
    assert Collection.objects.get().items.count() == 2

    # On a phone nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    for url in ("/research/", page.url):
        page.goto(at(url, language))
        assert fits_the_page(page), url
