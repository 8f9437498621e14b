"""The review queue at volume, in a browser, in English and Arabic on a
phone: filters above the list, several testimonies ticked and sent back or
assigned from the keyboard, the filters kept in the URL; and a documenter's
own testimonies filtered the same way."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.models import ReviewAssignment, TestimonyStatus
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
        "action": "Action",
        "send_back": "Send back with the comment",
        "assign": "Assign to",
        "comment": "Comment to the documenters",
        "apply": "Apply to the testimonies ticked",
        "sent": "2 testimonies sent back.",
        "assigned": "1 assignment changed.",
        "assigned_to": "Assigned to",
        "filter": "Filter",
        "filter_assigned": "Assigned to",
        "me": "Me",
        "language": "Language",
        "arabic": "Arabic",
    },
    "ar": {
        "action": "الإجراء",
        "send_back": "إعادة مع التعليق",
        "assign": "إسناد إلى",
        "comment": "تعليق إلى الموثِّقين",
        "apply": "تطبيق على الشهادات المحدَّدة",
        "sent": "أُعيدت شهادتان (2).",
        "assigned": "تغيّر إسناد واحد (1).",
        "assigned_to": "مُسنَدة إلى",
        "filter": "تصفية",
        "filter_assigned": "مُسنَدة إلى",
        "me": "أنا",
        "language": "اللغة",
        "arabic": "العربية",
    },
}


def open_as(page, live_server, *, role, language, screen):
    page.set_viewport_size(screen)
    reading_as(page, live_server, role, language)


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


@pytest.fixture
def waiting(coast, documenter):
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    with factories.together():
        return [
            factories.testimony(
                status="submitted",
                recorded_by=documenter if n % 2 else other,
                places=[coast["banias"] if n % 2 else coast["jableh"]],
                language="ar" if n < 2 else "en",
            )
            for n in range(4)
        ]


def tick(page, testimony):
    """Tick a testimony's box from the keyboard (focus, then Space)."""
    box = page.locator(f"#pick-{testimony.public_id}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_moderator_sends_back_and_assigns_several_on_a_phone(
    page, live_server, waiting, moderator, language
):
    words = WORDS[language]
    open_as(page, live_server, role="moderator", language=language, screen=PHONE)
    page.goto(at("/moderation/?sort=newest", language))
    assert page.locator("html").get_attribute("dir") == (
        "rtl" if language == "ar" else "ltr"
    )
    filters = page.locator("form.worklist-filters")
    first_item = page.locator(".queue > li").first
    expect(filters).to_be_visible()
    expect(page.locator(".queue-batch .queue > li")).to_have_count(4)
    assert filters.bounding_box()["y"] < first_item.bounding_box()["y"]
    assert fits_the_page(page)
    screenshot(page, f"review-queue-phone-{language}.png")

    # Two sent back at once, with one comment, from the keyboard.
    tick(page, waiting[0])
    tick(page, waiting[1])
    page.get_by_label(words["action"], exact=True).select_option(
        label=words["send_back"]
    )
    page.get_by_label(words["comment"]).fill("Add the date of the raid.")
    page.get_by_role("button", name=words["apply"]).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/moderation/?sort=newest")
    expect(page.locator(".messages")).to_contain_text(words["sent"])
    expect(page.locator(".queue-batch .queue > li")).to_have_count(2)
    for testimony in waiting[:2]:
        testimony.refresh_from_db()
        assert testimony.status == TestimonyStatus.SENT_BACK

    # One assigned to me, then the queue filtered to what is mine.
    tick(page, waiting[2])
    page.get_by_label(words["action"], exact=True).select_option(label=words["assign"])
    page.get_by_role("button", name=words["apply"]).click()
    expect(page.locator(".messages")).to_contain_text(words["assigned"])
    item = page.locator(
        ".queue > li", has=page.locator(f"#pick-{waiting[2].public_id}")
    )
    expect(item.locator(".assignment")).to_contain_text(words["assigned_to"])
    expect(item.locator(".assignment")).to_contain_text(moderator.username)
    filters.get_by_label(words["filter_assigned"]).select_option(label=words["me"])
    filters.get_by_role("button", name=words["filter"]).click()
    page.wait_for_url("**assigned=me**")
    expect(page.locator(".queue-batch .queue > li")).to_have_count(1)
    assert ReviewAssignment.objects.get().testimony.public_id == waiting[2].public_id
    assert AuditEntry.objects.filter(action=AuditAction.REVIEW_ASSIGNED).count() == 1
    assert fits_the_page(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_queue_on_a_wide_screen(page, live_server, waiting, moderator, language):
    from testimonies.moderation.services import review_assign

    review_assign(testimony=waiting[1], moderator=moderator, assigned_by=moderator)
    open_as(page, live_server, role="moderator", language=language, screen=DESKTOP)
    page.goto(at("/moderation/", language))
    expect(page.locator(".worklist-panel > summary")).to_be_hidden()
    expect(page.locator("form.worklist-filters")).to_be_visible()
    assert fits_the_page(page)
    screenshot(page, f"review-queue-{language}.png")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_documenter_filters_their_own_testimonies(
    page, live_server, waiting, documenter, language
):
    words = WORDS[language]
    open_as(page, live_server, role="documenter", language=language, screen=PHONE)
    page.goto(at("/testimonies/mine/", language))
    rows = page.locator(".work-table tbody tr")
    expect(rows).to_have_count(2)  # the other documenter's are not there
    filters = page.locator("form.worklist-filters")
    filters.get_by_label(words["language"]).select_option(label=words["arabic"])
    filters.get_by_role("button", name=words["filter"]).click()
    page.wait_for_url("**language=ar**")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(waiting[1].witness.pseudonym)
    assert fits_the_page(page)
    screenshot(page, f"my-testimonies-filtered-{language}.png")
