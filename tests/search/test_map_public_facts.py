"""The map never finer than the public view, over testimonies these tests
add: a neighbourhood is never a point, and the facts the map counts are
each testimony's public view. Each test builds its own (test_map_generalised.py's
tests, which only read, share theirs)."""

import json

import pytest

from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db
from tests.search import test_map_data as map_data
from tests.search.test_map_generalised import generalised_testimonies

pytestmark = committed_db

_points = map_data._points


@pytest.fixture
def generalised(coast, documenter, moderator, client_for):
    return generalised_testimonies(coast, documenter, moderator, client_for)


def test_the_map_never_has_a_neighbourhood_point(coast, client):
    factories.testimony(places=[coast["hai-al-kusour"]])
    answer = client.get("/api/map/").json()
    for points in answer["levels"].values():
        assert all(p["kind"] != "neighbourhood" for p in points)
    assert "hai-al-kusour" not in json.dumps(answer)
    assert _points(answer, "town")["banias"]["count"] == 1


def test_the_counted_facts_are_the_testimonies_public_view(
    generalised, archive, moderator
):
    # public_facts reads values for speed; it must give what the model's
    # public view gives (the places the public sees, the dates it sees).
    from search.overview.selectors import public_facts

    testimonies = list(Testimony.objects.filter(status="approved"))
    facts = public_facts(pks=[t.pk for t in testimonies], user=moderator)
    for testimony in testimonies:
        fact = facts[testimony.pk]
        assert [p.path for p in fact.places] == testimony.public_place_paths()
        assert fact.dates == testimony.public_incident
        assert fact.event_types == sorted(e.slug for e in testimony.event_types.all())
