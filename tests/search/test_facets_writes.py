"""Facets after a write (see test_facets.py for those that only read)."""

import pytest

from tests import factories
from tests.markers import committed_db
from tests.search.facet_scene import facets, many_testimonies

pytestmark = [committed_db, pytest.mark.usefixtures("each_engine")]


def test_the_years_are_counted_without_the_dates(coast, client):
    for year in (2013, 2025, 2025):
        factories.testimony(incident=(f"{year}-03-01", f"{year}-03-02"))
    counts = facets(client, date_from="2025-01-01", date_to="2025-12-31")
    assert counts["year"] == {"2025": 2, "2013": 1}


def test_a_renamed_place_is_labelled_anew_once_the_index_changes(coast, client):
    many_testimonies(coast)
    assert facets(client)["place"]["banias"] == 6
    banias = coast["banias"]
    banias.name = "Baniyas (town)"
    banias.save()
    factories.testimony(places=[banias])  # any write: a new index version
    answer = client.get("/api/search/").json()
    names = {e["slug"]: e["name"] for e in answer["facets"]["place"]}
    assert names["banias"] == "Baniyas (town)"
