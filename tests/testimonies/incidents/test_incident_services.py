"""Proposing, confirming, merging, splitting, linking and unlinking
incidents: what each writes, that each is audited, and who is refused."""

import pytest

from archive.models import AuditEntry
from testimonies.incidents.models import Incident, IncidentLink, IncidentStatus
from testimonies.incidents.services import (
    IncidentActionRefused,
    incident_confirm,
    incident_link,
    incident_merge,
    incident_propose,
    incident_split,
    incident_unlink,
)

pytestmark = pytest.mark.django_db


def _audited(action, incident):
    return AuditEntry.objects.filter(action=action, target=incident.public_id)


def test_a_documenter_proposes_and_only_a_moderator_confirms(
    documenter, researcher, moderator
):
    incident = incident_propose(user=documenter, title="Al-Bayda", title_ar="البيضا")
    assert incident.status == IncidentStatus.PROPOSED
    assert len(incident.public_id) == 13
    assert _audited("incident_proposed", incident).get().actor == documenter
    with pytest.raises(IncidentActionRefused):
        incident_propose(user=researcher, title="x", title_ar="x")
    with pytest.raises(IncidentActionRefused):
        incident_confirm(user=documenter, incident=incident)
    incident_confirm(user=moderator, incident=incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    assert _audited("incident_confirmed", incident).count() == 1


def test_a_documenter_links_their_own_testimony_and_no_other(
    archive, make_incident, documenter
):
    incident = make_incident()
    own = archive["submitted-own"]
    incident_link(user=documenter, incident=incident, testimony=own)
    assert IncidentLink.objects.filter(incident=incident, testimony=own).exists()
    assert _audited("incident_linked", incident).get().detail.startswith(own.public_id)
    with pytest.raises(IncidentActionRefused):
        incident_link(user=documenter, incident=incident, testimony=archive["kusour"])
    assert incident_unlink(user=documenter, incident=incident, testimony=own)
    assert not IncidentLink.objects.filter(incident=incident).exists()
    assert _audited("incident_unlinked", incident).count() == 1


def test_linking_twice_changes_the_role_of_the_one_link(archive, make_incident, link):
    incident = make_incident()
    link(incident, archive["kusour"], role="mentions")
    link(incident, archive["kusour"], role="describes")
    assert IncidentLink.objects.get(incident=incident).role == "describes"


def test_merging_moves_the_links_and_resolves_duplicates(
    archive, make_incident, link, moderator, documenter
):
    kept, duplicate = make_incident("Kusour"), make_incident("Kusour again")
    link(kept, archive["kusour"], role="mentions")
    link(duplicate, archive["kusour"], role="describes")
    link(duplicate, archive["banias"])
    earlier = make_incident("Merged before")
    incident_merge(user=moderator, incident=earlier, into=duplicate)
    with pytest.raises(IncidentActionRefused):
        incident_merge(user=documenter, incident=duplicate, into=kept)
    incident_merge(user=moderator, incident=duplicate, into=kept)
    links = {
        link.testimony_id: link.role
        for link in IncidentLink.objects.filter(incident=kept)
    }
    assert links == {
        archive["kusour"].pk: "describes",
        archive["banias"].pk: "describes",
    }
    assert not IncidentLink.objects.filter(incident=duplicate).exists()
    duplicate.refresh_from_db()
    earlier.refresh_from_db()
    assert duplicate.merged_into == kept and earlier.merged_into == kept
    assert (
        _audited("incident_merged", duplicate).get().detail == f"into {kept.public_id}"
    )


def test_splitting_moves_the_chosen_links_to_a_new_incident(
    archive, make_incident, link, moderator
):
    incident = make_incident()
    link(incident, archive["kusour"])
    link(incident, archive["banias"])
    new = incident_split(
        user=moderator,
        incident=incident,
        testimonies=[archive["banias"]],
        title="Banias, 8 March",
        title_ar="بانياس، ٨ آذار",
    )
    assert list(new.links.values_list("testimony", flat=True)) == [archive["banias"].pk]
    assert list(incident.links.values_list("testimony", flat=True)) == [
        archive["kusour"].pk
    ]
    assert new.start == incident.start and new.status == incident.status
    assert Incident.objects.count() == 2
    assert _audited("incident_split", incident).count() == 1
