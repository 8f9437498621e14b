"""Incidents in a real browser: the list and an incident's page read in
English and right to left in Arabic, pass the accessibility scan, are
reached with the keyboard alone, and a moderator links a suggested
testimony in one click. Screenshots of the incident page for docs/ when
asked (ARCHIVE_SCREENSHOTS=<folder>)."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from archive.models import AuditEntry
from testimonies.incidents.audit_actions import IncidentAuditAction
from testimonies.incidents.models import IncidentLink
from testimonies.incidents.services import incident_link, incident_propose
from testimonies.models import Community, EventType
from tests.e2e.sessions import at, reading_as
from tests.e2e.test_accessibility import describe, serious_violations
from tests.markers import committed_db
from tests.testimonies.incidents.incident_helpers import day

pytestmark = committed_db

SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")


@pytest.fixture
def incident(archive, coast, moderator):
    made = incident_propose(
        user=moderator,
        title="Killings in Hai Al Kusour, Banias",
        title_ar="القتل في حي القصور في بانياس",
        summary="Armed groups went from building to building in Hai Al Kusour.",
        summary_ar="تنقّلت مجموعات مسلحة من بناء إلى بناء في حي القصور.",
        start=day("2025-03-07"),
        end=day("2025-03-08"),
        places=[coast["banias"]],
        event_types=EventType.objects.filter(slug__in=["killing", "massacre"]),
        communities=Community.objects.filter(slug="alawite"),
    )
    for name in ("kusour", "banias", "researchers-only"):
        incident_link(user=moderator, incident=made, testimony=archive[name])
    return made


def _clean(page, where):
    violations = serious_violations(Axe().run(page))
    assert not violations, f"{where}:\n{describe(violations)}"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_public_reads_an_incident_in_both_languages_by_keyboard(
    page, live_server, incident, language
):
    reading_as(page, live_server, None, language)
    page.goto(at("/incidents/", language))
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    _clean(page, f"/incidents/ in {language}")
    title = incident.title_ar if language == "ar" else incident.title
    link = page.get_by_role("link", name=title)
    # The keyboard alone reaches the incident from the list.
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the incident's link is never reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{incident.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(title)
    corroboration = page.locator(".facts .corroboration")
    # Two public witnesses; the researchers-only account counts for nobody here.
    expect(corroboration).to_contain_text(
        "وصفه شاهدان" if language == "ar" else "Described by 2 witnesses"
    )
    expect(page.locator(".linked .result")).to_have_count(2)
    _clean(page, f"the incident page in {language}")
    if SCREENSHOTS:
        page.set_viewport_size({"width": 1100, "height": 900})
        page.locator("article.incident").screenshot(
            path=str(Path(SCREENSHOTS) / f"incident-{language}.png")
        )


def test_a_moderator_links_a_suggested_testimony_in_one_click(
    page, live_server, incident, archive
):
    reading_as(page, live_server, "moderator", "en")
    page.goto(incident.get_absolute_url())
    _clean(page, "the incident page of a moderator")
    suggestion = page.locator("#suggested-links .suggestion").first
    reasons = suggestion.locator(".reasons")
    expect(reasons).to_contain_text("Banias")
    before = IncidentLink.objects.filter(incident=incident).count()
    suggestion.get_by_role("button").click()
    page.wait_for_load_state("load")
    assert IncidentLink.objects.filter(incident=incident).count() == before + 1
    expect(page.locator("h1")).to_have_text(incident.title)
    page.goto("/incidents/propose/")
    _clean(page, "the proposal form")


def test_a_moderator_opens_the_witnesses_communities_on_purpose(
    page, live_server, incident
):
    """Linked from the incident page, never shown on it: asked for with a
    reason and the password, in both languages, each reading audited."""
    for language in ("en", "ar"):
        reading_as(page, live_server, "moderator", language)
        page.goto(at(incident.get_absolute_url(), language))
        html = page.locator("html")
        assert html.get_attribute("lang") == language
        expect(page.locator("table.witness-community-groups")).to_have_count(0)
        page.locator("a[href$='/witness-communities/']").click()
        page.wait_for_load_state("load")
        _clean(page, f"the witnesses' communities form in {language}")
        page.locator("#id_reason").fill(
            "the prosecutor asks how independent these accounts are"
        )
        page.locator("#id_password").fill("correct horse battery staple")
        page.locator("form.stacked button[type=submit]").click()
        page.wait_for_load_state("load")
        expect(page.locator("table.witness-community-groups")).to_be_visible()
        _clean(page, f"the witnesses' communities in {language}")
    reads = AuditEntry.objects.filter(
        action=IncidentAuditAction.WITNESS_COMMUNITIES_READ, target=incident.public_id
    )
    assert reads.count() == 2
