"""Whether an incident's witnesses come from more than one community.

A witness's own community is sealed in their identity: with two or three
witnesses, a breakdown (or even a plain yes) can tell who belongs where.
Everyone gets a yes/no only when every community group among the
describing witnesses they may see holds at least ARCHIVE_REID_K witnesses,
else "not shown"; moderators may open a breakdown on purpose, recorded in
the audit log as a reveal is (docs/incidents.md)."""

import json

import pytest
from haystack import connections

from archive.models import AuditEntry
from testimonies.accountability.services import package_export
from testimonies.consent.services.consent import consent_withdraw
from testimonies.incidents.audit_actions import IncidentAuditAction
from testimonies.incidents.selectors import (
    SeveralCommunities,
    incident_detail,
    several_communities,
    witness_community_breakdown,
)
from testimonies.models import Witness
from tests import factories
from tests.markers import committed_db
from tests.testimonies.incidents.test_incident_views import LADDER, ladder  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
REASON = "the prosecutor asks how independent these accounts are"
PUBLIC = {"archive": True, "researchers": True, "public": True}
EVERY_BODY = {**PUBLIC, "accountability": True}


@pytest.fixture(autouse=True)
def k_is_two(settings):
    settings.ARCHIVE_REID_K = 2


def witnesses(coast, *communities, consent=None):
    """One public testimony of Banias per witness, each witness of the
    community given (None: they did not give one). The testimonies are
    all tagged as concerning the Alawite community."""
    with factories.together():
        return [
            factories.testimony(
                witness_name=f"Witness {n}",
                narrative=f"Account {n} of the killings in Banias.",
                places=[coast["banias"]],
                witness_community=community,
                consent=dict(consent or PUBLIC),
            )
            for n, community in enumerate(communities)
        ]


def linked(make_incident, link, coast, *groups):
    incident = make_incident(places=[coast["banias"]])
    for testimonies in groups:
        for testimony in testimonies:
            link(incident, testimony)
    return incident


def answer(incident, user):
    return incident_detail(incident=incident, user=user).corroboration


# The rule itself ------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ({1: 2, 2: 2}, "yes"),
        ({1: 3, 2: 2, None: 2}, "yes"),
        ({1: 2, 2: 1}, "not_shown"),
        ({1: 2, 2: 2, None: 1}, "not_shown"),
        ({1: 1}, "not_shown"),
        # One community, however large: "no" would tell everyone's community
        # to whoever knows one witness's.
        ({1: 4}, "not_shown"),
        ({1: 2, None: 2}, "not_shown"),
        ({None: 3}, "not_shown"),
        ({}, "not_shown"),
    ],
)
def test_the_answer_is_given_only_when_every_group_holds_k_witnesses(groups, expected):
    assert several_communities(groups, k=2) == expected


def test_k_witnesses_from_each_of_two_communities_answer_yes(
    coast, make_incident, link, users
):
    incident = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze", "druze")
    )
    for role in ("anonymous", "researcher", "moderator"):
        assert answer(incident, users[role]).several_communities == "yes"


def test_one_community_below_k_is_not_shown_never_no(coast, make_incident, link, users):
    incident = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze")
    )
    got = answer(incident, users["anonymous"])
    assert got.several_communities == SeveralCommunities.NOT_SHOWN
    assert got.witnesses == 3


def test_a_small_not_given_group_is_not_shown_either(coast, make_incident, link, users):
    incident = linked(
        make_incident,
        link,
        coast,
        witnesses(coast, "sunni", "sunni", "druze", "druze", None),
    )
    assert answer(incident, users["anonymous"]).several_communities == "not_shown"


def test_one_witness_three_accounts_count_once_in_their_group(
    coast, make_incident, link, users
):
    """Three accounts of one Druze witness are one witness: the Druze group
    holds one, below k."""
    accounts = witnesses(coast, "sunni", "sunni", "druze", "druze", "druze")
    one = accounts[2].witness
    for account in accounts[3:]:
        type(account).objects.filter(pk=account.pk).update(witness=one)
    Witness.objects.exclude(testimonies__isnull=False).delete()
    incident = linked(make_incident, link, coast, accounts)
    got = answer(incident, users["anonymous"])
    assert (got.witnesses, got.several_communities) == (3, "not_shown")


def test_each_audience_gets_the_answer_over_what_it_may_see(
    coast, make_incident, link, users
):
    """Two Sunni and two Druze witnesses in public accounts, and one Alawite
    witness in a researchers-only account: the public, who cannot see the
    Alawite account, reads "yes"; a researcher sees a group of one and
    reads "not shown"; a moderator's breakdown counts all five. Without the
    hidden account, one community alone reads "not shown" (never "no")."""
    public = witnesses(coast, "sunni", "sunni", "druze", "druze")
    hidden = witnesses(coast, "alawite", consent={"archive": True, "researchers": True})
    incident = linked(make_incident, link, coast, public, hidden)
    assert answer(incident, users["anonymous"]).several_communities == "yes"
    assert answer(incident, users["researcher"]).several_communities == "not_shown"
    breakdown = witness_community_breakdown(incident=incident, user=users["moderator"])
    assert {(g.community and g.community.slug, g.witnesses) for g in breakdown} == {
        ("sunni", 2),
        ("druze", 2),
        ("alawite", 1),
    }
    sunni_only = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "sunni")
    )
    assert answer(sunni_only, users["anonymous"]).several_communities == "not_shown"


def test_a_withdrawn_witness_is_never_counted(coast, make_incident, link, users):
    accounts = witnesses(coast, "sunni", "sunni", "druze", "druze", "druze")
    incident = linked(make_incident, link, coast, accounts)
    assert answer(incident, users["anonymous"]).several_communities == "yes"
    consent_withdraw(
        testimony=accounts[2], scopes=None, reason="asked", obtained_by="test"
    )
    consent_withdraw(
        testimony=accounts[3], scopes=None, reason="asked", obtained_by="test"
    )
    for role in ("anonymous", "researcher"):
        assert answer(incident, users[role]).several_communities == "not_shown"


def test_the_communities_concerned_stay_apart_from_the_witnesses_own(
    coast, make_incident, link, users
):
    incident = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze", "druze")
    )
    got = answer(incident, users["anonymous"])
    # The accounts are tagged Alawite; the witnesses are Sunni and Druze.
    assert [c.slug for c in got.communities] == ["alawite"]
    assert got.several_communities == "yes"


# The incident page, its API and the list ----------------------------------


@pytest.fixture
def mixed(coast, make_incident, link):
    """Two Sunni and two Druze witnesses, public: "yes" for everyone."""
    return linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze", "druze")
    )


def test_the_incident_page_says_yes_but_never_the_breakdown(mixed, ladder):  # noqa: F811
    for role in ("anonymous", "researcher", "moderator"):
        body = ladder(role).get(f"/incidents/{mixed.public_id}/").content.decode()
        assert "Witnesses from more than one community" in body
        assert "Druze" not in body and "Sunni" not in body
        opens = f"/incidents/{mixed.public_id}/witness-communities/" in body
        assert opens == (role == "moderator")


def test_the_page_says_not_shown_as_such(coast, make_incident, link, ladder):  # noqa: F811
    incident = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze")
    )
    body = ladder("anonymous").get(f"/incidents/{incident.public_id}/").content
    assert "saying it could single out witnesses" in body.decode()


def test_the_detail_api_answers_the_same_and_no_breakdown(
    coast,
    make_incident,
    link,
    ladder,  # noqa: F811
):
    yes = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze", "druze")
    )
    small = linked(
        make_incident, link, coast, witnesses(coast, "sunni", "sunni", "druze")
    )
    for role in ("anonymous", "researcher", "moderator"):
        client = ladder(role)
        for incident, expected in ((yes, "yes"), (small, "not_shown")):
            response = client.get(f"/api/incidents/{incident.public_id}/")
            data = response.json()
            assert data["corroboration"]["witnesses_from_several_communities"] == (
                expected
            )
            text = response.content.decode()
            assert "druze" not in text.lower()
        listed = client.get("/api/incidents/")
        assert "druze" not in listed.content.decode().lower()
        for row in listed.json()["results"]:
            # Decrypting every row's witnesses is left to the detail.
            assert "witnesses_from_several_communities" not in row["corroboration"]


@committed_db
def test_nothing_of_the_witnesses_communities_reaches_the_index(mixed):
    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        stored = json.dumps(list(searcher.all_stored_fields()), default=str).lower()
    assert "banias" in stored  # the documents are there
    assert "druze" not in stored and "دروز" not in stored


def test_a_package_incident_record_obeys_the_same_rule(
    coast, make_incident, link, moderator, tmp_path
):
    incident = linked(
        make_incident,
        link,
        coast,
        witnesses(coast, "sunni", "sunni", "druze", "druze", consent=EVERY_BODY),
        # Not consented to accountability bodies: not in the package.
        witnesses(coast, "druze"),
    )
    result = package_export(
        recipient="IIIM",
        destination=tmp_path / "package",
        actor=moderator,
        incident_id=incident.public_id,
    )
    record = (result.path / "data" / "incident.json").read_text("utf-8")
    counted = json.loads(record)["corroboration_in_this_package"]
    assert counted["witnesses"] == 4
    assert counted["witnesses_from_several_communities"] == "yes"
    assert "druze" not in record.lower()

    small = linked(
        make_incident,
        link,
        coast,
        witnesses(coast, "sunni", "sunni", "druze", consent=EVERY_BODY),
    )
    result = package_export(
        recipient="IIIM",
        destination=tmp_path / "small",
        actor=moderator,
        incident_id=small.public_id,
    )
    record = json.loads((result.path / "data" / "incident.json").read_text("utf-8"))
    assert (
        record["corroboration_in_this_package"]["witnesses_from_several_communities"]
        == "not_shown"
    )


# The moderator's breakdown page -------------------------------------------


def breakdown_reads():
    return AuditEntry.objects.filter(
        action=IncidentAuditAction.WITNESS_COMMUNITIES_READ
    )


@pytest.mark.parametrize("role", LADDER)
def test_only_verified_moderators_open_the_breakdown(mixed, ladder, role):  # noqa: F811
    url = f"/incidents/{mixed.public_id}/witness-communities/"
    client = ladder(role)
    shown = client.get(url)
    posted = client.post(url, {"reason": REASON, "password": PASSWORD})
    expected = {"moderator": 200, "moderator-unverified": 302}.get(role, 404)
    assert (shown.status_code, posted.status_code) == (expected, expected)
    if role == "moderator":
        assert "Druze" not in shown.content.decode()  # asked for, not shown
        body = posted.content.decode()
        assert "Druze" in body and "Sunni" in body
        assert posted["Cache-Control"].startswith("max-age=0") or (
            "no-store" in posted["Cache-Control"]
        )
        entry = breakdown_reads().get()
        assert entry.target == mixed.public_id
        assert entry.detail == REASON
        assert entry.actor_id is not None
    else:
        assert not breakdown_reads().exists()
        assert "Druze" not in posted.content.decode()


def test_a_wrong_password_shows_no_breakdown_and_records_nothing(mixed, ladder):  # noqa: F811
    url = f"/incidents/{mixed.public_id}/witness-communities/"
    response = ladder("moderator").post(url, {"reason": REASON, "password": "no"})
    assert response.status_code == 200
    assert "Druze" not in response.content.decode()
    assert not breakdown_reads().exists()


def test_the_breakdown_of_an_incident_nobody_may_see_is_not_found(
    coast,
    make_incident,
    ladder,  # noqa: F811
):
    incident = make_incident(places=[coast["banias"]])
    url = "/incidents/nosuchincid01/witness-communities/"
    assert ladder("moderator").get(url).status_code == 404
    # Unlinked: the moderator sees it, and the breakdown says no witness.
    url = f"/incidents/{incident.public_id}/witness-communities/"
    posted = ladder("moderator").post(url, {"reason": REASON, "password": PASSWORD})
    assert posted.status_code == 200


def test_a_reason_naming_a_witness_is_refused_and_nothing_recorded(
    coast,
    mixed,
    link,
    ladder,  # noqa: F811
):
    """The reason stays in the audit log for good, as the reveal page's."""
    named = factories.testimony(
        witness_name="Ayman Fares",
        narrative="They came to Hai Al Kusour in the afternoon.",
        places=[coast["banias"]],
        witness_community="sunni",
    )
    link(mixed, named)
    url = f"/incidents/{mixed.public_id}/witness-communities/"
    reason = "the prosecutor asks whether Ayman Fares is Sunni"
    response = ladder("moderator").post(url, {"reason": reason, "password": PASSWORD})
    assert response.status_code == 200
    body = response.content.decode()
    assert "must not contain a witness" in body
    assert "Druze" not in body
    assert not breakdown_reads().exists()
