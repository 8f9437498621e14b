"""An embargo lifts itself, seen by a researcher in a real browser: hidden
the day before its date, there on the day. time_machine freezes the clock of
the whole test process, the live server's thread included."""

import datetime

import time_machine
from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

EMBARGO_UNTIL = datetime.date(2031, 6, 15)


def at(day):
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


def test_a_researcher_sees_an_embargoed_testimony_only_from_its_date(
    page, log_in, coast, researcher
):
    testimony = factories.testimony(
        narrative="Banias account kept back until the embargo date.",
        places=[coast["banias"]],
        consent={
            "archive": True,
            "researchers": True,
            "embargo_until": EMBARGO_UNTIL,
        },  # fmt: skip
    )
    with at(EMBARGO_UNTIL - datetime.timedelta(days=1)):
        log_in("researcher")
        page.goto("/search/?q=Banias")
        expect(page.locator(".counts")).to_have_text("0 testimonies found")
        expect(page.get_by_text("kept back until the embargo date")).to_have_count(0)
        response = page.goto(testimony.get_absolute_url())
        assert response.status == 404

    with at(EMBARGO_UNTIL):
        # A day later: the 30-minute idle session has ended, as it should.
        page.goto("/search/?q=Banias")
        expect(page.locator(".counts")).to_have_text("0 testimonies found")
        log_in("researcher")
        page.goto("/search/?q=Banias")
        expect(page.locator(".counts")).to_have_text("1 testimony found")
        page.locator("ol.results > li.result h3 a").first.click()
        expect(page.locator(".narrative")).to_contain_text(
            "kept back until the embargo date"
        )
