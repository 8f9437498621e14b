"""Incidents on the map and the timeline: counted as each role may see
them, drawn no finer than a town, filtered like the search. These tests
only read: the archive and its incidents are built once for the module."""

import datetime
import json

import pytest

from testimonies.incidents.services import incident_link, incident_propose
from testimonies.models import Community, EventType, Place
from tests import factories
from tests.search import test_map_data as map_data

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

ROLES = map_data.ROLES
_points = map_data._points
# The roles, with a documenter who recorded none of the testimonies.
users = map_data.users


def incidents_linked(archive, coast, moderator) -> dict:
    """An incident in Hai Al Kusour linked to a public account, one in
    Banias linked only to the researchers-only account, and one linked to
    nothing (moderators and documenters only)."""

    def propose(title, places, start, end, precision="day"):
        return incident_propose(
            user=moderator,
            title=title,
            title_ar=title,
            places=places,
            event_types=EventType.objects.filter(slug="killing"),
            communities=Community.objects.none(),
            start=start,
            end=end,
            precision=precision,
        )

    kusour = propose(
        "Killings in Hai Al Kusour",
        [coast["hai-al-kusour"]],
        datetime.date(2025, 3, 7),
        datetime.date(2025, 3, 8),
    )
    incident_link(
        user=moderator, incident=kusour, testimony=archive["kusour"], role="describes"
    )
    looting = propose(
        "Looting in Banias",
        [coast["banias"]],
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
        precision="year",
    )
    incident_link(
        user=moderator,
        incident=looting,
        testimony=archive["researchers-only"],
        role="describes",
    )
    propose("Unlinked", [coast["jableh"]], datetime.date(2025, 3, 1), None, "month")
    return archive


@pytest.fixture(scope="module")
def incidents(archive_once, built_once):
    """`incidents_linked` to the archive, built once: these tests only read."""

    def build():
        coast = {place.slug: place for place in Place.objects.all()}
        return incidents_linked(archive_once, coast, factories.user_in("moderator"))

    return built_once(build)


# Documenters also see the incidents no testimony is linked to yet.
INCIDENTS_SEEN = {
    "anonymous": 1, "researcher": 2, "documenter": 3, "other-documenter": 3,
    "moderator": 3,
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_incidents_are_on_the_map_as_each_role_may_see_them(
    incidents, users, client_for, role
):
    client = client_for(users[role])
    response = client.get("/api/map/")
    answer = response.json()
    assert answer["incidents"] == INCIDENTS_SEEN[role]
    towns = _points(answer, "town")
    # The incident tagged in the neighbourhood is drawn at its town.
    assert towns["banias"]["incidents"] == min(INCIDENTS_SEEN[role], 2)
    assert towns["banias"]["incidents_url"] == "/incidents/?place=banias"
    assert "hai-al-kusour" not in response.content.decode()
    assert ("jableh" in towns and towns["jableh"]["incidents"] == 1) == (
        INCIDENTS_SEEN[role] == 3
    )
    # (The search's own place filter lists the neighbourhood: the
    # testimony's public view names it; the map's data never does.)
    drawn = client.get("/map/").context["map_data"]
    assert "hai-al-kusour" not in json.dumps(drawn)


@pytest.mark.parametrize("role", ROLES)
def test_incidents_are_on_the_timeline_as_each_role_may_see_them(
    incidents, users, client_for, role
):
    answer = client_for(users[role]).get("/api/timeline/").json()["incidents"]
    months = {m["month"]: m["count"] for m in answer["months"]}
    spans = [(s["first"], s["last"], s["count"]) for s in answer["spans"]]
    seen = INCIDENTS_SEEN[role]
    assert months == {"2025-03": 1 + (seen == 3)}
    # Known to the year: a band over 2025, never a month of it.
    assert spans == ([("2025-01", "2025-12", 1)] if seen >= 2 else [])
    assert answer["count"] == seen


def test_the_incidents_follow_the_search_filters(incidents, client):
    answer = client.get("/api/map/", {"event_type": "threat"}).json()
    assert answer["incidents"] == 0
    answer = client.get("/api/map/", {"place": "banias"}).json()
    assert answer["incidents"] == 1
