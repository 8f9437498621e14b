"""The second factor: enrolling an authenticator app, proving a code each
session, and the moderator pages (and the admin) that require it. Codes are
real TOTP codes computed from the device's key."""

import datetime
import time
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit_actions import AuditAction
from archive.models import AuditEntry

pytestmark = pytest.mark.django_db
TWO_FACTOR = reverse("two-factor")


def code_for(device):
    """The code the person's app shows now."""
    return f"{totp(device.bin_key):06d}"


def wrong_code_for(device):
    """A code that no period the device accepts (now, one before, one
    after) would show."""
    near = {totp(device.bin_key, drift=drift) for drift in (-1, 0, 1)}
    return f"{next(n for n in range(1_000_000) if n not in near):06d}"


def verified(client):
    return client.get(reverse("roles")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(TWO_FACTOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def session_verified(client) -> bool:
    """Has this client's session passed a second factor?"""
    from django_otp import DEVICE_ID_SESSION_KEY

    return bool(client.session.get(DEVICE_ID_SESSION_KEY))


def test_a_moderator_without_an_app_is_never_offered_enrolment(client_for, moderator):
    """A moderator's password alone must not set up an app: that was how an
    account newly promoted, or just reset, could be taken over."""
    client = client_for(moderator, verified=False)
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    assert response.context["needs_link"]
    page = response.content.decode()
    assert "<svg" not in page and "enrolment link" in page
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    refused = client.post(TWO_FACTOR, {"code": "123456"})
    assert refused.status_code == 200
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    assert not verified(client)
    # Still a researcher: no moderator page, no admin, no identities.
    assert (
        client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(TWO_FACTOR)
    )


def test_a_documenter_without_an_app_is_offered_enrolment(client_for, documenter):
    client = client_for(documenter)
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    assert response.context["enrolling"]
    device = TOTPDevice.objects.get(user=documenter)
    assert not device.confirmed
    page = response.content.decode()
    assert "<svg" in page and "<script" not in page
    assert response.context["key"].replace(" ", "") in page.replace(" ", "")
    assert response["Cache-Control"].count("no-store") == 1
    # The key the person may already have scanned stays the same.
    client.get(TWO_FACTOR)
    assert TOTPDevice.objects.get(user=documenter).key == device.key


def test_enrolment_confirms_the_app_verifies_the_session_and_is_audited(
    client_for, documenter
):
    client = client_for(documenter)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=documenter)
    assert not session_verified(client)
    response = client.post(
        TWO_FACTOR, {"code": code_for(device), "next": reverse("testimonies:mine")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("testimonies:mine")
    assert TOTPDevice.objects.get(user=documenter).confirmed
    assert session_verified(client)
    entry = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_ADDED)
    assert (entry.target, entry.actor) == ("documenter", documenter)
    assert device.key not in entry.detail


def test_a_wrong_code_is_refused_with_a_clear_error(client_for, documenter):
    client = client_for(documenter)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=documenter)
    response = client.post(TWO_FACTOR, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert not session_verified(client)
    assert not AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_ADDED)


def test_what_is_not_six_digits_is_refused_before_any_check(client_for, documenter):
    client = client_for(documenter)
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": "12a456"})
    assert "Enter the six digits" in response.content.decode()
    assert TOTPDevice.objects.get(user=documenter).throttling_failure_count == 0


def test_wrong_codes_are_throttled_even_before_a_right_one(
    client_for, moderator, second_factor, monkeypatch
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    start = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        # The clock stands still, so the view's short wait (the lock waited
        # out) would change nothing on it: it is not spent either.
        monkeypatch.setattr(time, "sleep", lambda seconds: None)
        client.post(TWO_FACTOR, {"code": wrong_code_for(device)})
        client.post(TWO_FACTOR, {"code": wrong_code_for(device)})  # too soon
        response = client.post(TWO_FACTOR, {"code": code_for(device)})
        assert "Too many wrong codes." in response.content.decode()
        assert not verified(client)
        # Once the wait is over the right code is taken.
        traveller.shift(datetime.timedelta(seconds=60))
        response = client.post(TWO_FACTOR, {"code": code_for(device)})
        assert response.status_code == 302
        assert verified(client)


def test_a_confirmed_app_is_asked_for_a_code_and_verifies_the_session(
    client_for, moderator, second_factor
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    response = client.get(TWO_FACTOR, {"next": reverse("roles")})
    assert response.status_code == 200
    assert not response.context["enrolling"]
    assert "<svg" not in response.content.decode()
    assert device.key not in response.content.decode()
    before = client.session.session_key
    response = client.post(
        TWO_FACTOR, {"code": code_for(device), "next": reverse("roles")}
    )
    assert response["Location"] == reverse("roles")
    assert client.session.session_key != before  # a new key for a new privilege
    assert verified(client)
    # The same code is not taken twice.
    client.logout()
    client.force_login(moderator)
    response = client.post(TWO_FACTOR, {"code": code_for(device)})
    assert response.status_code == 200
    assert not verified(client)


def test_another_persons_app_does_not_verify_a_session(
    client_for, moderator, researcher, second_factor
):
    theirs = second_factor(researcher)
    second_factor(moderator)
    client = client_for(moderator, verified=False)
    client.post(TWO_FACTOR, {"code": code_for(theirs)})
    assert not verified(client)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/roles", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client_for, moderator, second_factor, target):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    response = client.post(TWO_FACTOR, {"code": code_for(device), "next": target})
    assert response["Location"] == reverse("home")


def test_an_unverified_moderator_is_sent_from_a_moderator_page_and_back(
    client_for, moderator, second_factor
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    response = client.get(reverse("roles"))
    assert (
        response["Location"] == f"{TWO_FACTOR}?next={quote(reverse('roles'), safe='')}"
    )
    response = client.get(response["Location"])
    assert response.context["next"] == reverse("roles")
    response = client.post(
        TWO_FACTOR, {"code": code_for(device), "next": response.context["next"]}
    )
    assert client.get(response["Location"]).status_code == 200


def test_an_unverified_moderator_is_sent_from_the_admin_to_the_second_factor(
    client_for, moderator, second_factor
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{TWO_FACTOR}?next=%2Fadmin%2F"
    assert response.status_code == 200
    # Every admin page, not only its index; the audit log among them.
    response = client.get("/admin/archive/auditentry/", follow=True)
    assert response.redirect_chain[-1][0] == (
        f"{TWO_FACTOR}?next=%2Fadmin%2Farchive%2Fauditentry%2F"
    )
    client.post(TWO_FACTOR, {"code": code_for(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_a_verified_moderator_reaches_the_admin(verified_client_for, moderator):
    assert verified_client_for(moderator).get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_other_roles_never_reach_the_admin(users, client_for, role):
    response = client_for(users[role]).get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert TWO_FACTOR not in response.redirect_chain[-1][0]


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_other_roles_may_enrol_but_are_never_required_to(users, client_for, role):
    client = client_for(users[role])
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    assert response.context["enrolling"] and not response.context["required"]
    assert client.get(reverse("search:page")).status_code == 200
