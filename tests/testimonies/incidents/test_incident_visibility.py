"""Who sees which incident, which of its links, and what it counts: the
safety core of incidents. Every number is computed over what the asking
user may see; the public never learns that a hidden testimony exists."""

from dataclasses import replace

import pytest

from testimonies.consent.services.consent import consent_withdraw
from testimonies.incidents.selectors import (
    IncidentNotVisible,
    incident_detail,
    incident_list,
    incident_resolve,
    incidents_corroboration,
    incidents_visible_to,
)
from testimonies.models import Witness
from tests import factories
from tests.testimonies.incidents.incident_helpers import day, generalise

pytestmark = pytest.mark.django_db


def _seen(user, incident):
    return incidents_visible_to(user).filter(pk=incident.pk).exists()


def test_an_incident_is_seen_only_through_a_testimony_the_user_may_see(
    archive, make_incident, link, users
):
    incident = make_incident()
    link(incident, archive["researchers-only"])
    assert not _seen(users["anonymous"], incident)
    assert _seen(users["researcher"], incident)
    assert _seen(users["moderator"], incident)
    with pytest.raises(IncidentNotVisible):
        incident_resolve(public_id=incident.public_id, user=users["anonymous"])
    listed = incident_list(params={}, user=users["anonymous"])
    assert listed.count == 0 and listed.facets["place"] == []


def test_an_incident_of_hidden_testimonies_is_invisible_but_to_those_who_see_them(
    archive, make_incident, link, users
):
    incident = make_incident()
    link(incident, archive["embargoed"])
    link(incident, archive["submitted-own"])
    for role in ("anonymous", "researcher"):
        assert not _seen(users[role], incident), role
    # The documenter recorded the submitted one: it is theirs to see.
    assert _seen(users["documenter"], incident)
    assert _seen(users["moderator"], incident)


def test_staff_see_incidents_nobody_linked_yet_and_the_public_does_not(
    make_incident, users
):
    incident = make_incident()
    assert not _seen(users["anonymous"], incident)
    assert not _seen(users["researcher"], incident)
    assert _seen(users["documenter"], incident)
    assert _seen(users["moderator"], incident)


def test_withdrawal_hides_the_incident_in_the_same_request(
    archive, make_incident, link, users, moderator
):
    incident = make_incident()
    link(incident, archive["kusour"])
    assert _seen(users["anonymous"], incident)
    consent_withdraw(
        testimony=archive["kusour"],
        scopes=None,
        reason="asked",
        obtained_by="documenter",
        recorded_by=moderator,
    )
    assert not _seen(users["anonymous"], incident)
    assert not _seen(users["researcher"], incident)


def test_corroboration_counts_witnesses_not_testimonies_and_only_what_each_user_sees(
    coast, make_incident, link, users
):
    incident = make_incident(places=[coast["banias"]])
    witness = None
    with factories.together():
        accounts = [
            factories.testimony(
                narrative=f"Account {n} of the same witness in Banias.",
                places=[coast["banias"]],
                communities=("alawite",),
            )
            for n in range(3)
        ]
        other = factories.testimony(
            witness_name="Ali Haidar",
            narrative="Another witness of Banias.",
            places=[coast["banias"]],
            communities=("sunni",),
        )
        hidden = factories.testimony(
            witness_name="Samir Kassem",
            narrative="A researchers-only account of Banias.",
            places=[coast["banias"]],
            communities=("christian",),
            consent={"archive": True, "researchers": True},
        )
        mentions = factories.testimony(
            witness_name="Rana Youssef",
            narrative="I only heard of the killings in Banias.",
            places=[coast["banias"]],
        )
    # One witness's three accounts: the factory made three witnesses, so
    # give the three the first one's witness.
    witness = accounts[0].witness
    for account in accounts[1:]:
        type(account).objects.filter(pk=account.pk).update(witness=witness)
    Witness.objects.exclude(testimonies__isnull=False).delete()
    for account in [*accounts, other, hidden]:
        link(incident, account)
    link(incident, mentions, role="mentions")

    public = incidents_corroboration([incident], user=users["anonymous"])[incident.pk]
    assert (public.witnesses, public.testimonies) == (2, 4)
    assert [c.slug for c in public.communities] == ["alawite", "sunni"]
    researcher = incidents_corroboration([incident], user=users["researcher"])
    assert researcher[incident.pk].witnesses == 3
    assert [c.slug for c in researcher[incident.pk].communities] == [
        "alawite",
        "christian",
        "sunni",
    ]
    # The page and the list say the same as the counts.
    page = incident_detail(incident=incident, user=users["anonymous"])
    # (The page also says whether the witnesses come from several
    # communities: test_witness_communities.py.)
    assert replace(page.corroboration, several_communities="") == public
    assert hidden.public_id not in {row.card.testimony.public_id for row in page.linked}
    row = incident_list(params={}, user=users["anonymous"]).rows[0]
    assert row.corroboration == public


def test_a_generalised_testimony_is_not_linked_for_the_public_to_a_finer_incident(
    coast, make_incident, link, users
):
    """Approved with its place raised from Hai Al Kusour to Banias and its
    dates widened to the month: for the public, a link to an incident in
    Hai Al Kusour on 7-8 March would say what the approval chose to hide."""
    with factories.together():
        generalised = factories.testimony(
            narrative="They came to our street and took the men.",
            places=[coast["hai-al-kusour"]],
            incident=(day("2025-03-07"), day("2025-03-08")),
        )
    generalise(generalised, levels_up=1, dates="month")
    fine = make_incident(places=[coast["hai-al-kusour"]])
    fine_dates = make_incident("Banias, 7-8 March", places=[coast["banias"]])
    coarse = make_incident(
        "Banias, March 2025",
        places=[coast["banias"]],
        start=day("2025-03-01"),
        end=day("2025-03-31"),
        precision="month",
    )
    elsewhere = make_incident(
        "Jableh, March 2025",
        places=[coast["jableh"]],
        start=day("2025-03-01"),
        end=day("2025-03-31"),
        precision="month",
    )
    for incident in (fine, fine_dates, coarse, elsewhere):
        link(incident, generalised)

    public = users["anonymous"]
    assert not _seen(public, fine)
    assert not _seen(public, fine_dates)
    assert not _seen(public, elsewhere)
    assert _seen(public, coarse)
    assert incidents_corroboration([fine], user=public)[fine.pk].witnesses == 0
    assert [r.incident for r in incident_list(params={}, user=public).rows] == [coarse]
    # Researchers see the testimony as recorded: every link stands.
    for incident in (fine, fine_dates, coarse, elsewhere):
        assert _seen(users["researcher"], incident)
        counted = incidents_corroboration([incident], user=users["researcher"])
        assert counted[incident.pk].witnesses == 1


def test_a_merged_incident_is_reached_as_the_one_it_became(
    archive, make_incident, link, users
):
    from testimonies.incidents.services import incident_merge

    first, second = make_incident(), make_incident("Duplicate")
    link(first, archive["kusour"])
    link(second, archive["banias"])
    incident_merge(user=users["moderator"], incident=second, into=first)
    resolved = incident_resolve(public_id=second.public_id, user=users["anonymous"])
    assert resolved == first
    assert not incidents_visible_to(users["moderator"]).filter(pk=second.pk).exists()
