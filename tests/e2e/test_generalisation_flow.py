"""A moderator chooses a generalised public view in a real browser, sees
what each view would replace highlighted beside the text, approves; the
public page then reads only the generalised places and dates, in English and
right to left in Arabic.

The screenshots in docs/ come from this test: run it with
ARCHIVE_SCREENSHOT_DIR=docs to write them again.
"""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.sessions import at, reading_as
from tests.markers import committed_db

pytestmark = committed_db

NARRATIVE = (
    "On Friday 7 March 2025 gunmen came to Hai Al Kusour. On the 8th they came "
    "back to al-Qusour and took my brother."
)
TRANSLATION = (
    "يوم الجمعة 7 آذار 2025 جاء مسلحون إلى حي القصور. وفي الثامن من آذار عادوا "
    "إلى القصور وأخذوا أخي."
)


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("ARCHIVE_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def submitted(coast, documenter):
    kusour = coast["hai-al-kusour"]
    kusour.variants = ["Al-Qusour", "Kusour", "القصور"]
    kusour.save()
    return factories.testimony(
        status="submitted",
        recorded_by=documenter,
        narrative=NARRATIVE,
        translations={"ar": TRANSLATION},
        places=[kusour],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 8)),
    )


def tab_for(page, live_server, username=None, language="en"):
    """`page` as a new browser for `username` (None: the public) reading
    `language`: the last person's cookies gone."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1100, "height": 900})
    reading_as(page, live_server, username, language)
    return page


def test_moderator_sees_the_replacements_then_the_public_reads_them(
    page, live_server, submitted, moderator, screenshots
):
    review_url = f"/moderation/{submitted.public_id}/"
    for language in ("en", "ar"):
        desk = tab_for(page, live_server, "moderator", language)
        desk.goto(at(review_url, language))
        check = desk.locator("fieldset.reidentification")
        check.locator("input[value=place_month]").check()
        chosen = check.locator('.public-view-preview[data-view="place_month"]')
        expect(chosen).to_be_visible()
        expect(check.locator('.public-view-preview[data-view="year"]')).to_be_hidden()
        expect(
            chosen.locator(".side-original").first.locator("mark.finer")
        ).to_have_text(["Friday 7 March 2025", "Hai Al Kusour", "the 8th", "al-Qusour"])
        public_side = chosen.locator(".side-public .preview-text")
        expect(public_side.first).to_contain_text("[a neighbourhood of Banias]")
        expect(public_side.nth(1)).to_contain_text("[حي في بانياس]")
        expect(public_side.nth(1)).to_contain_text("[آذار 2025]")
        # Choosing another view shows what that one would replace instead.
        check.locator("input[value=year]").check()
        expect(chosen).to_be_hidden()
        year = check.locator('.public-view-preview[data-view="year"]')
        expect(year.locator(".side-public .preview-text").first).to_contain_text(
            "On [2025] gunmen came to Hai Al Kusour."
        )
        check.locator("input[value=place_month]").check()
        if language == "ar":
            expect(desk.locator("html")).to_have_attribute("dir", "rtl")
        check.screenshot(path=str(screenshots / f"generalised-review-{language}.png"))
        if language == "ar":
            desk.locator("button[name=decision][value=approved]").click()
            expect(desk.locator(".messages")).to_be_visible()

    submitted.refresh_from_db()
    assert (submitted.status, submitted.public_place_levels_up) == ("approved", 1)
    for language in ("en", "ar"):
        public = tab_for(page, live_server, language=language)
        public.goto(at(submitted.get_absolute_url(), language))
        article = public.locator("article.testimony")
        expect(article).to_contain_text("[a neighbourhood of Banias]")
        expect(article).to_contain_text("[حي في بانياس]")
        expect(article).to_contain_text("On [March 2025] gunmen came")
        for finer in ("Kusour", "Qusour", "القصور", "Friday", "الجمعة", "7 March"):
            expect(article).not_to_contain_text(finer)
        article.screenshot(path=str(screenshots / f"generalised-public-{language}.png"))
