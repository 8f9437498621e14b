"""The language switcher and the search facets work from the keyboard alone,
with the focus always visible; in a real browser."""

from playwright.sync_api import expect

from tests.databases import markup_only
from tests.markers import committed_db

pytestmark = committed_db

FOCUSED = "document.activeElement"


def tab_to(page, matches, limit=60):
    """Press Tab until the focused element satisfies the JS test `matches`
    (given the element as `e`); fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {matches})({FOCUSED})"):
            return
    raise AssertionError(f"never reached {matches}")


def focus_ring(page):
    return page.evaluate(
        f"(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle({FOCUSED}))"
    )


@markup_only
def test_skip_link_then_language_switch_by_keyboard(page, archive):
    page.goto("/search/?q=Banias")
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.className") == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport()

    tab_to(page, "e.name === 'language' && e.value === 'ar'")
    assert focus_ring(page) == ["solid", "3px"]
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.url.endswith("/ar/search/?q=Banias")
    expect(page.locator(".current-language")).to_have_text("العربيّة")

    # The search layout mirrors: the filters sit on the left in Arabic.
    results = page.locator(".search-main").bounding_box()
    facets = page.locator(".facets").bounding_box()
    assert facets["x"] < results["x"]

    tab_to(page, "e.name === 'language' && e.value === 'en'")
    page.keyboard.press("Space")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert page.url.endswith("/search/?q=Banias") and "/ar/" not in page.url
    facets = page.locator(".facets").bounding_box()
    assert facets["x"] > page.locator(".search-main").bounding_box()["x"]


@markup_only
def test_a_facet_ticked_from_the_keyboard_keeps_the_focus(page, archive):
    page.goto("/search/?q=Banias")
    tab_to(page, "e.type === 'checkbox' && e.name === 'community'")
    ticked = page.evaluate(f"{FOCUSED}.value")
    page.keyboard.press("Space")
    page.wait_for_url(f"**community={ticked}**")
    page.wait_for_function(f"{FOCUSED}.type === 'checkbox'")
    assert page.evaluate(f"[{FOCUSED}.name, {FOCUSED}.value, {FOCUSED}.checked]") == [
        "community",
        ticked,
        True,
    ]
    assert focus_ring(page) == ["solid", "3px"]
