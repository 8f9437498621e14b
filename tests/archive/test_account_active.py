"""Deactivating and reactivating accounts from the accounts page: moderators
only, audited, and a deactivated account's sessions end at once."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from archive.audit_actions import AuditAction
from archive.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
ROLES = reverse("roles")


def post(client, username, action):
    return client.post(ROLES, {"action": action, "username": username}, follow=True)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_deactivation_ends_the_sessions_at_once_and_reactivation_lets_in(
    verified_client_for, moderator, documenter
):
    # The documenter is signed in on two browsers.
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(documenter)
        assert browser.get(reverse("testimonies:mine")).status_code == 200
    assert Session.objects.count() == 2
    staff = verified_client_for(moderator)
    response = post(staff, "documenter", "deactivate")
    assert response.status_code == 200
    assert not fresh(documenter).is_active
    # Both of the documenter's sessions are gone; the moderator's stays.
    assert Session.objects.count() == 1
    for browser in browsers:
        answer = browser.get(reverse("testimonies:mine"))
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("login"))
    # A deactivated account cannot log in, whatever its password.
    login = Client().post(
        reverse("login"),
        {"username": "documenter", "password": "correct horse battery staple"},
    )
    assert login.status_code == 200
    post(staff, "documenter", "reactivate")
    assert fresh(documenter).is_active
    entries = AuditEntry.objects.filter(
        action__in=[AuditAction.ACCOUNT_DEACTIVATED, AuditAction.ACCOUNT_REACTIVATED]
    ).order_by("pk")
    off, on = AuditAction.ACCOUNT_DEACTIVATED, AuditAction.ACCOUNT_REACTIVATED
    assert [(e.action, e.target, e.actor, e.detail) for e in entries] == [
        (off, "documenter", moderator, "2 session(s) ended"),
        (on, "documenter", moderator, ""),
    ]
    assert entries[0].detail_label == "2 sessions ended"


def test_the_page_offers_the_buttons_only_where_the_policy_allows(
    verified_client_for, moderator
):
    factories.UserFactory(username="root", is_superuser=True)
    factories.UserFactory(username="gone", is_active=False)
    factories.UserFactory(username="amal")
    page = verified_client_for(moderator).get(ROLES).content.decode()
    assert "Deactivate amal" in page and "Reactivate gone" in page
    assert "Deactivate moderator" not in page  # oneself
    assert "Deactivate root" not in page  # a superuser


def test_a_moderator_cannot_deactivate_themselves_or_a_superuser(
    verified_client_for, moderator
):
    root = factories.UserFactory(username="root", is_superuser=True)
    staff = verified_client_for(moderator)
    for username in ("moderator", "root"):
        response = post(staff, username, "deactivate")
        messages = [str(m) for m in response.context["messages"]]
        assert messages == ["You cannot change whether this account is active."]
    assert fresh(moderator).is_active and fresh(root).is_active
    assert not AuditEntry.objects.filter(
        action=AuditAction.ACCOUNT_DEACTIVATED
    ).exists()


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_other_roles_are_refused(users, client_for, role, moderator):
    client = client_for(users[role])
    response = client.post(ROLES, {"action": "deactivate", "username": "moderator"})
    assert response.status_code == 403
    assert fresh(moderator).is_active


def test_anonymous_is_sent_to_log_in_and_an_unverified_moderator_to_the_code(
    client_for, moderator, researcher
):
    data = {"action": "deactivate", "username": "researcher"}
    anonymous = Client().post(ROLES, data)
    assert anonymous["Location"].startswith(reverse("login"))
    unverified = client_for(moderator, verified=False).post(ROLES, data)
    assert unverified["Location"].startswith(reverse("two-factor"))
    assert fresh(researcher).is_active
