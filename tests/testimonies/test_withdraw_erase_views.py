"""The withdrawal and erasure pages, walked up the permission ladder, and
their effect on every page, the search page and the API in the same request."""

import pytest
from django.urls import NoReverseMatch, reverse
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

PHRASE = "Marigoldquarry"


@pytest.fixture
def two_factor_url(settings):
    """Where a moderator without a second factor is sent."""
    try:
        return reverse("two-factor")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.urls_two_factor"
        return reverse("two-factor")


@pytest.fixture
def own(documenter):
    """A public testimony recorded by the documenter fixture."""
    return factories.testimony(
        narrative=f"{PHRASE} street, Banias: they came at night.",
        recorded_by=documenter,
        consent={"archive": True, "researchers": True, "public": True},
    )


@pytest.fixture
def ladder(users, documenter, client_for, verified_client_for):
    """A client for each rung: a documenter who did not record the
    testimony, and moderators with and without a second factor."""
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(*documenter.groups.all())
    return {
        "anonymous": lambda: client_for(users["anonymous"]),
        "researcher": lambda: client_for(users["researcher"]),
        "documenter-owner": lambda: client_for(documenter),
        "documenter-other": lambda: client_for(other),
        "moderator-unverified": lambda: client_for(users["moderator"], verified=False),
        "moderator": lambda: verified_client_for(users["moderator"]),
    }


def withdraw_url(testimony):
    return reverse("testimonies:withdraw", kwargs={"public_id": testimony.public_id})


def erase_url(testimony):
    return reverse("testimonies:erase", kwargs={"public_id": testimony.public_id})


def api_ids(client, q=PHRASE):
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200
    return {result["id"] for result in response.json()["results"]}


def search_page(client, q=PHRASE):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


WITHDRAW_GET = {
    "anonymous": 404,
    "researcher": 404,
    "documenter-owner": 200,
    "documenter-other": 404,
    "moderator-unverified": 302,
    "moderator": 200,
}


@pytest.mark.parametrize("rung", WITHDRAW_GET)
def test_withdraw_page_is_for_the_recorder_and_verified_moderators(
    own, ladder, two_factor_url, rung
):
    response = ladder[rung]().get(withdraw_url(own))
    assert response.status_code == WITHDRAW_GET[rung]
    if response.status_code == 200:
        assertTemplateUsed(response, "testimonies/testimony_withdraw.html")
        body = response.content.decode()
        assert 'name="reason"' in body and 'name="everything"' in body
        assert response["Cache-Control"].startswith("max-age=0")
    if rung == "moderator-unverified":
        assert response["Location"].startswith(two_factor_url + "?next=")


# For anyone but a moderator the erase page of a testimony does not exist
# (the policy's 404, never a 403 that confirms it does).
ERASE_GET = {
    "anonymous": 404,
    "researcher": 404,
    "documenter-owner": 404,
    "documenter-other": 404,
    "moderator-unverified": 302,
    "moderator": 200,
}


@pytest.mark.parametrize("rung", ERASE_GET)
def test_erase_page_is_for_verified_moderators_only(own, ladder, two_factor_url, rung):
    response = ladder[rung]().get(erase_url(own))
    assert response.status_code == ERASE_GET[rung]
    if rung == "moderator-unverified":
        assert response["Location"].startswith(two_factor_url + "?next=")
    if response.status_code == 200:
        assertTemplateUsed(response, "testimonies/testimony_erase.html")
        assert "irreversible" in response.content.decode()


@pytest.mark.parametrize("rung", ["documenter-owner", "documenter-other", "moderator"])
def test_nobody_posts_past_the_guard(own, ladder, two_factor_url, rung):
    """A POST is guarded like a GET: only a verified moderator erases, and
    only the recorder or a moderator withdraws."""
    client = ladder[rung]()
    erase = client.post(erase_url(own), {"confirmation": own.public_id, "reason": "r"})
    own.refresh_from_db()
    assert (own.status == "erased") == (rung == "moderator")
    if rung != "moderator":
        assert erase.status_code == 404


def test_unverified_moderator_cannot_post_a_withdrawal(own, ladder, two_factor_url):
    response = ladder["moderator-unverified"]().post(
        withdraw_url(own), {"everything": "on", "reason": "r", "obtained_by": "m"}
    )
    assert response.status_code == 302
    assert own.current_consent().event == "grant"


def test_withdrawing_everything_takes_effect_in_the_same_request(own, ladder, users):
    for rung in ["anonymous", "researcher", "documenter-owner"]:
        client = ladder[rung]()
        assert api_ids(client) == {own.public_id}, rung
        assert own.public_id in search_page(client)
    owner = ladder["documenter-owner"]()
    response = owner.post(
        withdraw_url(own),
        {"everything": "on", "reason": "the family is threatened", "obtained_by": "d"},
    )
    assert response.status_code == 302

    for rung in ["anonymous", "researcher", "documenter-owner", "documenter-other"]:
        client = ladder[rung]()
        assert api_ids(client) == set(), rung
        assert own.public_id not in search_page(client), rung
        assert client.get(own.get_absolute_url()).status_code == 404, rung
    moderator = ladder["moderator"]()
    assert api_ids(moderator) == set()
    page = moderator.get(own.get_absolute_url())
    assert page.status_code == 200 and "Withdrawn" in page.content.decode()
    consent = own.current_consent()
    assert consent.event == "withdrawal" and consent.granted_scopes == []
    assert consent.reason == "the family is threatened"
    assert consent.recorded_by == users["documenter"]
    assert AuditEntry.objects.filter(
        action="consent_withdrawn", target=own.public_id, actor=users["documenter"]
    ).exists()


def test_withdrawing_public_hides_it_from_the_public_only(own, ladder):
    moderator = ladder["moderator"]()
    response = moderator.post(
        withdraw_url(own), {"scopes": ["public"], "reason": "r", "obtained_by": "m"}
    )
    assert response.status_code == 302
    assert response["Location"] == own.get_absolute_url()
    anonymous = ladder["anonymous"]()
    assert api_ids(anonymous) == set()
    assert own.public_id not in search_page(anonymous)
    assert anonymous.get(own.get_absolute_url()).status_code == 404
    researcher = ladder["researcher"]()
    assert api_ids(researcher) == {own.public_id}
    assert researcher.get(own.get_absolute_url()).status_code == 200
    assert own.current_consent().granted_scopes == ["archive", "researchers"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"everything": "on", "reason": "  ", "obtained_by": "m"}, "reason"),
        ({"reason": "r", "obtained_by": "m"}, None),
        ({"scopes": ["media"], "reason": "r", "obtained_by": "m"}, "scopes"),
        ({"everything": "on", "reason": "r", "obtained_by": ""}, "obtained_by"),
    ],
)
def test_withdrawal_form_refuses_what_is_incomplete(own, ladder, data, field):
    # `media` was never granted: it cannot be withdrawn either.
    response = ladder["moderator"]().post(withdraw_url(own), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors
    assert own.consent_records.count() == 1


def test_withdraw_page_offers_only_the_scopes_granted(own, ladder):
    response = ladder["moderator"]().get(withdraw_url(own))
    choices = [value for value, _ in response.context["form"].fields["scopes"].choices]
    assert choices == ["archive", "researchers", "public"]
    assert response.context["form"].initial["obtained_by"] == "moderator"


def test_erasure_needs_the_public_id_typed_and_a_reason(own, ladder):
    client = ladder["moderator"]()
    first = "y" if own.public_id.startswith("x") else "x"  # always one letter off
    wrong = client.post(erase_url(own), {"confirmation": first + own.public_id[1:]})
    assert wrong.status_code == 200
    assert set(wrong.context["form"].errors) == {"confirmation", "reason"}
    own.refresh_from_db()
    assert own.status == "approved" and own.narrative


def test_erasure_takes_effect_in_the_same_request(own, ladder, users):
    client = ladder["moderator"]()
    assert api_ids(client) == {own.public_id}
    response = client.post(
        erase_url(own), {"confirmation": own.public_id, "reason": "the witness asked"}
    )
    assert response.status_code == 302
    assert response["Location"] == own.get_absolute_url()

    for rung in ["anonymous", "researcher", "documenter-owner", "moderator"]:
        client = ladder[rung]()
        assert api_ids(client) == set(), rung
        assert api_ids(client, q="Banias") == set(), rung
        assert own.public_id not in search_page(client), rung
    own.refresh_from_db()
    assert own.status == "erased" and own.erasure.erased_by == users["moderator"]


def test_tombstone_is_shown_to_moderators_only(own, ladder, users):
    erasure = testimony_erase(
        testimony=own, reason="the witness asked", erased_by=users["moderator"]
    )
    # A moderator without the second factor reads as a researcher (policy).
    for rung in [
        "anonymous", "researcher", "documenter-owner", "documenter-other",
        "moderator-unverified",
    ]:  # fmt: skip
        assert ladder[rung]().get(own.get_absolute_url()).status_code == 404, rung
    for rung in ["moderator"]:
        response = ladder[rung]().get(own.get_absolute_url())
        assert response.status_code == 200
        assertTemplateUsed(response, "testimonies/erasure_detail.html")
        body = response.content.decode()
        assert erasure.content_sha256 in body and "the witness asked" in body
        assert own.public_id in body and "moderator" in body
        assert "1 April 2025" in body and PHRASE not in body
    # Nothing more can be done to it.
    moderator = ladder["moderator"]()
    assert moderator.get(withdraw_url(own)).status_code == 404
    assert moderator.get(erase_url(own)).status_code == 404


def test_moderators_see_which_scopes_were_not_consented(ladder, documenter):
    testimony = factories.testimony(
        recorded_by=documenter,
        consent={"archive": True, "researchers": True, "accountability": True},
    )
    moderator = ladder["moderator"]().get(testimony.get_absolute_url())
    body = moderator.content.decode()
    assert moderator.context["page"].scopes_not_granted == [
        "Published to the public",
        "Shared with media",
        "Named as the witness",
    ]
    assert "Not consented" in body and "Shared with media" in body
    for rung in ["researcher", "documenter-owner"]:
        body = ladder[rung]().get(testimony.get_absolute_url()).content.decode()
        assert "Not consented" not in body, rung


LINKS = {
    "anonymous": (False, False),
    "researcher": (False, False),
    "documenter-owner": (True, False),
    "documenter-other": (False, False),
    "moderator": (True, True),
}


@pytest.mark.parametrize("rung", LINKS)
def test_withdraw_and_erase_links_only_for_those_allowed(own, ladder, rung):
    body = ladder[rung]().get(own.get_absolute_url()).content.decode()
    assert (withdraw_url(own) in body, erase_url(own) in body) == LINKS[rung]


def test_a_documenter_who_withdrew_everything_is_sent_home(own, ladder):
    response = ladder["documenter-owner"]().post(
        withdraw_url(own), {"everything": "on", "reason": "r", "obtained_by": "d"}
    )
    assert response["Location"] == reverse("home")
    assert Testimony.objects.get(pk=own.pk).status == "withdrawn"
