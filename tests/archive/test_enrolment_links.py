"""A moderator's second factor comes only through a one-time enrolment link
issued by another moderator who passed their own (or by an operator's
command): valid 24 hours, used once, audited, and useless without the
account's password. Promotion and reset issue one and nothing else; another
moderator's password cannot be set in the admin."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit_actions import AuditAction
from archive.models import AuditEntry, EnrolmentLink
from archive.services import enrolment_link_issue
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = reverse("roles")
ENROL = reverse("enrol")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


@pytest.fixture
def candidate(db):
    """A documenter about to be promoted."""
    user = factories.UserFactory(username="candidate")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


def promote(client, username="candidate"):
    response = client.post(
        ROLES, {"action": "set-role", "username": username, "role": "moderator"}
    )
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    match = re.search(r"/accounts/enrol/#([A-Za-z0-9_-]+)", body)
    assert match, "no enrolment link on the page"
    return match.group(1), response


def code_for(device):
    return f"{totp(device.bin_key):06d}"


def enrol(client, token, *, username="candidate", password=PASSWORD):
    """The two steps of the link, as the page posts them; the device set up
    in the first (None when it was refused)."""
    first = client.post(
        ENROL,
        {"enrolment_code": token, "username": username, "password": password},
    )
    if "setting_up" not in (first.context or {}):
        return first, None
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    second = client.post(ENROL, {"step": "confirm", "code": code_for(device)})
    return second, device


def test_promotion_issues_a_link_and_removes_apps_the_account_set_up_itself(
    verified_client_for, moderator, candidate, second_factor
):
    # An app set up while the account was a documenter (by anyone who had
    # its password) must not become a moderator's second factor.
    second_factor(candidate)
    token, response = promote(verified_client_for(moderator))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert not TOTPDevice.objects.filter(user=candidate).exists()
    link = EnrolmentLink.objects.get(user=candidate)
    assert token not in link.token_sha256  # only its digest is kept
    assert link.expires_at - link.issued_at == datetime.timedelta(hours=24)
    issued = AuditEntry.objects.get(action=AuditAction.ENROLMENT_LINK_ISSUED)
    assert (issued.actor, issued.target) == (moderator, "candidate")
    assert token not in issued.detail
    # Until it is used, the account reads as a researcher: an account under
    # review (moderators only) does not exist for it.
    under_review = factories.testimony(status="submitted")
    from django.test import Client

    session = Client()
    session.force_login(candidate)
    assert session.get(under_review.get_absolute_url()).status_code == 404


def test_the_password_alone_takes_over_nothing(
    verified_client_for, moderator, candidate, client
):
    promote(verified_client_for(moderator))
    client.logout()
    client.force_login(candidate)  # the password was right
    page = client.get(reverse("two-factor"))
    assert page.context["needs_link"]
    client.post(reverse("two-factor"), {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=candidate).exists()
    assert client.get(ROLES).status_code == 302  # to the second factor
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor"))


def test_the_link_with_the_password_enrols_once_and_is_audited(
    verified_client_for, moderator, candidate, client
):
    token, _response = promote(verified_client_for(moderator))
    client.logout()
    done, device = enrol(client, token)
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ROLES).status_code == 200  # a verified moderator now
    assert client.get("/admin/").status_code == 200
    added = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_ADDED)
    assert (added.actor, added.target) == (candidate, "candidate")
    assert "issued by moderator" in added.detail
    # Used: the same link sets up nothing more, even with the password.
    client.logout()
    again, again_device = enrol(client, token)
    assert again_device is None
    assert "does not open this account" in again.content.decode()
    assert TOTPDevice.objects.filter(user=candidate).count() == 1


def test_a_link_expires_after_24_hours(verified_client_for, moderator, candidate):
    from django.test import Client

    start = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token, _response = promote(verified_client_for(moderator))
        traveller.shift(datetime.timedelta(hours=24, seconds=1))
        refused, device = enrol(Client(), token)
    assert device is None
    assert "expired (a link lasts 24 hours)" in refused.content.decode()


def test_the_link_opens_only_its_own_account(
    verified_client_for, moderator, candidate, client, researcher
):
    token, _response = promote(verified_client_for(moderator))
    client.logout()
    refused, device = enrol(client, token, username="researcher")
    assert device is None and refused.status_code == 200
    wrong, device = enrol(client, token, password="not the password at all")
    assert device is None
    assert "username or password is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user__in=[candidate, researcher]).exists()


def test_insider_reset_then_password_change_is_refused(
    verified_client_for, moderator, django_user_model, second_factor
):
    """One moderator resets another's app and tries to set their password
    in the admin, to enrol an app of their own on that account."""
    victim = django_user_model.objects.create_user("victim", password=PASSWORD)
    victim.groups.add(Group.objects.get(name="moderator"))
    second_factor(victim)
    staff = verified_client_for(moderator)
    reset = staff.post(ROLES, {"action": "reset-second-factor", "username": "victim"})
    token = re.search(r"/accounts/enrol/#([A-Za-z0-9_-]+)", reset.content.decode())[1]
    password_url = reverse("admin:auth_user_password_change", args=[victim.pk])
    assert staff.get(password_url).status_code == 403
    new = "the insider's chosen password 2026"
    changed = staff.post(password_url, {"password1": new, "password2": new})
    assert changed.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and not victim.check_password(new)
    # The link without the victim's password enrols nothing.
    from django.test import Client

    _refused, device = enrol(Client(), token, username="victim", password=new)
    assert device is None
    assert not TOTPDevice.objects.filter(user=victim).exists()


def test_passwords_of_others_who_are_not_moderators_are_still_set_in_the_admin(
    verified_client_for, moderator, documenter
):
    staff = verified_client_for(moderator)
    url = reverse("admin:auth_user_password_change", args=[documenter.pk])
    new = "a new password for the documenter 2026"
    done = staff.post(url, {"password1": new, "password2": new})
    assert done.status_code == 302
    documenter.refresh_from_db()
    assert documenter.check_password(new)
    own = reverse("admin:auth_user_password_change", args=[moderator.pk])
    assert staff.get(own).status_code == 200


def test_only_a_moderator_who_passed_the_second_factor_issues_links(
    client_for, moderator, candidate, researcher
):
    body = {"action": "set-role", "username": "candidate", "role": "moderator"}
    unverified = client_for(moderator, verified=False).post(ROLES, body)
    assert unverified["Location"].startswith(reverse("two-factor"))
    assert client_for(researcher).post(ROLES, body).status_code == 403
    assert not EnrolmentLink.objects.exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        enrolment_link_issue(user=candidate, issued_by=researcher, reason="x")


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "researcher",
        "documenter",
        "other-documenter",
        "moderator-unverified",
        "moderator",
    ],
)
def test_the_enrol_page_opens_to_all_and_enrols_no_one_by_itself(
    role, users, client_for
):
    """The page is where a link leads, before anyone has logged in: it
    shows the form and nothing else to every role."""
    if role == "other-documenter":
        other = factories.UserFactory(username="other-documenter")
        other.groups.add(Group.objects.get(name="documenter"))
        client = client_for(other)
    elif role == "moderator-unverified":
        client = client_for(users["moderator"], verified=False)
    else:
        client = client_for(users[role])
    status = 200
    devices = TOTPDevice.objects.count()
    response = client.get(ENROL)
    assert response.status_code == status
    assert 'name="enrolment_code"' in response.content.decode()
    assert TOTPDevice.objects.count() == devices


def test_the_command_starts_an_installation_s_first_moderator(db, django_user_model):
    first = django_user_model.objects.create_superuser("first", password=PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    call_command("enrolment_link", "first", stdout=out, stderr=err)
    link = out.getvalue().strip()
    assert link.startswith("/accounts/enrol/#")
    entry = AuditEntry.objects.get(action=AuditAction.ENROLMENT_LINK_ISSUED)
    assert entry.actor_label == "manage.py enrolment_link"
    from django.test import Client

    done, device = enrol(Client(), link.split("#", 1)[1], username="first")
    assert device is not None and done.status_code == 302
    assert first.totpdevice_set.filter(confirmed=True).exists()


def test_the_link_carries_its_token_after_the_hash_only(
    verified_client_for, moderator, candidate
):
    """Browsers never send what follows "#": the token is in no server or
    proxy access log, and no Referer. The form posts it in the body."""
    token, response = promote(verified_client_for(moderator))
    body = response.content.decode()
    (link,) = re.findall(r"https?://[^\s<\"]+", body.split("enrolment-link")[1])[:1]
    path, _hash, fragment = link.partition("#")
    assert fragment == token and token not in path
    page = verified_client_for(moderator).get(ENROL).content.decode()
    assert 'action="/accounts/enrol/"' in page and "js/enrol.js" in page
