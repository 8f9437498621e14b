"""The everyday pages keep their shape in both languages, on a desktop and on
a phone: the columns of "My testimonies" line up, the audit log fits the
page, the search filters come before the results on a phone, and a
redaction placeholder never breaks across two lines."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_accessibility import session_cookie
from tests.markers import committed_db

pytestmark = committed_db

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ["en", "ar"]


def open_as(page, live_server, *, role, language, screen):
    """Set the viewport, the language cookie and (for `role`) a session."""
    page.set_viewport_size(SCREENS[screen])
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
    if role:
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(role)}
        )
    page.context.add_cookies([{**c, "url": live_server.url} for c in cookies])


def fits_the_page(page) -> bool:
    """Nothing makes the page scroll sideways."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_actions_column_of_my_testimonies_lines_up(
    page, live_server, archive, documenter, language, screen
):
    factories.testimony(status="draft", recorded_by=documenter, consent={})
    open_as(page, live_server, role="documenter", language=language, screen=screen)
    page.goto("/testimonies/mine/")
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
    page.goto("/audit/")
    region = page.get_by_role(
        "region", name=page.locator("#audit-caption").inner_text()
    )
    expect(region).to_have_count(1)
    assert fits_the_page(page)
    # The table's own region is reached with the keyboard, to scroll it.
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("r => r.tabIndex") == 0
