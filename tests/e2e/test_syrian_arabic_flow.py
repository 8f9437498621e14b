"""Syrian Arabic on the real pages, in a browser, against the English ones:
months, the word for a community, the witness's community, the consent
sentences' order, languages named in words and the audit log's details."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.sessions import at
from tests.e2e.test_everyday_layout import open_as
from tests.markers import committed_db

pytestmark = committed_db

LANGUAGES = ["en", "ar"]
EXPECTED = {
    "en": {
        "dates": "7 March 2025 – 8 March 2025",
        "communities": "Communities concerned",
        "translation": "Translation (Arabic)",
        "community_option": "Alawite",
        "scopes": "Kept in the archive, Shared with researchers",
    },
    "ar": {
        "dates": "7 آذار 2025 – 8 آذار 2025",
        "communities": "المكوّنات المعنية",
        "translation": "الترجمة العربية",
        "community_option": "علويون",
        "scopes": "الحفظ في الأرشيف، المشاركة مع الباحثين",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_testimony_reads_in_the_interfaces_words(page, live_server, coast, language):
    testimony = factories.testimony(
        places=[coast["banias"]],
        incident=(date(2025, 3, 7), date(2025, 3, 8)),
        translations={"ar": "أخذوا جاري من شارعنا في بانياس."},
    )
    open_as(page, live_server, role=None, language=language, screen="desktop")
    page.goto(at(testimony.get_absolute_url(), language))
    words = EXPECTED[language]
    expect(page.locator("main")).to_contain_text(words["dates"])
    expect(page.locator(".facts")).to_contain_text(words["communities"])
    expect(page.get_by_role("heading", name=words["translation"])).to_be_visible()
    text = page.locator("main").inner_text()
    assert "(ar)" not in text and "مارس" not in text and "مجتمع" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_witness_step_offers_communities_in_the_interfaces_language(
    page, live_server, documenter, language
):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    open_as(page, live_server, role="documenter", language=language, screen="phone")
    page.goto(at(f"/testimonies/{draft.public_id}/record/witness/", language))
    community = page.locator("#id_community")
    community.select_option(label=EXPECTED[language]["community_option"])
    assert community.input_value() == "alawite"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_consent_page_starts_each_scope_in_the_interfaces_language(
    page, live_server, documenter, language
):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    open_as(page, live_server, role="documenter", language=language, screen="phone")
    page.goto(at(f"/testimonies/{draft.public_id}/consent/", language))
    scopes = page.locator(".consent-form .field.scope")
    expect(scopes.first).to_be_visible()
    for index in range(scopes.count()):
        sentences = scopes.nth(index).locator("p.help")
        assert sentences.first.get_attribute("lang") == language
        # Both sentences stay: the witness may read either language.
        assert {sentences.nth(i).get_attribute("lang") for i in range(2)} == {
            "en",
            "ar",
        }
        # The first one shown sits above the second on the screen.
        first, second = sentences.nth(0).bounding_box(), sentences.nth(1).bounding_box()
        assert first["y"] < second["y"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_log_reads_in_the_interfaces_language(
    page, live_server, moderator, language
):
    testimony = factories.testimony(consent={"archive": True, "researchers": True})
    open_as(page, live_server, role="moderator", language=language, screen="desktop")
    page.goto(at(f"/audit/?target={testimony.public_id}", language))
    row = page.locator(".audit-table tbody tr").first
    expect(row).to_contain_text(EXPECTED[language]["scopes"])
    expect(row).to_contain_text(
        "Recorded consent" if language == "en" else "سجّل الموافقة"
    )
