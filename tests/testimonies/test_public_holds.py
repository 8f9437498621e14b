"""The re-identification check counts what one witness's public testimonies
disclose together, and runs again after approval: when consent to publish
arrives later, and when other testimonies leave the public. A testimony
whose group is (now) below k is held back from the public, shown to the
moderators, and released by one of them with a public view."""

import datetime

import pytest
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_record, consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.consent.services.review import testimony_approve
from testimonies.models import Testimony
from testimonies.redaction.reidentification import reidentification_check
from tests.markers import committed_db
from tests.testimonies.test_reidentification import candidate, given

pytestmark = committed_db

JABLEH = {"place": "jableh"}


def join(testimony, other):
    """Make `testimony` an account of `other`'s witness (one pseudonym)."""
    Testimony.objects.filter(pk=testimony.pk).update(witness=other.witness)
    testimony.refresh_from_db()
    return testimony


# The union of what one pseudonym discloses


def test_the_witnesses_other_public_accounts_count_with_the_candidate(coast):
    for _ in range(4):
        given(coast)  # four others in Hai Al Kusour, the same month
    testimony = candidate(coast)
    assert reidentification_check(testimony=testimony).group_size == 5
    # The same witness published an account from Jableh too: the public
    # reads both under one pseudonym, and nobody else is in both places.
    join(given(coast, **JABLEH), testimony)
    check = reidentification_check(testimony=testimony)
    assert check.group_size == 1 and check.below_k


def test_another_witness_counts_by_the_union_of_their_accounts(coast):
    for _ in range(3):
        given(coast)
    other = given(coast)
    testimony = candidate(coast)
    assert reidentification_check(testimony=testimony).group_size == 5
    join(given(coast, **JABLEH), other)  # that witness is told apart now
    assert reidentification_check(testimony=testimony).group_size == 4


def test_accounts_of_one_witness_in_one_place_still_count_once(coast):
    first = given(coast)
    for _ in range(2):
        join(given(coast, place="banias"), first)  # town of the neighbourhood
    assert reidentification_check(testimony=candidate(coast)).group_size == 2


# Consent to publish after approval


def researchers_only(coast):
    return given(coast, consent={"archive": True, "researchers": True})


def publish(testimony):
    consent_record(
        testimony=testimony,
        scopes={"archive": True, "researchers": True, "public": True},
        method="oral",
        obtained_by="staff",
        obtained_on=datetime.date(2025, 4, 1),
    )
    testimony.refresh_from_db()


def test_consent_to_publish_after_approval_holds_a_small_group(
    coast, anonymous, researcher, client_for
):
    testimony = researchers_only(coast)
    publish(testimony)
    assert testimony.public_hold == "consent_widened"
    url = testimony.get_absolute_url()
    assert client_for(anonymous).get(url).status_code == 404
    assert client_for(anonymous).get("/api/search/", {"q": ""}).json()["count"] == 0
    assert client_for(researcher).get(url).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.HELD_FROM_PUBLIC)
    assert (entry.target, entry.detail) == (testimony.public_id, "consent_widened")


def test_consent_to_publish_with_a_large_enough_group_publishes(
    coast, anonymous, client_for
):
    for _ in range(4):
        given(coast)
    testimony = researchers_only(coast)
    publish(testimony)
    assert testimony.public_hold == ""
    assert client_for(anonymous).get(testimony.get_absolute_url()).status_code == 200


def test_a_first_consent_given_with_an_approval_is_the_approvers_decision(coast):
    # An import of an approved line, or a factory: nothing was widened.
    assert given(coast).public_hold == ""


# Others leaving the public


def test_a_withdrawal_that_shrinks_a_group_below_k_holds_the_others(
    coast, anonymous, researcher, client_for
):
    five = [given(coast) for _ in range(5)]
    consent_withdraw(
        testimony=five[0], scopes=["public"], reason="asked", obtained_by="staff"
    )
    for testimony in five[1:]:
        testimony.refresh_from_db()
        assert testimony.public_hold == "group_shrank"
        url = testimony.get_absolute_url()
        assert client_for(anonymous).get(url).status_code == 404
        assert client_for(researcher).get(url).status_code == 200
    assert client_for(anonymous).get("/api/search/").json()["count"] == 0


def test_an_erasure_that_shrinks_a_group_below_k_holds_the_others(coast):
    five = [given(coast) for _ in range(5)]
    unrelated = given(coast, **JABLEH)
    testimony_erase(testimony=five[0], reason="asked", erased_by_label="t")
    held = Testimony.objects.exclude(public_hold="")
    assert set(held) == set(five[1:])
    assert unrelated not in held


def test_a_group_accepted_below_k_is_not_held_again(coast):
    three = [given(coast) for _ in range(3)]
    consent_withdraw(
        testimony=three[0], scopes=None, reason="asked", obtained_by="staff"
    )
    assert not Testimony.objects.exclude(public_hold="").exists()


def test_a_group_still_at_k_is_not_held(coast):
    six = [given(coast) for _ in range(6)]
    consent_withdraw(testimony=six[0], scopes=None, reason="asked", obtained_by="staff")
    assert not Testimony.objects.exclude(public_hold="").exists()


# The moderators see it and release it


@pytest.fixture
def held(coast):
    testimony = researchers_only(coast)
    publish(testimony)
    return testimony


def test_the_queue_lists_what_is_held(held, moderator, client_for):
    body = client_for(moderator).get(reverse("moderation:queue")).content.decode()
    assert "Held back from the public" in body
    assert held.public_id in body
    assert "Consent to publish came after approval" in body


def test_a_moderator_releases_it_with_a_generalised_view(
    held, moderator, anonymous, client_for
):
    client = client_for(moderator)
    url = reverse("moderation:review", args=[held.public_id])
    body = client.get(url).content.decode()
    assert "Release to the public with this view" in body
    assert 'name="public_view" value="place_year"' in body
    response = client.post(url, {"release_public": "1", "public_view": "place_year"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.public_hold, held.public_place_levels_up) == ("", 1)
    assert held.public_date_precision == "year"
    assert AuditEntry.objects.filter(
        action=AuditAction.RELEASED_TO_PUBLIC, target=held.public_id
    ).exists()
    body = client_for(anonymous).get(held.get_absolute_url()).content.decode()
    assert "Banias" in body and "Hai Al Kusour" not in body


@pytest.mark.parametrize("role", ["anonymous", "researcher", "documenter"])
def test_only_moderators_release(held, users, client_for, role):
    url = reverse("moderation:review", args=[held.public_id])
    client = client_for(users[role])
    response = client.post(url, {"release_public": "1", "public_view": "recorded"})
    assert response.status_code in (302, 403, 404)
    held.refresh_from_db()
    assert held.public_hold == "consent_widened"


def test_a_moderator_without_second_factor_cannot_release(held, moderator, client_for):
    url = reverse("moderation:review", args=[held.public_id])
    client = client_for(moderator, verified=False)
    client.post(url, {"release_public": "1", "public_view": "recorded"})
    held.refresh_from_db()
    assert held.public_hold == "consent_widened"


def test_releasing_what_is_not_held_is_refused(coast, moderator, client_for):
    testimony = given(coast)
    url = reverse("moderation:review", args=[testimony.public_id])
    response = client_for(moderator).post(
        url, {"release_public": "1", "public_view": "recorded"}, follow=True
    )
    assert "not held back from the public" in response.content.decode()


def test_a_new_approval_lifts_the_hold(held, documenter, moderator):
    Testimony.objects.filter(pk=held.pk).update(status="submitted")
    held.refresh_from_db()
    testimony_approve(testimony=held, reviewer=moderator)
    held.refresh_from_db()
    assert held.public_hold == ""
