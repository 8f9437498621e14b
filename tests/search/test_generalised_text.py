"""A testimony approved with a generalised public view holds no finer place
or date in anything the public can reach: the page (English and Arabic),
search results and their excerpts, /api/search/, the index's stored text and
its terms, "did you mean", "more like this" and the exports, whose files
leave the archive whoever asks. The text names the neighbourhood and the
days in English and in Arabic, in several spellings."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from haystack.query import SearchQuerySet
from whoosh.query import Term

from search.excerpts import text_analyzer
from search.whoosh.index_reading import index_searcher, whoosh_backend
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

NARRATIVE = (
    "On Friday 7 March 2025 gunmen came to Hai Al Kusour. On the 8th they came "
    "back to al-Qusour and took my brother. We hid near the Kusour neighbourhood "
    "until 9/3/2025."
)
TRANSLATION = (
    "يوم الجمعة 7 آذار 2025 جاء مسلحون إلى حي القصور. وفي الثامن من آذار عادوا "
    "إلى القصور وأخذوا أخي. اختبأنا بالقصور حتى ٩/٣/٢٠٢٥."
)
SUMMARY = "Raid on Hai Al Kusour, 7-8 March 2025."
# What the public must never read, in any output.
FINER = [
    "Kusour", "Qusour", "القصور", "7 March", "Friday", "the 8th", "9/3/2025",
    "٩/٣/٢٠٢٥", "الجمعة", "الثامن", "7 آذار", "7-8 March",
]  # fmt: skip
# What it reads instead.
GENERALISED = [
    "[a neighbourhood of Banias]", "[March 2025]", "[حي في بانياس]", "[آذار 2025]",
]  # fmt: skip


def approve_generalised(testimony, documenter, moderator, client_for, view):
    client_for(documenter).post(
        reverse("testimonies:submit", args=[testimony.public_id])
    )
    response = client_for(moderator).post(
        reverse("moderation:review", args=[testimony.public_id]),
        {"decision": "approved", "public_view": view},
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.status == "approved"
    return testimony


@pytest.fixture
def kusour(coast):
    """The neighbourhood with the spellings the gazetteer knows it by."""
    place = coast["hai-al-kusour"]
    place.variants = [
        "Al-Qusour", "Al Qusour", "Hay al-Qusur", "Qusour", "Kusour", "القصور",
    ]  # fmt: skip
    place.save()
    return place


@pytest.fixture
def released(kusour, documenter, moderator, client_for):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative=NARRATIVE,
        translations={"ar": TRANSLATION},
        places=[kusour],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 8)),
    )
    testimony.summary = SUMMARY
    testimony.save()
    return approve_generalised(
        testimony, documenter, moderator, client_for, "place_month"
    )


def assert_nothing_finer(text):
    leaked = [finer for finer in FINER if finer.casefold() in text.casefold()]
    assert not leaked, f"finer than the public view: {leaked}"


def test_the_public_page_holds_no_finer_place_or_date(released, anonymous, client_for):
    client = client_for(anonymous)
    for language, prefix in (("en", ""), ("ar", "/ar")):
        response = client.get(prefix + released.get_absolute_url())
        assert response.status_code == 200
        body = response.content.decode()
        assert f'<html lang="{language}"' in body
        assert_nothing_finer(body)
        for generalised in GENERALISED:
            assert generalised in body
        assert "less precisely" in body or "بدقة أقلّ" in body


def test_a_researcher_reads_the_text_as_recorded(released, researcher, client_for):
    body = client_for(researcher).get(released.get_absolute_url()).content.decode()
    assert "Hai Al Kusour" in body and "حي القصور" in body
    assert "On Friday 7 March 2025" in body
    assert "less precisely than they were told" not in body


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_public_search_results_and_excerpts_hold_no_finer_place_or_date(
    released, anonymous, client_for
):
    client = client_for(anonymous)
    for query in ("gunmen", "مسلحون", "brother", "أخي"):
        answer = api(client, q=query)
        assert [r["id"] for r in answer["results"]] == [released.public_id]
        assert_nothing_finer(json.dumps(answer, ensure_ascii=False))
    page = client.get(reverse("search:page"), {"q": "brother"}).content.decode()
    assert released.public_id in page
    assert_nothing_finer(page)


@pytest.mark.parametrize(
    "query", ["Kusour", "Qusour", "al-Qusour", "القصور", "بالقصور", "Friday", "الجمعة"]
)
def test_a_public_search_for_a_finer_word_finds_nothing(
    released, anonymous, client_for, query
):
    answer = api(client_for(anonymous), q=query)
    assert answer["count"] == 0
    assert answer["suggestion"] is None


def test_did_you_mean_does_not_lead_the_public_to_the_neighbourhood(
    released, anonymous, client_for
):
    answer = api(client_for(anonymous), q="Kusuor")
    assert answer["count"] == 0
    assert answer["suggestion"] is None


def test_the_index_holds_no_finer_place_or_date(released):
    (document,) = [
        result
        for result in SearchQuerySet().models(Testimony)
        if int(result.pk) == released.pk
    ]
    assert_nothing_finer(document.text)
    for generalised in GENERALISED:
        assert generalised in document.text
    # Nor among the terms of any document: what a search, an excerpt or a
    # suggestion reads.
    analyzer = text_analyzer()
    backend = whoosh_backend()
    with index_searcher(backend) as searcher:
        for finer in ("Kusour", "Qusour", "القصور", "Friday", "الجمعة", "الثامن"):
            for token in analyzer(finer):
                assert not searcher.search(Term("text", token.text), limit=1), finer


@pytest.fixture
def another_in_kusour(coast):
    """A public testimony that shares nothing with the released one but the
    neighbourhood's name."""
    return factories.testimony(
        narrative="Kusour Kusour: the bakery of Kusour burned; Kusour is empty.",
        places=[coast["jableh"]],
        event_types=("arson",),
        communities=("sunni",),
    )


def test_more_like_this_does_not_point_the_public_to_the_neighbourhood(
    released, another_in_kusour, anonymous, researcher, client_for
):
    url = released.get_absolute_url()
    public_page = client_for(anonymous).get(url).content.decode()
    assert another_in_kusour.public_id not in public_page
    # The researcher's "more like this" reads the recorded text, and finds it:
    # the check above could fail.
    researchers_page = client_for(researcher).get(url).content.decode()
    assert another_in_kusour.public_id in researchers_page


def test_exports_hold_the_public_view_whoever_asks(released, researcher, client_for):
    client = client_for(researcher)
    response = client.get(reverse("search-api:export-json"), {"q": "brother"})
    assert response.status_code == 200
    document = json.loads(response.content)
    (record,) = document["results"]
    assert record["id"] == released.public_id
    assert [(p["slug"], p["name"]) for p in record["places"]] == [("banias", "Banias")]
    # The levels named are those above the public place, never below.
    assert record["places"][0]["town"]["slug"] == "banias"
    assert record["incident"] == {
        "start": "2025-03-01",
        "end": "2025-03-31",
        "precision": "month",
    }
    assert_nothing_finer(response.content.decode())
    assert "[a neighbourhood of Banias]" in record["narrative"]
    assert "[حي في بانياس]" in record["translations"]["ar"]

    response = client.get(reverse("search-api:export-csv"), {"q": "brother"})
    text = response.content.decode("utf-8-sig")
    assert_nothing_finer(text)
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["places"] == "banias"
    assert row["incident_start"] == "2025-03-01"
    assert "[آذار 2025]" in row["translation_ar"]


def test_a_year_view_leaves_no_month_or_day(coast, documenter, moderator, client_for):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="In March 2025, on the 8th, they burned the mill.",
        translations={"ar": "في آذار 2025، في الثامن منه، أحرقوا المطحنة."},
        places=[coast["banias"]],
        incident=(datetime.date(2025, 3, 8), datetime.date(2025, 3, 8)),
    )
    approve_generalised(testimony, documenter, moderator, client_for, "year")
    body = client_for(None).get(testimony.get_absolute_url()).content.decode()
    text = strip_tags(body)  # a placeholder sits in a span that does not wrap
    assert "In [2025], on [2025]" in text
    assert "في [2025]" in text
    assert "March" not in body.split("<main", 1)[-1] and "آذار" not in body
