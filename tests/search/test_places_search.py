"""Place-aware queries and place filters in any spelling,
over the real gazetteer and a real Whoosh index.

These tests only read: the gazetteer and the testimonies are built once
for the module."""

import datetime

import pytest

from testimonies.models import Place
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.index_kept,
    pytest.mark.usefixtures("tagged"),
]


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture(scope="module")
def tagged(gazetteer_once, built_once):
    """Testimonies whose texts never name their places (on Syria's
    gazetteer)."""
    return built_once(tagged_testimonies)


def tagged_testimonies() -> dict:
    with factories.together():
        T = factories.testimony
        place = Place.objects.get
        return {
            "banias": T(
                narrative="They took my brother from the bakery at dawn.",
                places=[place(slug="banias")],
            ),
            "kusour": T(
                narrative="The bakery on our street burned the next morning.",
                places=[place(slug="hai-al-kusour")],
            ),
            "jableh": T(
                narrative="Shots all night near the bakery; we hid in the cellar.",
                places=[place(slug="jableh")],
            ),
            "tartus-town": T(
                narrative="A checkpoint stopped the bus and took two men.",
                places=[place(slug="tartus")],
            ),
            "archive-only": T(
                narrative="The bakery was looted; the men were taken away.",
                places=[place(slug="banias")],
                consent={"archive": True},
            ),
        }


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(answer):
    return {result["id"] for result in answer["results"]}


def keys(tagged, *names):
    return {tagged[name].public_id for name in names}


@pytest.mark.parametrize(
    "query", ["بانياس", "Baniyas", "Bāniyās", "Banias", "BANIYAS", "وبانياس"]
)
def test_a_town_in_any_spelling_finds_what_is_tagged_there(tagged, client, query):
    answer = api(client, q=query)
    assert ids(answer) == keys(tagged, "banias", "kusour")
    (match,) = answer["places_matched"]
    assert match["words"] == query
    assert "banias" in match["places"]
    assert match["suggested"] == [
        {"slug": "banias", "name": "Banias", "governorate": "Tartus Governorate"}
    ]


@pytest.mark.parametrize("query", ["Tartus", "Tartous", "طرطوس", "Ţarţūs"])
def test_a_governorates_name_finds_its_towns_through_the_hierarchy(
    tagged, client, query
):
    answer = api(client, q=query)
    assert ids(answer) == keys(tagged, "banias", "kusour", "tartus-town")
    # Offered as a filter, the plain name means the town (docs/api.md, place).
    assert answer["places_matched"][0]["suggested"][0]["slug"] == "tartus"


def test_the_other_words_of_the_query_still_narrow(tagged, client):
    assert ids(api(client, q="bakery Baniyas")) == keys(tagged, "banias", "kusour")
    assert ids(api(client, q="bakery جبلة")) == keys(tagged, "jableh")
    assert ids(api(client, q="cellar بانياس")) == set()


def test_a_word_that_names_no_place_matches_no_place(tagged, client):
    answer = api(client, q="bakery")
    assert answer["places_matched"] == []
    assert ids(answer) == keys(tagged, "banias", "kusour", "jableh")


def test_places_match_only_what_the_role_may_see(
    tagged, users, client_for, second_factor
):
    # No researchers' consent: never for researchers, whatever the query.
    for role in ["anonymous", "researcher", "documenter"]:
        found = ids(api(client_for(users[role]), q="بانياس"))
        assert tagged["archive-only"].public_id not in found, role
    found = ids(api(client_for(users["moderator"]), q="بانياس"))
    assert tagged["archive-only"].public_id in found


def test_the_page_offers_the_place_as_a_filter(tagged, client):
    response = client.get("/search/", {"q": "Bāniyās"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Did you mean the place" in body
    assert 'href="?q=&amp;place=banias"' in body
    followed = client.get("/search/", {"q": "", "place": "banias"})
    assert tagged["banias"].public_id in followed.content.decode()
    assert tagged["jableh"].public_id not in followed.content.decode()


@pytest.mark.parametrize("spelling", ["banias", "Baniyas", "Bāniyās", "بانياس"])
def test_the_place_filter_takes_any_spelling(tagged, client, spelling):
    answer = api(client, place=spelling)
    assert ids(answer) == keys(tagged, "banias", "kusour")


def test_a_plain_name_filter_means_the_town_the_kind_names_the_governorate(
    tagged, client
):
    assert ids(api(client, place="Tartus")) == keys(tagged, "tartus-town")
    assert ids(api(client, place="Tartus Governorate")) == keys(
        tagged, "banias", "kusour", "tartus-town"
    )
    assert ids(api(client, place="محافظة طرطوس")) == keys(
        tagged, "banias", "kusour", "tartus-town"
    )


def test_an_unknown_or_ambiguous_place_is_a_400_naming_the_candidates(client):
    unknown = client.get("/api/search/", {"place": "Atlantis"})
    assert unknown.status_code == 400
    assert "Unknown value: Atlantis." in unknown.json()["fields"]["place"][0]
    # Two villages of this name, in Latakia and Tartus governorates.
    ambiguous = client.get("/api/search/", {"place": "عين التينة"})
    assert ambiguous.status_code == 400
    message = ambiguous.json()["fields"]["place"][0]
    assert "ambiguous" in message
    assert message.count("Town or village") == 2


def test_the_page_shows_a_bad_place_filter_as_a_form_error(client):
    response = client.get("/search/", {"place": "Atlantis"})
    assert response.status_code == 200
    assert "Unknown value: Atlantis." in response.content.decode()
