"""The search's incident facet and filter: counted over what each user may
see, never naming an incident a user may not see, and never finer than a
generalised testimony's public view."""

import pytest

from testimonies.incidents.services import incident_link, incident_propose
from tests import factories
from tests.markers import committed_db
from tests.testimonies.incidents.incident_helpers import day, generalise

pytestmark = committed_db


def _incident(moderator, title, places, **dates):
    return incident_propose(
        user=moderator,
        title=title,
        title_ar=title,
        places=places,
        start=dates.get("start", day("2025-03-07")),
        end=dates.get("end", day("2025-03-08")),
        precision=dates.get("precision", "day"),
    )


@pytest.fixture
def linked(coast, moderator):
    with factories.together():
        public = factories.testimony(
            narrative="Gunmen in Hai Al Kusour.", places=[coast["hai-al-kusour"]]
        )
        hidden = factories.testimony(
            narrative="Looting in Banias, for researchers.",
            places=[coast["banias"]],
            consent={"archive": True, "researchers": True},
        )
        generalised = factories.testimony(
            narrative="They came to our street.", places=[coast["hai-al-kusour"]]
        )
    generalise(generalised, levels_up=1, dates="month")
    kusour = _incident(moderator, "Kusour", [coast["hai-al-kusour"]])
    looting = _incident(moderator, "Looting", [coast["banias"]])
    for incident, testimony in [
        (kusour, public),
        (kusour, generalised),
        (looting, hidden),
    ]:
        incident_link(user=moderator, incident=incident, testimony=testimony)
    return {"kusour": kusour, "looting": looting, "public": public, "hidden": hidden}


def _facet(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {e["slug"]: e["count"] for e in body["facets"]["incident"]}, body


def test_the_incident_facet_counts_only_what_each_user_may_see(
    linked, client, client_for, researcher
):
    kusour, looting = linked["kusour"], linked["looting"]
    # The generalised testimony's link is finer than its public view: it
    # is not in the index at all, so it counts for nobody.
    counts, _body = _facet(client)
    assert counts == {kusour.public_id: 1}
    counts, _body = _facet(client_for(researcher))
    assert counts == {kusour.public_id: 1, looting.public_id: 1}


def test_the_incident_filter_finds_its_testimonies_and_refuses_unseen_incidents(
    linked, client, client_for, researcher
):
    kusour, looting = linked["kusour"], linked["looting"]
    _counts, body = _facet(client, incident=kusour.public_id)
    assert [r["id"] for r in body["results"]] == [linked["public"].public_id]
    refused = client.get("/api/search/", {"incident": looting.public_id})
    assert refused.status_code == 400
    _counts, body = _facet(client_for(researcher), incident=looting.public_id)
    assert [r["id"] for r in body["results"]] == [linked["hidden"].public_id]


def test_unlinking_leaves_the_facet_at_once(linked, client, moderator):
    from testimonies.incidents.services import incident_unlink

    incident_unlink(
        user=moderator, incident=linked["kusour"], testimony=linked["public"]
    )
    counts, _body = _facet(client)
    assert counts == {}
