"""The package page's incident choice, for every role: only a moderator
past the second factor makes a package of an incident's testimonies; an
unknown or merged incident is refused with a clear message."""

import pytest
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.accountability.verification import package_verify
from testimonies.audit_actions import AuditAction
from testimonies.incidents.services import (
    incident_link,
    incident_merge,
    incident_propose,
)
from tests import factories
from tests.testimonies.test_accountability_views import (  # noqa: F401 (fixtures)
    ACCOUNTABLE,
    _unzip,
    other_documenter,
)

PACKAGE = reverse("accountability:package")


@pytest.fixture
def incident(moderator, documenter):
    """An incident linked to one account consented to accountability bodies
    and one that is not."""
    incident = incident_propose(
        user=moderator, title="Killings in Hai Al Kusour", title_ar="مقتلة حي القصور"
    )
    accountable = factories.testimony(consent=dict(ACCOUNTABLE))
    researchers = factories.testimony(consent={"archive": True, "researchers": True})
    for testimony in (accountable, researchers):
        incident_link(user=moderator, incident=incident, testimony=testimony)
    return {"incident": incident, "in": accountable, "out": researchers}


def no_package_made():
    return not AuditEntry.objects.filter(action=AuditAction.PACKAGE_EXPORTED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["researcher", "documenter", "other_documenter"])
def test_only_moderators_package_an_incident(request, client_for, who, incident):
    client = client_for(request.getfixturevalue(who))
    public_id = incident["incident"].public_id
    assert client.get(PACKAGE, {"incident_id": public_id}).status_code == 403
    response = client.post(PACKAGE, {"recipient": "IIIM", "incident_id": public_id})
    assert response.status_code == 403
    assert no_package_made()


@pytest.mark.django_db
def test_anonymous_and_unverified_moderators_are_sent_away(
    client, client_for, moderator, incident
):
    data = {"recipient": "IIIM", "incident_id": incident["incident"].public_id}
    response = client.post(PACKAGE, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client_for(moderator, verified=False).post(PACKAGE, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor"))
    assert no_package_made()


@pytest.mark.django_db
def test_a_moderator_packages_an_incidents_consented_testimonies(
    client_for, moderator, incident, tmp_path
):
    client = client_for(moderator)
    public_id = incident["incident"].public_id
    form = client.get(PACKAGE, {"incident_id": public_id}).content.decode()
    assert f'name="incident_id" value="{public_id}"' in form
    response = client.post(PACKAGE, {"recipient": "IIIM", "incident_id": public_id})
    assert response.status_code == 200
    bag_path = _unzip(response, tmp_path)
    assert package_verify(bag_path).ok
    assert (bag_path / "data" / "incident.json").is_file()
    folders = {p.name for p in (bag_path / "data" / "testimonies").iterdir()}
    assert folders == {incident["in"].public_id}
    assert (
        incident["out"].public_id
        in AuditEntry.objects.get(action=AuditAction.PACKAGE_EXPORTED).detail
    )


@pytest.mark.django_db
def test_an_unknown_merged_or_mixed_incident_choice_is_refused(
    client_for, moderator, incident
):
    client = client_for(moderator)
    response = client.post(PACKAGE, {"recipient": "IIIM", "incident_id": "nosuchone"})
    assert response.status_code == 400
    assert "There is no incident nosuchone." in response.content.decode()
    merged = incident_propose(user=moderator, title="Duplicate", title_ar="مكرر")
    into = incident["incident"]
    incident_merge(user=moderator, incident=merged, into=into)
    response = client.post(
        PACKAGE, {"recipient": "IIIM", "incident_id": merged.public_id}
    )
    assert response.status_code == 400
    assert f"merged into incident {into.public_id}" in response.content.decode()
    response = client.post(
        PACKAGE,
        {
            "recipient": "IIIM",
            "incident_id": into.public_id,
            "ids": incident["in"].public_id,
        },
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert no_package_made()
