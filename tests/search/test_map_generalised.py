"""The map and the timeline never finer than the public view: a testimony
approved with a generalised place is drawn at that place only, for every
role, in the API, the page and the data the page draws from.

These tests only read: the testimonies, approved through the review page,
are built once for the module. Those that add testimonies of their own are
in test_map_public_facts.py."""

import datetime

import pytest
from django.test import Client

from archive.roles import Role, role_of
from tests import factories
from tests.search import test_map_data as map_data
from tests.search.test_generalised_text import approve_generalised

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

ROLES = map_data.ROLES
_points = map_data._points
# The roles, with a documenter who recorded none of the testimonies.
users = map_data.users


def generalised_testimonies(coast, documenter, moderator, client_as) -> dict:
    """Two accounts approved with their places raised one level: one tagged
    in the Hai Al Kusour neighbourhood (public: Banias), one tagged in the
    town of Banias (public: Tartus Governorate). And one as recorded.
    `client_as(user)`: a client signed in as the user works day to day."""
    kusour = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="Men in uniform searched every house on our street.",
        places=[coast["hai-al-kusour"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 8)),
    )
    approve_generalised(kusour, documenter, moderator, client_as, "place_month")
    banias = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="They took my brother from the bakery queue.",
        places=[coast["banias"]],
        incident=(datetime.date(2025, 3, 8), datetime.date(2025, 3, 8)),
    )
    approve_generalised(banias, documenter, moderator, client_as, "place_year")
    jableh = factories.testimony(
        narrative="We heard shooting all night.",
        places=[coast["jableh"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 7)),
    )
    return {"kusour": kusour, "banias": banias, "jableh": jableh}


def _signed_in(user):
    client = Client()
    client.force_login(user)
    if role_of(user) is Role.MODERATOR:
        factories.second_factor_passed(client, user)
    return client


@pytest.fixture(scope="module")
def generalised(built_once):
    return built_once(
        lambda: generalised_testimonies(
            factories.coast(),
            factories.user_in("documenter"),
            factories.user_in("moderator"),
            _signed_in,
        )
    )


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
