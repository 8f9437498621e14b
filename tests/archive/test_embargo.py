"""An embargo lifts itself: hidden the day before its date, shown on it, in
every place a testimony can be reached, with nobody acting and no
reindexing. The clock is frozen with time_machine (the whole process)."""

import datetime
import json

import pytest
import time_machine

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

EMBARGO_UNTIL = datetime.date(2031, 6, 15)


def at(day: datetime.date):
    """The clock stopped at noon UTC on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def embargoed(coast):
    return factories.testimony(
        narrative="Banias account released on the embargo date.",
        places=[coast["banias"]],
        consent={
            "archive": True,
            "researchers": True,
            "public": True,
            "embargo_until": EMBARGO_UNTIL,
        },  # fmt: skip
    )


@pytest.fixture
def reach(client_for, verified_client_for):
    """Where `user` finds the testimony today: the set of places among the
    testimony page, /search/, /api/search/ and (where allowed) the export."""

    def places(user, testimony):
        # Logged in under the frozen clock: a session opened at the real
        # date would have expired years before.
        if user.is_authenticated and user.groups.filter(name="moderator").exists():
            client = verified_client_for(user)
        else:
            client = client_for(user)
        found = set()
        if client.get(testimony.get_absolute_url()).status_code == 200:
            found.add("page")
        page = client.get("/search/", {"q": "Banias"})
        if testimony.public_id in page.content.decode():
            found.add("search")
        answer = client.get("/api/search/", {"q": "Banias"}).json()
        if testimony.public_id in {r["id"] for r in answer["results"]}:
            found.add("api")
        response = client.get("/search/export.json", {"q": "Banias"})
        if response.status_code == 200:
            results = json.loads(response.content)["results"]
            if testimony.public_id in {r["id"] for r in results}:
                found.add("export")
        return found

    return places


EVERYWHERE = {"page", "search", "api"}


@pytest.mark.parametrize(
    ("role", "released"),
    [
        ("anonymous", EVERYWHERE),
        ("researcher", EVERYWHERE | {"export"}),
        ("documenter", EVERYWHERE),
    ],
)
def test_an_embargo_hides_until_its_date_then_lifts_itself(
    embargoed, users, reach, role, released
):
    with at(EMBARGO_UNTIL - datetime.timedelta(days=1)):
        assert reach(users[role], embargoed) == set()
    with at(EMBARGO_UNTIL):
        assert reach(users[role], embargoed) == released
    with at(EMBARGO_UNTIL + datetime.timedelta(days=400)):
        assert reach(users[role], embargoed) == released


def test_moderators_read_it_throughout_but_export_it_only_once_released(
    embargoed, users, reach
):
    with at(EMBARGO_UNTIL - datetime.timedelta(days=1)):
        assert reach(users["moderator"], embargoed) == EVERYWHERE
    with at(EMBARGO_UNTIL):
        assert reach(users["moderator"], embargoed) == EVERYWHERE | {"export"}


def test_the_index_is_not_touched_when_the_embargo_lifts(embargoed, users, reach):
    from haystack.query import SearchQuerySet

    from testimonies.models import Testimony

    def document():
        results = SearchQuerySet().models(Testimony)
        (result,) = [r for r in results if int(r.pk) == embargoed.pk]
        return result.get_stored_fields()

    before = document()
    assert before["visible_from"].date() == EMBARGO_UNTIL
    with at(EMBARGO_UNTIL):
        assert "search" in reach(users["researcher"], embargoed)
    assert document() == before
