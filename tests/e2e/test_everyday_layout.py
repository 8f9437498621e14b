"""The everyday pages keep their shape in both languages, on a desktop and on
a phone: the columns of "My testimonies" line up, the audit log fits the
page, the search filters come before the results on a phone, a redaction
placeholder never breaks across two lines, and a second-factor code typed
again at once after a wrong one is taken."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.databases import markup_only
from tests.e2e.sessions import at, reading_as
from tests.markers import committed_db

pytestmark = committed_db

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ["en", "ar"]


def open_as(page, live_server, *, role, language, screen):
    """Set the viewport, the language cookie and (for `role`) a session."""
    page.set_viewport_size(SCREENS[screen])
    reading_as(page, live_server, role, language)


def fits_the_page(page) -> bool:
    """Nothing makes the page scroll sideways."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " <= document.documentElement.clientWidth"
    )


@markup_only
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_actions_column_of_my_testimonies_lines_up(
    page, live_server, archive, documenter, language, screen
):
    factories.testimony(status="draft", recorded_by=documenter, consent={})
    open_as(page, live_server, role="documenter", language=language, screen=screen)
    page.goto(at("/testimonies/mine/", language))
    header = page.locator(".work-table thead th").last
    cells = page.locator(".work-table tbody tr > td:last-child")
    expect(cells).to_have_count(2)
    column = header.bounding_box()
    for index in range(cells.count()):
        cell = cells.nth(index)
        # A table cell, in the Actions column, its links inside it.
        assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
        box = cell.bounding_box()
        assert (
            abs(box["x"] - column["x"]) < 1 and abs(box["width"] - column["width"]) < 1
        )
        for link in cell.locator("a, button").all():
            inner = link.bounding_box()
            assert (
                box["x"] <= inner["x"]
                and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
            )
        row = cell.locator("xpath=..").bounding_box()
        assert abs(box["height"] - row["height"]) < 2


@markup_only
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_log_fits_the_page(
    page, live_server, archive, moderator, language, screen
):
    from archive.audit import audit_record
    from archive.audit_actions import AuditAction

    # A detail with no place to break, as an export's file name or a digest.
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        target="x" * 40,
        actor_label="import",
        detail="sha256:" + "0123456789abcdef" * 8,
    )
    open_as(page, live_server, role="moderator", language=language, screen=screen)
    page.goto(at("/audit/", language))
    region = page.get_by_role(
        "region", name=page.locator("#audit-caption").inner_text()
    )
    expect(region).to_have_count(1)
    assert fits_the_page(page)
    # The table's own region is reached with the keyboard, to scroll it.
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("r => r.tabIndex") == 0


@markup_only
@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_search_filters_are_a_closed_panel_above_the_results(
    page, live_server, archive, language
):
    open_as(page, live_server, role=None, language=language, screen="phone")
    page.goto(at("/search/?q=Banias", language))
    panel = page.locator("details.filters-panel")
    summary = panel.locator("summary")
    first_result = page.locator(".results > li").first
    expect(first_result).to_be_visible()
    expect(summary).to_be_visible()
    assert panel.get_attribute("open") is None
    assert summary.bounding_box()["y"] < first_result.bounding_box()["y"]
    assert summary.bounding_box()["y"] < 844  # on the first screen
    facet = page.locator(".facet input[name=community]").first
    expect(facet).to_be_hidden()
    assert fits_the_page(page)
    # Opened from the keyboard, it shows the filters, still above the results.
    summary.focus()
    page.keyboard.press("Enter")
    expect(facet).to_be_visible()
    assert facet.bounding_box()["y"] < first_result.bounding_box()["y"]
    # Ticking one applies it; the closed panel then says how many apply.
    facet.check()
    page.wait_for_url("**community=*")
    assert panel.get_attribute("open") is None
    expect(summary.locator(".filters-applied")).to_have_text(
        "(1 applied)" if language == "en" else "(عامل تصفية واحد مطبّق)"
    )


@markup_only
@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_wide_screen_the_search_filters_stay_open_beside_the_results(
    page, live_server, archive, language
):
    open_as(page, live_server, role=None, language=language, screen="desktop")
    page.goto(at("/search/?q=Banias", language))
    facet = page.locator(".facet input[name=community]").first
    first_result = page.locator(".results > li").first
    expect(facet).to_be_visible()
    expect(page.locator("details.filters-panel > summary")).to_be_hidden()
    results, filters = (
        first_result.bounding_box(),
        page.locator(".facets").bounding_box(),
    )
    # Side by side (mirrored in Arabic), the box and results not pushed down.
    assert filters["y"] < results["y"] + results["height"]
    beside = (
        filters["x"] >= results["x"] + results["width"]
        if language == "en"
        else filters["x"] + filters["width"] <= results["x"]
    )
    assert beside
    search_box = page.locator("#id_q").bounding_box()
    assert search_box["y"] < 400


# Every line break a placeholder "[شخص 1]" straddles: the lines its
# characters fall on, read from the text itself (not from our markup).
PLACEHOLDERS_BROKEN = """(selector) => {
  const broken = [];
  const walker = document.createTreeWalker(
    document.querySelector(selector), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const found of node.data.matchAll(/\\[[^\\]\\n]+\\]/g)) {
      const range = document.createRange();
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(found[0]);
    }
  }
  return broken;
}"""


@markup_only
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_arabic_placeholder_never_breaks_across_lines(
    page, live_server, db, language, screen
):
    # Words of every length, so that some placeholder meets a line's end.
    words = ["في", "الحارة", "رأينا", "عند", "الحاجز", "والمدرسة", "أخذوا"]
    sentences = [
        f"{' '.join(words[: i % 7 + 1])} نور صالح {'ب' * (i % 5 + 1)} سمير خوري"
        for i in range(40)
    ]
    testimony = factories.testimony(
        narrative="، ".join(sentences) + ".",
        language="ar",
        persons_named=["نور صالح", "سمير خوري"],
    )
    open_as(page, live_server, role=None, language=language, screen=screen)
    page.goto(at(testimony.get_absolute_url(), language))
    expect(page.locator(".narrative span.placeholder").first).to_have_text("[شخص 1]")
    assert page.locator(".narrative span.placeholder").count() == 80
    assert page.evaluate(PLACEHOLDERS_BROKEN, ".narrative") == []
    assert fits_the_page(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quick_retry_of_the_second_factor_is_taken_on_a_phone(
    page, live_server, moderator, second_factor, language
):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.archive.test_two_factor import code_for, wrong_code_for

    device = second_factor(moderator)
    client = Client()
    client.force_login(get_user_model().objects.get(pk=moderator.pk))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    open_as(page, live_server, role=None, language=language, screen="phone")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        ]
    )
    page.goto(at("/accounts/two-factor/", language))
    field = page.locator("input[name=code]")
    field.fill(wrong_code_for(device))
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator(".error[role=alert]")).to_be_visible()
    # Typed again at once: checked once the short lock ends, not refused.
    page.locator("input[name=code]").fill(code_for(device))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    assert "Wait" not in page.content() and "انتظر" not in page.content()
