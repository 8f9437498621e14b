"""The interface in English and in Arabic: the language switcher, the page
direction, dates at their precision, numbers, and bidi isolation of names,
pseudonyms and places."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from archive.bidi import isolated
from testimonies.core.models import IncidentDates
from tests import factories
from tests.markers import committed_db

# Arabic-Indic (U+0660-0669) and Eastern Arabic-Indic (U+06F0-06F9) digits:
# the archive writes Western digits in both languages (archive/formats/ar).
ARABIC_INDIC_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")


def day(text):
    return datetime.date.fromisoformat(text)


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load localised %}" + source).render(Context(context))


def arabic(client, path):
    # The request leaves Arabic active in this thread: the test's own
    # reverse() and get_absolute_url() go on in English.
    with translation.override("en"):
        return client.get("/ar" + path).content.decode()


@pytest.mark.django_db
def test_the_switcher_sets_the_language_and_returns_to_the_page(client):
    page = client.get("/search/?q=Banias").content.decode()
    switcher = page.split('class="language-switch"')[1].split("</form>")[0]
    assert 'name="next" value="/search/?q=Banias"' in switcher
    assert 'value="ar" lang="ar" dir="rtl">العربيّة</button>' in switcher
    assert 'lang="en" dir="ltr" aria-current="true">English</span>' in switcher

    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/search/?q=Banias"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ar/search/?q=Banias"
    page = client.get("/ar/search/?q=Banias").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    switcher = page.split('class="language-switch"')[1].split("</form>")[0]
    assert 'name="next" value="/ar/search/?q=Banias"' in switcher
    assert 'value="en" lang="en" dir="ltr">English</button>' in switcher

    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/ar/search/?q=Banias"}
    )
    assert response["Location"] == "/search/?q=Banias"
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_switcher_never_sends_anyone_to_another_site(client):
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "https://example.org/"}
    )
    assert response["Location"] == "/ar/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/search/", "/accounts/login/", "/search/?q=Banias"]
)
def test_arabic_pages_are_right_to_left(client, archive, path):
    assert '<html lang="ar" dir="rtl">' in arabic(client, path)


@pytest.mark.parametrize(
    "dates, english, arabic_label",
    [
        (
            IncidentDates(day("2025-03-07"), day("2025-03-07"), "day"),
            "7 March 2025",
            "7 آذار 2025",
        ),
        (
            IncidentDates(day("2025-03-07"), day("2025-03-09"), "day"),
            "7 March 2025 – 9 March 2025",
            "7 آذار 2025 – 9 آذار 2025",
        ),
        (
            IncidentDates(day("2025-03-01"), day("2025-03-31"), "month"),
            "March 2025",
            "آذار 2025",
        ),
        (
            IncidentDates(day("2025-03-01"), day("2025-04-30"), "month"),
            "March 2025 – April 2025",
            "آذار 2025 – نيسان 2025",
        ),
        (
            IncidentDates(day("2013-01-01"), day("2013-12-31"), "year"),
            "2013",
            "2013",
        ),
        (IncidentDates(None, None, "day"), "", ""),
    ],
)
def test_incident_dates_show_their_precision_in_both_languages(
    dates, english, arabic_label
):
    template = "{{ dates|incident_dates }}"
    assert render(template, "en", dates=dates) == english
    assert render(template, "ar", dates=dates) == arabic_label


def test_counts_are_grouped_with_western_digits_in_both_languages():
    assert render("{{ n|number }}", "en", n=12345) == "12,345"
    assert render("{{ n|number }}", "ar", n=12345) == "12,345"
    assert render("{{ n|number }}", "ar", n=7) == "7"


@committed_db
def test_arabic_pages_write_dates_and_counts_with_western_digits(
    client, archive, researcher
):
    client.force_login(researcher)
    for path in ["/", "/search/?q=Banias", archive["kusour"].get_absolute_url()]:
        page = arabic(client, path)
        # The fixtures' texts hold no Arabic-Indic digit, so none may appear.
        assert not ARABIC_INDIC_DIGIT.search(page), path
    assert 'class="count">' in arabic(client, "/search/?q=Banias")  # facets shown
    page = arabic(client, archive["kusour"].get_absolute_url())
    assert "7 آذار 2025 – 8 آذار 2025" in page
    assert "1 نيسان 2025" in page  # recorded on, in the same formats


@pytest.mark.django_db
def test_the_testimony_page_shows_incident_dates_at_their_precision(client, archive):
    page = client.get(archive["jableh"].get_absolute_url()).content.decode()
    assert "<dd>March 2025</dd>" in page
    assert "<dd>آذار 2025</dd>" in arabic(client, archive["jableh"].get_absolute_url())
    assert "<dd>2013</dd>" in arabic(client, archive["tartus-2013"].get_absolute_url())


@committed_db  # search results come from the index, written after commit
def test_pseudonym_and_places_are_isolated_from_the_text_around_them(client, archive):
    testimony = archive["kusour"]
    pseudonym = testimony.witness.pseudonym
    for page in [
        client.get(testimony.get_absolute_url()).content.decode(),
        arabic(client, testimony.get_absolute_url()),
        arabic(client, "/search/?q=Banias"),
        arabic(client, "/"),
    ]:
        assert f"<bdi>{pseudonym}</bdi>" in page
    page = arabic(client, testimony.get_absolute_url())
    # The place trail, each place in Arabic and isolated.
    assert "<bdi>حي القصور</bdi>" in page and "<bdi>بانياس</bdi>" in page
    search = arabic(client, "/search/?q=Banias")
    assert '<bdi class="tag place">حي القصور</bdi>' in search
    assert "<bdi>محافظة طرطوس</bdi>" in search  # a facet
    # A place with no Arabic name keeps its Latin one, isolated all the same.
    latakia = archive["jableh"].places.first().parent
    assert latakia.name_ar == ""
    page = arabic(client, archive["jableh"].get_absolute_url())
    assert f"<bdi>{latakia.name}</bdi>" in page


@pytest.mark.django_db
def test_what_people_type_is_read_in_its_own_direction(client, archive):
    page = arabic(client, "/search/?q=%D8%A8%D8%A7%D9%86%D9%8A%D8%A7%D8%B3")
    assert 'id="id_q" type="search" name="q" dir="auto" value="بانياس"' in page
    assert 'name="q" dir="auto"' in arabic(client, "/")


@pytest.mark.django_db
def test_usernames_in_messages_are_isolated(moderator, documenter, verified_client_for):
    client = verified_client_for(moderator)
    response = client.post(
        "/accounts/roles/",
        {"action": "set-role", "username": "documenter", "role": "researcher"},
        follow=True,
    )
    assert isolated("documenter") + " is now: Researcher." in response.content.decode()


@pytest.mark.django_db
def test_field_errors_are_tied_to_their_fields(client, archive):
    page = client.get("/search/?date_from=not-a-date").content.decode()
    assert 'aria-invalid="true" aria-describedby="id_date_from_error"' in page
    assert '<p id="id_date_from_error">' in page
    page = client.post(
        "/accounts/login/", {"username": "nobody", "password": "wrong"}
    ).content.decode()
    assert page.count('aria-invalid="true" aria-describedby="login-error"') == 2
    assert 'id="login-error"' in page


@pytest.mark.django_db
def test_consent_explanations_are_read_with_their_checkbox(documenter, client_for):
    testimony = factories.testimony(status="draft", recorded_by=documenter, consent={})
    page = client_for(documenter).get(f"/testimonies/{testimony.public_id}/consent/")
    body = page.content.decode()
    assert 'aria-describedby="id_archive_en id_archive_ar"' in body
    assert 'id="id_archive_en"' in body and 'id="id_archive_ar"' in body
