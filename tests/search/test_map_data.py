"""The map's and the timeline's data: counted over what each role may see,
filtered like the search, and never finer than the public view: a
testimony approved with a generalised place is drawn at that place only,
for every role, in the API, the page and the data the page draws from.

These tests only read tests/conftest.py's `archive`, built once for the
module. The incidents on the map are in test_map_incidents.py; the
testimonies approved with a generalised place, which each test approves
again, in test_map_generalised.py."""

import pytest

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

ROLES = ["anonymous", "researcher", "documenter", "other-documenter", "moderator"]


@pytest.fixture
def users(users, db):
    """The roles, with a documenter who recorded none of the testimonies."""
    from django.contrib.auth.models import Group

    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    return {**users, "other-documenter": other}


@pytest.fixture
def archive(archive_once):
    return archive_once


def _points(answer, level):
    return {p["slug"]: p for p in answer["levels"][level]}


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
def test_bad_parameters_get_a_400_in_json(archive, client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()["fields"]


def test_a_page_with_a_bad_parameter_says_so_and_draws_nothing(archive, client):
    response = client.get("/map/", {"date_from": "yesterday"})
    assert response.status_code == 200
    assert "map" not in response.context
    assert 'role="alert"' in response.content.decode()
