"""A moderator's decision reaches search at once, against a real index."""

from django.urls import reverse

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def found_by(client, user, query):
    client.logout()
    client.force_login(user)
    answer = client.get("/api/search/", {"q": query}).json()
    return {result["id"] for result in answer["results"]}


def test_approving_puts_a_testimony_in_a_researchers_search(
    documenter, researcher, moderator, client, verified_client_for
):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="Smoke rose over the orchards of Qardaha at noon.",
        consent={"archive": True, "researchers": True},
    )
    client.force_login(documenter)
    client.post(reverse("testimonies:submit", args=[testimony.public_id]))
    assert found_by(client, researcher, "orchards") == set()
    assert found_by(client, documenter, "orchards") == {testimony.public_id}

    moderator_client = verified_client_for(moderator)
    response = moderator_client.post(
        reverse("moderation:review", args=[testimony.public_id]),
        {"decision": "approved"},
    )
    assert response.status_code == 302
    assert found_by(client, researcher, "orchards") == {testimony.public_id}
    client.logout()
    assert client.get("/api/search/", {"q": "orchards"}).json()["count"] == 0


def test_sending_back_keeps_it_from_researchers(
    documenter, researcher, moderator, client, verified_client_for
):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="The bakery in Jableh was burned.",
        consent={"archive": True, "researchers": True},
    )
    client.force_login(documenter)
    client.post(reverse("testimonies:submit", args=[testimony.public_id]))
    verified_client_for(moderator).post(
        reverse("moderation:review", args=[testimony.public_id]),
        {"decision": "sent_back", "comment": "Which day?"},
    )
    assert found_by(client, researcher, "bakery") == set()
    testimony.refresh_from_db()
    assert testimony.status == "sent_back"
