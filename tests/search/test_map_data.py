"""The map's and the timeline's data: counted over what each role may see,
filtered like the search, and never finer than the public view: a
testimony approved with a generalised place is drawn at that place only,
for every role, in the API, the page and the data the page draws from."""

import datetime
import json

import pytest
from django.urls import reverse

from testimonies.incidents.services import incident_link, incident_propose
from testimonies.models import Community, EventType, Testimony
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

ROLES = ["anonymous", "researcher", "documenter", "other-documenter", "moderator"]


@pytest.fixture
def users(users, db):
    """The roles, with a documenter who recorded none of the testimonies."""
    from django.contrib.auth.models import Group

    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    return {**users, "other-documenter": other}


def _approve(client_for, documenter, moderator, testimony, public_view):
    client_for(documenter).post(
        reverse("testimonies:submit", args=[testimony.public_id])
    )
    response = client_for(moderator).post(
        reverse("moderation:review", args=[testimony.public_id]),
        {"decision": "approved", "public_view": public_view},
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.status == "approved"


@pytest.fixture
def generalised(coast, documenter, moderator, client_for):
    """Two accounts approved with their places raised one level: one tagged
    in the Hai Al Kusour neighbourhood (public: Banias), one tagged in the
    town of Banias (public: Tartus Governorate). And one as recorded."""
    kusour = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="Men in uniform searched every house on our street.",
        places=[coast["hai-al-kusour"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 8)),
    )
    _approve(client_for, documenter, moderator, kusour, "place_month")
    banias = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="They took my brother from the bakery queue.",
        places=[coast["banias"]],
        incident=(datetime.date(2025, 3, 8), datetime.date(2025, 3, 8)),
    )
    _approve(client_for, documenter, moderator, banias, "place_year")
    jableh = factories.testimony(
        narrative="We heard shooting all night.",
        places=[coast["jableh"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 7)),
    )
    return {"kusour": kusour, "banias": banias, "jableh": jableh}


def _points(answer, level):
    return {p["slug"]: p for p in answer["levels"][level]}


@pytest.mark.parametrize("role", ROLES)
def test_no_generalised_testimony_is_drawn_finer_than_its_public_place(
    generalised, users, client_for, role
):
    client = client_for(users[role])
    response = client.get("/api/map/")
    assert response.status_code == 200
    answer = response.json()
    towns = _points(answer, "town")
    # Hai Al Kusour's account is at Banias; Banias's own is at the
    # governorate only, even at the finest level.
    assert towns["banias"]["count"] == 1
    assert towns["jableh"]["count"] == 1
    assert towns["tartus-governorate"]["count"] == 1
    assert towns["tartus-governorate"]["at_level"] is False
    assert _points(answer, "governorate")["tartus-governorate"]["count"] == 2
    raw = response.content.decode()
    assert "hai-al-kusour" not in raw and "Hai Al Kusour" not in raw
    # The page, its tables and the data it draws from hold no finer place.
    page = client.get("/map/").content.decode()
    assert "hai-al-kusour" not in page and "Hai Al Kusour" not in page
    assert "حي القصور" not in page


def test_the_map_never_has_a_neighbourhood_point(coast, client):
    factories.testimony(places=[coast["hai-al-kusour"]])
    answer = client.get("/api/map/").json()
    for points in answer["levels"].values():
        assert all(p["kind"] != "neighbourhood" for p in points)
    assert "hai-al-kusour" not in json.dumps(answer)
    assert _points(answer, "town")["banias"]["count"] == 1


def test_the_timeline_holds_the_public_dates_never_the_days(
    generalised, users, client_for
):
    answer = client_for(users["researcher"]).get("/api/timeline/").json()
    months = {m["month"]: m["count"] for m in answer["months"]}
    # Jableh's day and Kusour's month (widened for the public) are March;
    # Banias's was widened to the year: a band over 2025, not a month.
    assert months == {"2025-03": 2}
    assert answer["spans"] == [
        {"first": "2025-01", "last": "2025-12", "count": 1,
         "by_event_type": {"killing": 1}},
    ]  # fmt: skip


# What each role sees of tests/conftest.py's `archive`.
VISIBLE = {
    "anonymous": {"kusour", "banias", "jableh", "tartus-2013"},
    "researcher": {"kusour", "banias", "jableh", "tartus-2013", "researchers-only"},
    "documenter": {
        "kusour", "banias", "jableh", "tartus-2013", "researchers-only",
        "submitted-own",
    },
    # Another documenter's account under review is not theirs to see.
    "other-documenter": {
        "kusour", "banias", "jableh", "tartus-2013", "researchers-only",
    },
    "moderator": {
        "kusour", "banias", "jableh", "tartus-2013", "researchers-only",
        "submitted-own", "embargoed",
    },
}  # fmt: skip
IN_BANIAS = {"kusour", "banias", "researchers-only", "submitted-own", "embargoed"}


@pytest.mark.parametrize("role", ROLES)
def test_the_map_counts_what_the_role_may_see(archive, users, client_for, role):
    client = client_for(users[role])
    answer = client.get("/api/map/").json()
    assert answer["testimonies"] == len(VISIBLE[role])
    governorates = _points(answer, "governorate")
    assert governorates["tartus-governorate"]["count"] == len(
        VISIBLE[role] & (IN_BANIAS | {"tartus-2013"})
    )
    assert governorates["latakia-governorate"]["count"] == 1
    assert _points(answer, "town")["banias"]["count"] == len(VISIBLE[role] & IN_BANIAS)
    # The page's table holds the same numbers.
    page = client.get("/map/")
    assert page.status_code == 200
    assert page.context["map"].testimonies == len(VISIBLE[role])


@pytest.mark.parametrize("role", ROLES)
def test_the_timeline_counts_what_the_role_may_see(archive, users, client_for, role):
    client = client_for(users[role])
    answer = client.get("/api/timeline/").json()
    dated = VISIBLE[role] - {"tartus-2013"}  # 2013, known to the year
    months = {m["month"]: m["count"] for m in answer["months"]}
    assert months == {"2025-03": len(dated)}
    assert answer["spans"] == [
        {"first": "2013-01", "last": "2013-12", "count": 1,
         "by_event_type": {"arbitrary-detention": 1}},
    ]  # fmt: skip
    assert client.get("/timeline/").status_code == 200


def test_a_moderator_without_the_second_factor_counts_as_a_researcher(
    archive, users, client_for
):
    client = client_for(users["moderator"], verified=False)
    for url in ["/map/", "/timeline/"]:
        assert client.get(url).status_code == 200
    answer = client.get("/api/map/").json()
    assert answer["testimonies"] == len(VISIBLE["researcher"])


def test_the_map_and_timeline_are_filtered_like_the_search(archive, client):
    answer = client.get("/api/map/", {"event_type": "threat"}).json()
    assert answer["testimonies"] == 1
    assert set(_points(answer, "town")) == {"jableh"}
    answer = client.get("/api/map/", {"q": "Gunmen"}).json()
    assert set(_points(answer, "town")) == {"banias"}
    answer = client.get(
        "/api/timeline/", {"date_from": "2013-01-01", "date_to": "2013-12-31"}
    ).json()
    assert answer["testimonies"] == 1
    # A cluster's link is the search with its place and the current filters.
    point = _points(client.get("/api/map/", {"event_type": "killing"}).json(), "town")[
        "banias"
    ]
    assert point["search_url"] == "/search/?event_type=killing&place=banias"
    search = client.get("/api/search/", {"event_type": "killing", "place": "banias"})
    assert search.json()["count"] == point["count"]


@pytest.mark.parametrize("url", ["/api/map/", "/api/timeline/"])
@pytest.mark.parametrize(
    "params, field",
    [
        ({"colour": "red"}, "colour"),
        ({"date_from": "2025-13-01"}, "date_from"),
        ({"event_type": "no-such-type"}, "event_type"),
        ({"place": "atlantis"}, "place"),
    ],
)
def test_bad_parameters_get_a_400_in_json(coast, client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()["fields"]


def test_a_page_with_a_bad_parameter_says_so_and_draws_nothing(coast, client):
    response = client.get("/map/", {"date_from": "yesterday"})
    assert response.status_code == 200
    assert "map" not in response.context
    assert 'role="alert"' in response.content.decode()


@pytest.fixture
def incidents(archive, coast, moderator):
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
