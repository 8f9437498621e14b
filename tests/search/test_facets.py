"""Facets counted as Solr's tag and exclude count them (docs/api.md): each
facet with every other filter but not its own; labels in the reader's
language, never a raw slug, never a value with nothing under it.

These tests only read: the accounts and their index are built once for the
module. Those that write are in test_facets_writes.py."""

import pytest

from tests import factories
from tests.search.facet_scene import facets, many_testimonies

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.index_kept,
    pytest.mark.usefixtures("each_engine"),
]


@pytest.fixture(scope="module")
def many(built_once):
    return built_once(lambda: many_testimonies(factories.coast()))


@pytest.mark.parametrize(
    "others",
    [{}, {"q": "gunmen"}, {"place": "banias"}, {"event_type": "killing"},
     {"q": "shots", "place": "jableh", "date_from": "2025-01-01"}],
)  # fmt: skip
def test_counts_under_a_community_are_the_counts_without_it(many, client, others):
    ticked = facets(client, community="alawite", **others)
    unticked = facets(client, **others)
    assert ticked["community"] == unticked["community"]
    # Every other facet is counted with the community filter.
    assert ticked["place"] != unticked["place"] or ticked == unticked


def test_each_facet_is_counted_with_the_other_facets_filters(many, client):
    counts = facets(client, community="alawite", place="banias")
    # community: within Banias, whatever the community ticked.
    assert counts["community"] == {"alawite": 4, "sunni": 3}
    # place: among the Alawite accounts, whatever the place ticked.
    assert counts["place"]["banias"] == 4 and counts["place"]["jableh"] == 2
    assert "tartus" not in counts["place"]  # no Alawite account there
    # event type: with both filters.
    assert counts["event_type"] == {"killing": 3, "looting": 1}


def test_a_count_is_what_ticking_the_value_as_well_gives(many, client):
    counts = facets(client, community="alawite")
    for community, expected in counts["community"].items():
        both = client.get("/api/search/", {"community": ["alawite", community]}).json()
        alone = client.get("/api/search/", {"community": community}).json()
        assert alone["count"] == expected
        assert both["count"] >= expected


def test_several_places_ticked_find_either(many, client):
    answer = client.get("/api/search/", {"place": ["banias", "jableh"]}).json()
    assert answer["count"] == 9
    places = {e["slug"]: e["count"] for e in answer["facets"]["place"]}
    # The siblings stay listed, to tick or untick.
    assert places["tartus"] == 1 and places["banias"] == 6


def test_the_page_keeps_every_place_listed_after_one_is_ticked(many, client):
    page = client.get("/search/", {"place": "banias"})
    (places,) = [g for g in page.context["facet_groups"] if g["name"] == "place"]
    listed = {e["slug"]: e["checked"] for e in places["entries"]}
    assert listed["banias"] is True
    assert listed["jableh"] is False and listed["tartus"] is False


def test_a_ticked_value_with_nothing_left_shows_its_label_without_a_count(many, client):
    params = {"place": "tartus", "community": "christian"}
    for path, name in [("/search/", "Tartus"), ("/ar/search/", "طرطوس")]:
        page = client.get(path, params)
        body = page.content.decode()
        (places,) = [g for g in page.context["facet_groups"] if g["name"] == "place"]
        (tartus,) = [e for e in places["entries"] if e["slug"] == "tartus"]
        assert tartus["checked"] and tartus["name"] == name
        assert "<bdi>tartus</bdi>" not in body
        assert f'value="tartus" checked> <bdi>{name}</bdi></label>' in body
        assert '<span class="count">0</span>' not in body


def test_facets_list_no_value_with_nothing_under_it(many, client):
    for name, entries in facets(client, q="gunmen", place="tartus").items():
        assert all(count > 0 for count in entries.values()), name


def test_facet_labels_are_in_the_readers_language(many, client):
    answer = client.get(
        "/api/search/", {"community": "alawite"}, HTTP_ACCEPT_LANGUAGE="ar"
    ).json()
    names = {e["slug"]: e["name"] for e in answer["facets"]["place"]}
    assert names["banias"] == "بانياس" and names["jableh"] == "جبلة"
    english = client.get("/api/search/", {"community": "alawite"}).json()
    names = {e["slug"]: e["name"] for e in english["facets"]["place"]}
    assert names["banias"] == "Banias"
