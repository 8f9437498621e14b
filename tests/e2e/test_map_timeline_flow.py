"""The map and the timeline in a real browser with the network cut: every
request that does not go to the archive itself is refused, and the pages
still draw Syria, its governorates and the counts each role may see.
A cluster is a link to the search for its place; a range chosen on the
timeline, with the mouse or the keyboard, is the search's date filter."""

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from testimonies.incidents.services import incident_link, incident_propose
from testimonies.models import Community, EventType
from tests.databases import markup_only
from tests.e2e.sessions import at, reading_as
from tests.e2e.test_accessibility import describe, serious_violations
from tests.e2e.test_content_security_policy import Watch
from tests.markers import committed_db

pytestmark = committed_db

# Where tests/conftest.py's `coast` places are, roughly (the gazetteer's
# own coordinates; the test gazetteer has none).
POSITIONS = {
    "banias": (35.18, 35.94),
    "tartus": (34.89, 35.89),
    "jableh": (35.36, 35.93),
}
CODES = {"tartus-governorate": "SY-TA", "latakia-governorate": "SY-LA"}


@pytest.fixture
def placed(archive, coast, researcher):
    for slug, (latitude, longitude) in POSITIONS.items():
        place = coast[slug]
        place.latitude, place.longitude = latitude, longitude
        place.save()
    for slug, code in CODES.items():
        coast[slug].external_code = code
        coast[slug].save()
    return archive


@pytest.fixture
def incident(placed, coast, moderator):
    """An incident in Hai Al Kusour described by the public account there."""
    made = incident_propose(
        user=moderator,
        title="Killings in Hai Al Kusour",
        title_ar="مقتلة حي القصور",
        places=[coast["hai-al-kusour"]],
        event_types=EventType.objects.filter(slug="killing"),
        communities=Community.objects.none(),
        start=placed["kusour"].incident_start,
        end=placed["kusour"].incident_end,
        precision="day",
    )
    incident_link(
        user=moderator, incident=made, testimony=placed["kusour"], role="describes"
    )
    return made


@pytest.fixture
def offline(page, live_server):
    """Refuse every request that leaves the live server; the list of those
    refused (a page that needed one would be broken offline)."""
    refused = []

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return refused


def _clusters(page, kind=":not(.map-incidents)") -> dict[str, str]:
    """The clusters drawn, by place: testimonies' (or, with
    kind=".map-incidents", incidents')."""
    page.locator("#archive-map a.map-cluster").first.wait_for()
    return {
        link.get_attribute("data-place"): link.inner_text()
        for link in page.locator(f"#archive-map a.map-cluster{kind}").all()
    }


def test_the_map_draws_offline_the_counts_each_role_may_see(
    page, live_server, placed, offline
):
    page.goto("/map/")
    # Clusters are drawn once the boundaries are: Syria's governorates,
    # from the vendored file.
    assert _clusters(page) == {"tartus-governorate": "3", "latakia-governorate": "1"}
    assert page.locator("#archive-map path").count() >= 14
    assert page.locator("#map-table-governorate td").first.inner_text() == "3"

    reading_as(page, live_server, "researcher", "en")
    page.goto("/map/")
    # The researchers-only account in Banias is counted for a researcher.
    assert _clusters(page) == {"tartus-governorate": "4", "latakia-governorate": "1"}

    # Zoomed in, the towns; a cluster is a link the keyboard reaches.
    page.get_by_role("button", name="Zoom in").click()
    page.locator("#archive-map[data-level=district]").wait_for()
    page.get_by_role("button", name="Zoom in").click()
    page.locator("#archive-map[data-level=town]").wait_for()
    assert _clusters(page) == {"banias": "3", "tartus": "1", "jableh": "1"}
    banias = page.locator("#archive-map a.map-cluster[data-place=banias]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if banias.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Banias cluster")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    assert parse_qs(urlsplit(page.url).query) == {"place": ["banias"]}
    assert "3 testimonies found" in page.locator("h2.counts").inner_text()
    assert offline == []


def test_a_cluster_keeps_the_current_filters(page, placed, offline):
    page.goto("/map/?event_type=looting")
    assert _clusters(page) == {"tartus-governorate": "1"}
    page.locator("#archive-map a.map-cluster").first.click()
    page.wait_for_url("**/search/**")
    assert parse_qs(urlsplit(page.url).query) == {
        "event_type": ["looting"],
        "place": ["tartus-governorate"],
    }
    assert "1 testimony found" in page.locator("h2.counts").inner_text()
    assert offline == []


def _month_x(page, month_index):
    """The page x of the middle of a month's column on the timeline."""
    box = page.locator("#archive-timeline > svg").bounding_box()
    width = float(page.locator("#archive-timeline > svg").get_attribute("width"))
    scale = box["width"] / width
    return box["x"] + (12 + month_index * 6 + 2.5) * scale, box["y"] + 100 * scale


def _testimonies_in(page, month):
    """The testimonies column of a month's row in the timeline's table."""
    cells = page.locator(f"#timeline-table tr[data-month='{month}'] td").all()
    return cells[-2].inner_text()  # the last column counts incidents


def test_the_timeline_draws_offline_and_a_brushed_range_is_the_search(
    page, live_server, placed, offline
):
    page.goto("/timeline/")
    march_2025 = (2025 - 2011) * 12 + 2
    bars = page.locator("#archive-timeline g[data-month='2025-03'] rect")
    assert bars.count() >= 1
    # Tartus 2013 is known to the year: a band, not a month.
    assert (
        page.locator("#archive-timeline rect[data-span='2013-01/2013-12']").count() == 1
    )
    assert _testimonies_in(page, "2025-03") == "3"

    reading_as(page, live_server, "researcher", "en")
    page.goto("/timeline/")
    # The researchers-only account of March 2025 is counted for a researcher.
    assert _testimonies_in(page, "2025-03") == "4"

    # The mouse: from January to April 2025.
    x1, y = _month_x(page, march_2025 - 2)
    x2, _ = _month_x(page, march_2025 + 1)
    page.mouse.move(x1, y)
    page.mouse.down()
    page.mouse.move(x2, y, steps=5)
    page.mouse.up()
    page.locator("#timeline-range").click()
    page.wait_for_url("**/search/**")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"date_from": ["2025-01-01"], "date_to": ["2025-04-30"]}
    assert "4 testimonies found" in page.locator("h2.counts").inner_text()
    assert offline == []


def test_the_timeline_keyboard_chooses_a_range_in_arabic_too(
    page, live_server, placed, offline
):
    for language, earlier in [("en", "ArrowLeft"), ("ar", "ArrowRight")]:
        reading_as(page, live_server, None, language)
        page.goto(at("/timeline/?event_type=killing", language))
        chart = page.locator("#archive-timeline > svg")
        chart.focus()
        # The cursor starts on the latest month with testimonies (March
        # 2025); Shift widens the range two months back.
        page.keyboard.press(f"Shift+{earlier}")
        page.keyboard.press(f"Shift+{earlier}")
        assert page.locator("#timeline-range").is_visible()
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/**")
        assert parse_qs(urlsplit(page.url).query) == {
            "event_type": ["killing"],
            "date_from": ["2025-01-01"],
            "date_to": ["2025-03-31"],
        }, language
    assert offline == []


def test_an_incident_page_draws_its_own_small_map_and_timeline(page, incident, offline):
    page.goto(incident.get_absolute_url())
    # Its account and itself, at the public account's governorate first.
    assert _clusters(page) == {"tartus-governorate": "1"}
    assert _clusters(page, ".map-incidents") == {"tartus-governorate": "1"}
    marks = page.locator("#archive-timeline rect[data-incident-month='2025-03']")
    assert marks.count() == 1
    assert page.locator("#archive-timeline g[data-month='2025-03']").count() == 1
    # Its square opens the incident list for its place (which lists
    # incidents, so has no incident filter).
    page.locator("#archive-map a.map-incidents").click()
    page.wait_for_url("**/incidents/?**")
    assert parse_qs(urlsplit(page.url).query) == {"place": ["tartus-governorate"]}
    assert incident.public_id in page.content()
    assert offline == []


@markup_only
def test_the_map_and_timeline_pass_the_accessibility_scan_in_both_languages(
    page, live_server, incident, offline
):
    # Here rather than in test_accessibility's list: the scan must see the
    # clusters, which need the coordinates this module gives the places.
    # Nothing is refused under the Content-Security-Policy either (Leaflet
    # and the timeline style by script, never by inline style attributes).
    watch = Watch(page)
    for language in ["en", "ar"]:
        reading_as(page, live_server, None, language)
        for path in ["/map/", "/timeline/", incident.get_absolute_url()]:
            page.goto(at(path, language))
            assert page.locator("html").get_attribute("lang") == language
            if path != "/timeline/":
                _clusters(page)
            if path != "/map/":
                page.locator("#archive-timeline > svg").wait_for()
            # As loaded, then (the timeline) with a range chosen.
            for step in range(2 if path != "/map/" else 1):
                if step:
                    page.locator("#archive-timeline > svg").focus()
                    page.keyboard.press("Shift+ArrowUp")
                assert watch.refused() == [], (path, language)
                violations = serious_violations(Axe().run(page))
                assert not violations, f"{path} in {language}:\n{describe(violations)}"
    assert offline == []
