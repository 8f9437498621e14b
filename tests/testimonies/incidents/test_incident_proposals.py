"""Proposing an incident, walked up the permission ladder (with no
incident made before)."""

import pytest

from testimonies.incidents.models import Incident
from tests.testimonies.incidents import test_incident_views as views

pytestmark = pytest.mark.django_db

LADDER = views.LADDER
ladder = views.ladder


@pytest.mark.parametrize("role", LADDER)
def test_only_documenters_and_verified_moderators_may_propose(ladder, role, coast):
    client = ladder(role)
    response = client.get("/incidents/propose/")
    expected = {
        "anonymous": 302,  # to the login page
        "researcher": 403,
        "documenter": 200,
        "other-documenter": 200,
        "moderator-unverified": 302,  # to the second factor
        "moderator": 200,
    }[role]
    assert response.status_code == expected
    posted = client.post(
        "/incidents/propose/",
        {
            "title": "Al-Bayda, May 2013",
            "title_ar": "البيضا، أيار 2013",
            "start": "2013-05-02",
            "end": "2013-05-03",
            "precision": "day",
            "places": "Banias",
        },
    )
    made = Incident.objects.filter(title="Al-Bayda, May 2013").first()
    assert (made is not None) == (expected == 200)
    if made:
        assert (
            posted.status_code == 302 and posted["Location"] == made.get_absolute_url()
        )
        assert [p.slug for p in made.places.all()] == ["banias"]


def test_a_bad_place_in_a_proposal_is_named_beside_the_form(ladder):
    response = ladder("documenter").post(
        "/incidents/propose/",
        {"title": "x", "title_ar": "x", "precision": "day", "places": "Atlantis"},
    )
    assert response.status_code == 200 and "Atlantis" in response.text
    assert not Incident.objects.exists()
