"""The map and the timeline read only keys from the index (the matching
testimonies' ids), never whole stored documents, and every id is checked
again against the database before it is counted: an index document that
outlived its testimony's withdrawal is never counted (docs/maps.md)."""

import pytest

from search.overview.selectors import map_points, timeline_counts
from search.selectors import testimony_match_pks
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db
from tests.search.engines import each_engine  # noqa: F401 (fixture)

pytestmark = committed_db

URLS = ["/api/map/", "/api/timeline/"]


@pytest.fixture
def stale(coast, each_engine):  # noqa: F811 (fixture)
    """Two public testimonies, one of them withdrawn behind the index's
    back (a queryset update, as a crash between the withdrawal's commit and
    its removal from the index would leave it): its document still says
    the public may see it."""
    with factories.together():
        kept = factories.testimony(
            narrative="Gunmen took my neighbour in Banias.",
            places=[coast["banias"]],
        )
        gone = factories.testimony(
            witness_name="Samir Kassem",
            narrative="We heard shooting all night in Jableh.",
            places=[coast["jableh"]],
        )
    Testimony.objects.filter(pk=gone.pk).update(status="withdrawn")
    return kept, gone


def test_the_index_answers_keys_only(stale, users):
    """What the map reads of the index: the ids, the withdrawn one's still
    there (the database check below is what leaves it out)."""
    kept, gone = stale
    assert set(testimony_match_pks(params={}, user=users["anonymous"])) == {
        kept.pk,
        gone.pk,
    }


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_a_testimony_withdrawn_after_indexing_is_never_counted(
    stale, users, client_for, role
):
    kept, gone = stale
    client = client_for(None if role == "anonymous" else users[role])
    for url in URLS:
        answer = client.get(url).json()
        assert answer["testimonies"] == 1, url
    drawn = map_points(params={}, user=users[role])
    slugs = {point.place.slug for level in drawn.levels.values() for point in level}
    assert "banias" in slugs and "jableh" not in slugs
    assert timeline_counts(params={}, user=users[role]).testimonies.count == 1
