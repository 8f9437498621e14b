"""A testimony approved with a generalised public view: the public page, the
search page, /api/search/ and the index hold the generalised place and
dates, never the precise neighbourhood and day; researchers still read the
precise ones on the testimony page."""

import datetime

import pytest
from django.urls import reverse
from haystack.query import SearchQuerySet

from testimonies.models import Testimony
from testimonies.vault.identity import identity_store
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

NARRATIVE = "Men in uniform searched every house on our street and took two."


@pytest.fixture
def released(coast, documenter, moderator, client_for):
    """Tagged in Hai Al Kusour on 7-8 March 2025, approved with the place
    raised and the dates widened to the month."""
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative=NARRATIVE,
        places=[coast["hai-al-kusour"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 8)),
    )
    identity_store(
        witness=testimony.witness, name="Layla Haddad", gender="female", birth_year=1990
    )
    client_for(documenter).post(
        reverse("testimonies:submit", args=[testimony.public_id])
    )
    response = client_for(moderator).post(
        reverse("moderation:review", args=[testimony.public_id]),
        {"decision": "approved", "public_view": "place_month"},
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.status == "approved"
    return testimony


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def facet_slugs(answer, name):
    return {entry["slug"] for entry in answer["facets"][name]}


def test_the_public_page_shows_the_generalised_place_and_month(
    released, anonymous, client_for
):
    response = client_for(anonymous).get(released.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Banias" in body and "March 2025" in body
    assert "Hai Al Kusour" not in body and "حي القصور" not in body
    assert "7 March" not in body and "hai-al-kusour" not in body


def test_a_researcher_still_reads_the_precise_place_and_days(
    released, researcher, client_for
):
    body = client_for(researcher).get(released.get_absolute_url()).content.decode()
    assert "Hai Al Kusour" in body
    assert "7 March 2025 – 8 March 2025" in body
    # ...and is told what the public is shown instead.
    assert "The public sees" in body


def test_the_public_search_api_shows_only_the_generalised_values(
    released, anonymous, client_for
):
    client = client_for(anonymous)
    answer = api(client, q="uniform")
    (result,) = answer["results"]
    assert result["id"] == released.public_id
    assert result["places"] == [{"slug": "banias", "name": "Banias"}]
    assert result["incident"] == {
        "start": "2025-03-01",
        "end": "2025-03-31",
        "precision": "month",
    }
    assert "hai-al-kusour" not in facet_slugs(answer, "place")
    assert {"banias", "tartus-governorate"} <= facet_slugs(answer, "place")
    assert answer["facets"]["year"] == [{"value": "2025", "count": 1}]
    # Neither a filter nor a word singles it out by the precise values.
    assert api(client, place="hai-al-kusour")["count"] == 0
    assert api(client, q="Kusour")["count"] == 0
    assert api(client, place="banias")["count"] == 1
    # The index holds the whole month: a day filter cannot tell the days.
    assert api(client, date_from="2025-03-20", date_to="2025-03-21")["count"] == 1


def test_the_public_search_page_lists_the_generalised_values(
    released, anonymous, client_for
):
    response = client_for(anonymous).get(reverse("search:page"), {"q": "uniform"})
    body = response.content.decode()
    assert released.public_id in body
    assert "Banias" in body and "March 2025" in body
    assert "Hai Al Kusour" not in body and "7 March" not in body


def test_a_researchers_results_keep_the_precise_values(
    released, researcher, client_for
):
    (result,) = api(client_for(researcher), q="uniform")["results"]
    assert result["places"] == [{"slug": "hai-al-kusour", "name": "Hai Al Kusour"}]
    assert result["incident"]["start"] == "2025-03-07"


def test_the_index_document_holds_the_generalised_values(released):
    (document,) = [
        result
        for result in SearchQuerySet().models(Testimony)
        if int(result.pk) == released.pk
    ]
    assert "hai-al-kusour" not in document.places
    assert set(document.places) == {"sy", "tartus-governorate", "banias"}
    assert _day(document.incident_start) == datetime.date(2025, 3, 1)
    assert _day(document.incident_end) == datetime.date(2025, 3, 31)
    assert "Kusour" not in document.text and "القصور" not in document.text


def _day(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def test_the_public_home_page_lists_the_generalised_values(
    released, anonymous, client_for
):
    body = client_for(anonymous).get(reverse("home")).content.decode()
    assert released.public_id in body
    assert "Banias" in body and "March 2025" in body
    assert "Hai Al Kusour" not in body and "7 March" not in body
