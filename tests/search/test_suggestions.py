"""Did you mean: only for a query with few hits, from the
gazetteer's names and the common words of what the user may see."""

import pytest

from testimonies.models import Place
from tests import factories
from tests.markers import committed_db

pytestmark = [committed_db, pytest.mark.usefixtures("gazetteer", "each_engine")]


@pytest.fixture
def texts():
    with factories.together():
        banias = Place.objects.get(slug="banias")
        T = factories.testimony
        return {
            "public": [
                T(
                    narrative="Gunmen came to the bakery and took my father.",
                    places=[banias],
                ),
                T(narrative="The bakery was burned; the baker fled to the hills."),
                T(narrative="We hid in the orchard until the shooting stopped."),
            ],
            # A word that stands only in testimonies the public may not see.
            "researchers": [
                T(
                    narrative="They held us at the checkpoint for a night.",
                    consent={"archive": True, "researchers": True},
                ),
                T(
                    narrative="The checkpoint on the coast road was closed.",
                    consent={"archive": True, "researchers": True},
                ),
            ],
        }


def suggestion(client, query):
    response = client.get("/api/search/", {"q": query})
    assert response.status_code == 200
    return response.json()["suggestion"]


def test_a_misspelt_place_name_is_corrected_from_the_gazetteer(texts, client):
    assert suggestion(client, "Banyias") in {"Banias", "Baniyas", "Banyas"}


def test_a_misspelt_word_is_corrected_as_the_texts_write_it(texts, client):
    assert suggestion(client, "bakerry") == "bakery"
    assert suggestion(client, "bakerry Banias") == "bakery Banias"


def test_never_a_word_only_in_testimonies_the_user_may_not_see(
    texts, users, client_for
):
    assert suggestion(client_for(users["anonymous"]), "checkpiont") is None
    assert suggestion(client_for(users["researcher"]), "checkpiont") == "checkpoint"


def test_no_suggestion_for_a_query_with_enough_hits_or_nothing_better(texts, client):
    # Three hits or more: the normal path, where nothing is corrected.
    factories.testimony(narrative="Another bakery story, told in Jableh.")
    assert suggestion(client, "bakery") is None
    assert suggestion(client, "zzzzqqqq") is None


def test_the_page_links_the_corrected_query(texts, client):
    body = client.get("/search/", {"q": "bakerry"}).content.decode()
    assert 'Did you mean <a href="?q=bakery"><bdi>bakery</bdi></a>?' in body
