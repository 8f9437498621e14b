"""The logged reveal of a witness's identity, up the permission ladder."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from archive.audit_actions import AuditAction as AccountAction
from archive.models import AuditEntry
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Community
from testimonies.policy import Action
from testimonies.vault.identity import identity_store
from testimonies.vault.reveal import witness_reveal
from tests import factories

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
NAME = "Quennefrid Oskaldrum"
VARIANT = "كوينفريد أوسكالدروم"
CONTACT = "+963 944 271 508"
BIRTH_YEAR = 1957
REASON = "the court of inquiry asked us to confirm she can testify"
SECRETS = (NAME, VARIANT, CONTACT, str(BIRTH_YEAR))


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Wrong-password counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def own(documenter):
    testimony = factories.testimony(
        narrative="They came to our street in Banias at night.",
        recorded_by=documenter,
    )
    identity_store(
        witness=testimony.witness,
        name=NAME,
        name_variants=[VARIANT],
        contact=CONTACT,
        birth_year=BIRTH_YEAR,
        gender="female",
        community=Community.objects.get(slug="alawite"),
    )
    return testimony


@pytest.fixture
def other_documenter(documenter):
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(*documenter.groups.all())
    return other


@pytest.fixture
def ladder(users, documenter, other_documenter, client_for):
    return {
        "anonymous": lambda: client_for(users["anonymous"]),
        "researcher": lambda: client_for(users["researcher"]),
        "documenter-owner": lambda: client_for(documenter),
        "documenter-other": lambda: client_for(other_documenter),
        "moderator-unverified": lambda: client_for(users["moderator"], verified=False),
        "moderator": lambda: client_for(users["moderator"]),
    }


def identity_url(testimony):
    return reverse("testimonies:identity", kwargs={"public_id": testimony.public_id})


def reveals():
    return AuditEntry.objects.filter(action=AuditAction.READ_IDENTITY)


def shows_identity(response) -> bool:
    body = response.content.decode()
    return any(secret in body for secret in SECRETS)


STATUS = {
    "anonymous": 404,
    "researcher": 404,
    "documenter-owner": 200,
    "documenter-other": 404,
    "moderator-unverified": 302,
    "moderator": 200,
}


@pytest.mark.parametrize("rung", STATUS)
def test_reveal_form_is_for_the_recorder_and_verified_moderators(own, ladder, rung):
    response = ladder[rung]().get(identity_url(own))
    assert response.status_code == STATUS[rung]
    assert not shows_identity(response)
    if rung == "moderator-unverified":
        assert response["Location"].startswith(reverse("two-factor") + "?next=")
    if response.status_code == 200:
        assertTemplateUsed(response, "testimonies/witness_identity.html")
        body = response.content.decode()
        assert 'name="reason"' in body and 'type="password"' in body
        assert "Never write the witness" in body
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("rung", STATUS)
def test_only_the_recorder_and_verified_moderators_see_the_identity(
    own, ladder, users, documenter, rung
):
    response = ladder[rung]().post(
        identity_url(own), {"reason": REASON, "password": PASSWORD}
    )
    assert response.status_code == STATUS[rung]
    allowed = STATUS[rung] == 200
    assert shows_identity(response) == allowed
    if not allowed:
        assert not reveals().exists()
        return
    body = response.content.decode()
    for secret in SECRETS:
        assert secret in body
    assert "Female" in body and "Alawite" in body
    assert NAME not in body.split("<title>")[1].split("</title>")[0]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert not list(response.context["messages"])
    entry = reveals().get()
    actor = documenter if rung == "documenter-owner" else users["moderator"]
    assert (entry.target, entry.detail, entry.actor) == (own.public_id, REASON, actor)


def test_every_reveal_is_a_new_audit_entry(own, ladder):
    client = ladder["moderator"]()
    for _ in range(2):
        client.post(identity_url(own), {"reason": REASON, "password": PASSWORD})
    assert reveals().count() == 2


def test_a_wrong_password_shows_nothing_and_says_so(own, ladder):
    response = ladder["documenter-owner"]().post(
        identity_url(own), {"reason": REASON, "password": "not my password"}
    )
    assert response.status_code == 200
    assert not shows_identity(response)
    assert response.context["form"].has_error("password", "wrong_password")
    assert "This is not your password" in response.content.decode()
    assert not reveals().exists()


@pytest.mark.parametrize(
    "reason, code",
    [
        ("", "required"),
        ("needed", "reason_too_short"),
        (f"to call {NAME.split()[1]} back about the hearing", "reason_identifies"),
        (f"to call back on {CONTACT} about the hearing", "reason_identifies"),
        (f"check the witness born {BIRTH_YEAR} can be reached", "reason_identifies"),
        # Other spellings of the same details.
        ("to call Oskal\u200cdrum back about the hearing", "reason_identifies"),
        ("to call Oskaldroum back about the hearing", "reason_identifies"),
        ("to call back on ٠٩٤٤٢٧١٥٠٨ about the hearing", "reason_identifies"),
    ],
)
def test_a_reason_must_say_why_without_naming_the_witness(own, ladder, reason, code):
    response = ladder["moderator"]().post(
        identity_url(own), {"reason": reason, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", code)
    assert not shows_identity(response) or code == "reason_identifies"
    # The refused reason is echoed in its own box, nothing else of the
    # identity is shown and nothing is logged.
    assert not response.context["identity"]
    assert not reveals().exists()


def test_wrong_passwords_lock_the_reveal_for_a_while(own, ladder, documenter):
    client = ladder["documenter-owner"]()
    wrong = {"reason": REASON, "password": "guess"}
    statuses = [client.post(identity_url(own), wrong).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = AuditEntry.objects.filter(action=AccountAction.ACCOUNT_LOCKED)
    assert list(locked.values_list("target", "actor")) == [
        (documenter.username, documenter.pk)
    ]
    # The right password is not even checked while locked.
    right = client.post(identity_url(own), {"reason": REASON, "password": PASSWORD})
    assert right.status_code == 429
    assert not shows_identity(right)
    assert "Too many wrong passwords" in right.content.decode()
    assert not reveals().exists()
    assert locked.count() == 1
    with time_machine.travel(datetime.timedelta(minutes=16)):
        later = client.post(identity_url(own), {"reason": REASON, "password": PASSWORD})
    assert later.status_code == 200 and shows_identity(later)


def test_the_lock_is_per_account(own, ladder):
    documenter = ladder["documenter-owner"]()
    for _ in range(5):
        documenter.post(identity_url(own), {"reason": REASON, "password": "guess"})
    moderator = ladder["moderator"]()
    response = moderator.post(
        identity_url(own), {"reason": REASON, "password": PASSWORD}
    )
    assert shows_identity(response)


def test_the_right_password_starts_the_count_again(own, ladder):
    client = ladder["documenter-owner"]()
    for _ in range(4):
        client.post(identity_url(own), {"reason": REASON, "password": "guess"})
    client.post(identity_url(own), {"reason": REASON, "password": PASSWORD})
    for _ in range(4):
        response = client.post(
            identity_url(own), {"reason": REASON, "password": "guess"}
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "rung, shown",
    [
        ("anonymous", False),
        ("researcher", False),
        ("documenter-owner", True),
        ("moderator-unverified", False),
        ("moderator", True),
    ],
)
def test_the_testimony_page_links_to_the_reveal_for_those_allowed(
    own, ladder, rung, shown
):
    response = ladder[rung]().get(own.get_absolute_url())
    assert response.status_code == 200
    assert (identity_url(own) in response.content.decode()) == shown
    assert not shows_identity(response)


def test_withdrawing_everything_ends_the_recorder_s_reveal_at_once(own, ladder):
    """The witness withdrew everything: their documenter no longer learns
    who they are through that account; moderators still may, audited."""
    consent_withdraw(
        testimony=own, scopes=None, reason="family threatened", obtained_by="d"
    )
    data = {"reason": REASON, "password": PASSWORD}
    documenter = ladder["documenter-owner"]()
    assert documenter.get(identity_url(own)).status_code == 404
    refused = documenter.post(identity_url(own), data)
    assert refused.status_code == 404 and not shows_identity(refused)
    assert not reveals().exists()
    assert shows_identity(ladder["moderator"]().post(identity_url(own), data))
    assert reveals().get().actor.username == "moderator"


def test_a_withdrawal_between_the_page_and_the_reveal_ends_it(own, documenter):
    """The page was opened before the witness withdrew; the reveal asked
    after. The service reads the testimony again and refuses."""
    from django.core.exceptions import PermissionDenied

    loaded_before = own.__class__.objects.get(pk=own.pk)
    consent_withdraw(
        testimony=own, scopes=None, reason="family threatened", obtained_by="d"
    )
    with pytest.raises(PermissionDenied):
        witness_reveal(testimony=loaded_before, user=documenter, reason=REASON)
    assert not reveals().exists()


def test_a_partial_withdrawal_leaves_the_recorder_s_reveal(own, ladder):
    consent_withdraw(testimony=own, scopes=["public"], reason="afraid", obtained_by="d")
    response = ladder["documenter-owner"]().post(
        identity_url(own), {"reason": REASON, "password": PASSWORD}
    )
    assert shows_identity(response)


def test_an_erased_testimony_reveals_nothing_to_anyone(own, ladder):
    testimony_erase(testimony=own, reason="asked", erased_by_label="t")
    for rung in ("documenter-owner", "moderator"):
        response = ladder[rung]().post(
            identity_url(own), {"reason": REASON, "password": PASSWORD}
        )
        assert response.status_code == 404, rung
    assert not reveals().exists()


def test_a_documenter_reveals_only_through_a_testimony_they_recorded(
    own, ladder, other_documenter
):
    """The other documenter recorded a second testimony of the same
    witness: they may know who the witness is, but the first testimony's
    page must not tell them that both accounts are one person's."""
    second = factories.testimony(recorded_by=other_documenter)
    second.witness = own.witness
    second.save()
    assert policy.allows(other_documenter, Action.REVEAL_WITNESS_IDENTITY, own.witness)
    client = ladder["documenter-other"]()
    data = {"reason": REASON, "password": PASSWORD}
    assert client.post(identity_url(own), data).status_code == 404
    assert shows_identity(client.post(identity_url(second), data))


def test_the_service_refuses_whom_the_policy_refuses(own, researcher):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        witness_reveal(testimony=own, user=researcher, reason=REASON)
    assert not reveals().exists()
