"""Invitations by e-mail: moderators invite with a role; the one-time link
(72 hours, its token only hashed in the database and never in a URL) lets
the invitee choose a password, and a moderator also set up their
authenticator app in the same flow. Every step is audited."""

import datetime
import hashlib
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit_actions import AuditAction
from archive.models import AuditEntry, EnrolmentLink, Invitation
from archive.roles import Role, role_of
from tests import factories

pytestmark = pytest.mark.django_db
INVITE = reverse("invite")
INVITATION = reverse("invitation")
PASSWORD = "a long password for the invitee"


def invite(client, username="amal", role="documenter", email="amal@example.org"):
    return client.post(INVITE, {"email": email, "username": username, "role": role})


def token_of(message) -> str:
    link = re.search(r"(http://testserver\S+)", message.body).group(1)
    path, _, token = link.partition("#")
    assert path == f"http://testserver{INVITATION}"
    return token


def actions(*names):
    return list(
        AuditEntry.objects.filter(action__in=names)
        .order_by("pk")
        .values_list("action", "target", "detail")
    )


def accept(client, token, password=PASSWORD, **extra):
    first = client.post(INVITATION, {"invitation_code": token})
    assert first.status_code == 200
    return client.post(
        INVITATION,
        {"step": "accept", "password1": password, "password2": password, **extra},
    )


def test_an_invited_documenter_chooses_a_password_and_is_signed_in(
    verified_client_for, moderator, caplog
):
    caplog.set_level(logging.DEBUG)
    response = invite(verified_client_for(moderator))
    assert response.status_code == 302
    assert response["Location"] == reverse("roles")
    (message,) = mail.outbox
    assert message.to == ["amal@example.org"]
    token = token_of(message)
    invitation = Invitation.objects.get()
    # Only the token's digest is kept, and no account exists yet.
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))
    assert not get_user_model().objects.filter(username="amal").exists()
    # The roles page lists it as pending.
    page = verified_client_for(moderator).get(reverse("roles")).content.decode()
    assert 'data-invitation="amal"' in page
    invitee = Client()
    landing = invitee.get(INVITATION)
    assert landing.status_code == 200 and "js/enrol.js" in landing.content.decode()
    done = accept(invitee, token)
    assert done.status_code == 302 and done["Location"] == reverse("home")
    user = get_user_model().objects.get(username="amal")
    assert user.email == "amal@example.org" and user.check_password(PASSWORD)
    assert role_of(user) is Role.DOCUMENTER
    assert invitee.get(reverse("testimonies:mine")).status_code == 200
    # The token was in no log line.
    assert token not in caplog.text
    until = invitation.expires_at.isoformat(timespec="minutes")
    assert actions(AuditAction.INVITATION_SENT, AuditAction.INVITATION_USED) == [
        (AuditAction.INVITATION_SENT, "amal", f"documenter; valid until {until}"),
        (AuditAction.INVITATION_USED, "amal", "documenter"),
    ]
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(hours=72)
    # Single use: the same link again is refused, and that is audited.
    again = Client().post(INVITATION, {"invitation_code": token})
    assert "has been used or has expired" in again.content.decode()
    assert actions(AuditAction.INVITATION_REFUSED) == [
        (AuditAction.INVITATION_REFUSED, "amal", "already used")
    ]


def test_an_expired_link_is_refused_and_audited(verified_client_for, moderator):
    invite(verified_client_for(moderator))
    token = token_of(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now())
    response = Client().post(INVITATION, {"invitation_code": token})
    assert "has been used or has expired" in response.content.decode()
    assert actions(AuditAction.INVITATION_REFUSED) == [
        (AuditAction.INVITATION_REFUSED, "amal", "expired")
    ]
    assert not get_user_model().objects.filter(username="amal").exists()
    entry = AuditEntry.objects.get(action=AuditAction.INVITATION_REFUSED)
    assert entry.detail_label == "expired"


def test_a_link_expiring_between_the_two_steps_creates_nothing(
    verified_client_for, moderator
):
    invite(verified_client_for(moderator))
    token = token_of(mail.outbox[0])
    invitee = Client()
    invitee.post(INVITATION, {"invitation_code": token})
    Invitation.objects.update(expires_at=timezone.now())
    response = invitee.post(
        INVITATION, {"step": "accept", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert "has been used or has expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="amal").exists()


def test_a_wrong_code_is_refused_without_saying_more(verified_client_for, moderator):
    invite(verified_client_for(moderator))
    response = Client().post(INVITATION, {"invitation_code": "not-the-code"})
    assert "This invitation code is not right." in response.content.decode()
    accept_without_code = Client().post(
        INVITATION, {"step": "accept", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert "Start again from the link." in accept_without_code.content.decode()
    assert get_user_model().objects.filter(username="amal").count() == 0


def test_weak_or_different_passwords_are_refused(verified_client_for, moderator):
    invite(verified_client_for(moderator))
    token = token_of(mail.outbox[0])
    invitee = Client()
    weak = accept(invitee, token, password="amal")
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    differ = invitee.post(
        INVITATION,
        {"step": "accept", "password1": PASSWORD, "password2": PASSWORD + "!"},
    )
    assert "The two passwords differ." in differ.content.decode()
    assert not get_user_model().objects.filter(username="amal").exists()


def test_an_invited_moderator_needs_the_code_passed_apart_and_enrols_at_once(
    verified_client_for, moderator
):
    staff = verified_client_for(moderator)
    response = invite(staff, username="sami", role="moderator", email="s@example.org")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    code = response.context["code"]
    # The code is shown to the inviting moderator, never mailed nor stored.
    (message,) = mail.outbox
    assert code not in message.body
    assert code not in str(list(Invitation.objects.values()))
    token = token_of(message)
    invitee = Client()
    # The mailbox alone is not enough.
    wrong = accept(invitee, token, enrolment_code="guess")
    assert "The enrolment code is not right." in wrong.content.decode()
    assert not get_user_model().objects.filter(username="sami").exists()
    app_page = invitee.post(
        INVITATION,
        {
            "step": "accept",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "enrolment_code": code,
        },
    )
    assert app_page.status_code == 200
    assert "registration/enrol.html" in [t.name for t in app_page.templates]
    user = get_user_model().objects.get(username="sami")
    link = EnrolmentLink.objects.get(user=user)
    assert (link.reason, link.issued_by) == ("invitation", moderator)
    # Until the app is confirmed the account reads as a researcher.
    assert invitee.get(reverse("roles")).status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = invitee.post(
        reverse("enrol"),
        {"step": "confirm", "code": f"{totp(device.bin_key):06d}"},
    )
    assert confirmed.status_code == 302
    assert invitee.get(reverse("roles")).status_code == 200
    assert actions(AuditAction.INVITATION_USED, AuditAction.SECOND_FACTOR_ADDED) == [
        (AuditAction.INVITATION_USED, "sami", "moderator"),
        (
            AuditAction.SECOND_FACTOR_ADDED,
            "sami",
            "authenticator app (TOTP), through a link issued by moderator",
        ),
    ]


def test_an_invitation_from_a_moderator_demoted_since_is_refused(
    verified_client_for, moderator
):
    invite(verified_client_for(moderator))
    token = token_of(mail.outbox[0])
    moderator.groups.clear()
    response = Client().post(INVITATION, {"invitation_code": token})
    assert "has been used or has expired" in response.content.decode()
    assert actions(AuditAction.INVITATION_REFUSED) == [
        (AuditAction.INVITATION_REFUSED, "amal", "inviter may no longer invite")
    ]


def test_taken_usernames_and_addresses_are_refused(verified_client_for, moderator):
    factories.UserFactory(username="Amal", email="taken@example.org")
    staff = verified_client_for(moderator)
    assert "already has this username" in invite(staff).content.decode()
    response = invite(staff, username="other", email="TAKEN@example.org")
    assert "already has this e-mail address" in response.content.decode()
    invite(staff, username="rania", email="rania@example.org")
    again = invite(staff, username="RANIA", email="r2@example.org")
    assert "pending invitation already has this username" in again.content.decode()
    assert mail.outbox and len(mail.outbox) == 1


def test_a_mail_server_that_fails_keeps_nothing(
    verified_client_for, moderator, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    settings.EMAIL_USE_TLS = False
    response = invite(verified_client_for(moderator))
    assert response.status_code == 200
    assert "The mail could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.INVITATION_SENT).exists()


# The permission ladder ---------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in():
    for response in (Client().get(INVITE), invite(Client())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_researchers_and_documenters_are_refused(users, client_for, role):
    client = client_for(users[role])
    assert client.get(INVITE).status_code == 403
    assert invite(client).status_code == 403
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_moderator_without_a_second_factor_is_sent_to_give_it(client_for, moderator):
    client = client_for(moderator, verified=False)
    for response in (client.get(INVITE), invite(client)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor"))
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "researcher", "documenter", "moderator"])
def test_every_role_reaches_the_invitation_page(users, client_for, role):
    assert client_for(users[role]).get(INVITATION).status_code == 200


# Withdrawing an invitation -------------------------------------------------


def withdraw(client, username):
    return client.post(
        reverse("roles"),
        {"action": "withdraw-invitation", "invitation": username},
        follow=True,
    )


def test_a_withdrawn_invitation_stops_at_once_and_frees_the_username(
    verified_client_for, moderator
):
    staff = verified_client_for(moderator)
    invite(staff, email="amal@exmaple.org")  # a typo in the address
    token = token_of(mail.outbox[0])
    page = staff.get(reverse("roles")).content.decode()
    assert "Withdraw the invitation to amal" in page
    response = withdraw(staff, "amal")
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["The invitation to \u2068amal\u2069 is withdrawn."]
    refused = Client().post(INVITATION, {"invitation_code": token})
    assert "has been used or has expired" in refused.content.decode()
    # The username is free for the invitation with the right address.
    assert invite(staff, email="amal@example.org").status_code == 302
    assert actions(AuditAction.INVITATION_WITHDRAWN) == [
        (AuditAction.INVITATION_WITHDRAWN, "amal", "")
    ]
    again = withdraw(staff, "nobody")
    assert [str(m) for m in again.context["messages"]][-1] == (
        "That invitation is no longer waiting."
    )


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_only_moderators_withdraw_invitations(
    users, client_for, verified_client_for, moderator, role
):
    invite(verified_client_for(moderator))
    response = client_for(users[role]).post(
        reverse("roles"), {"action": "withdraw-invitation", "invitation": "amal"}
    )
    assert response.status_code == 403
    unverified = client_for(moderator, verified=False).post(
        reverse("roles"), {"action": "withdraw-invitation", "invitation": "amal"}
    )
    assert unverified["Location"].startswith(reverse("two-factor"))
    assert Invitation.objects.get().expires_at > timezone.now()
