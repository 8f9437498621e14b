"""Login throttling through the real login view: django-axes, our lockout
page, the audit log and the roles page's unlock."""

import logging

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse

from archive.audit_actions import AuditAction
from archive.bidi import isolated
from archive.models import AuditEntry

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def log_in(client, username, password, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def fail(client, username, times, password="not-the-password", **extra):
    return [log_in(client, username, password, **extra) for _ in range(times)]


def logged_in(client):
    return "_auth_user_id" in client.session


def lockouts():
    return AuditEntry.objects.filter(action=AuditAction.ACCOUNT_LOCKED)


def test_failures_below_the_limit_only_show_the_form_error(client, researcher):
    responses = fail(client, "researcher", settings.AXES_FAILURE_LIMIT - 1)
    assert {r.status_code for r in responses} == {200}
    assert b"didn't match" in responses[-1].content
    assert log_in(client, "researcher", PASSWORD).status_code == 302
    assert logged_in(client)
    assert not lockouts().exists()


def test_the_limit_locks_the_username_out_with_a_clear_page(client, researcher):
    *_, last = fail(client, "researcher", settings.AXES_FAILURE_LIMIT)
    assert last.status_code == 429
    assert "registration/lockout.html" in [t.name for t in last.templates]
    page = last.content.decode()
    assert "Too many failed logins" in page
    assert "You can try again in 30 minutes, after" in page
    assert "ask one of the archive's moderators to unlock" in page
    assert last["Cache-Control"] == "no-store"


def test_the_right_password_is_refused_while_locked_out(client, researcher):
    fail(client, "researcher", settings.AXES_FAILURE_LIMIT)
    response = log_in(client, "researcher", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_is_for_that_username_from_that_address_only(
    client, researcher, documenter
):
    """Counting per username alone would let anyone lock a moderator out."""
    fail(client, "researcher", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="198.51.100.7")
    assert log_in(client, "researcher", PASSWORD).status_code == 302
    client.logout()
    assert (
        log_in(client, "documenter", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code
        == 302
    )


@pytest.mark.parametrize("proxies,forwarded,locked", [
    (1, "198.51.100.7", True),             # the proxy's view of the client
    (1, "203.0.113.1, 198.51.100.7", True),  # whatever the client prepended
    (0, "203.0.113.99", True),             # no proxy: the header is ignored
    (1, "203.0.113.1", False),             # five clients, one failure each
])  # fmt: skip
def test_behind_a_proxy_the_forwarded_address_counts(
    client, researcher, settings, proxies, forwarded, locked
):
    settings.ARCHIVE_PROXY_COUNT = proxies
    for number in range(settings.AXES_FAILURE_LIMIT):
        # A client rotating the part of the header it controls gains nothing.
        header = forwarded.replace("203.0.113.1", f"203.0.113.{number + 1}")
        log_in(client, "researcher", "wrong", HTTP_X_FORWARDED_FOR=header)
    again = log_in(client, "researcher", PASSWORD, HTTP_X_FORWARDED_FOR=forwarded)
    assert (again.status_code == 429) is locked


def test_a_lockout_is_audited_once_by_username(client, moderator):
    fail(client, "moderator", settings.AXES_FAILURE_LIMIT + 3)
    entry = lockouts().get()
    assert entry.target == "moderator"
    assert entry.actor is None
    assert "127.0.0.1" not in entry.detail


def test_a_username_that_names_no_account_is_not_written_to_the_log(client, db):
    """Whatever was typed (a mistyped password, a guess) stays out of the
    append-only log unless it is an account's username."""
    fail(client, "hunter2-typed-as-a-username", settings.AXES_FAILURE_LIMIT)
    entry = lockouts().get()
    assert entry.target == ""
    assert "hunter2" not in entry.detail


def test_no_password_is_ever_stored_or_logged(client, researcher, caplog):
    secret = "Sup3r-secret-guess-4711"
    with caplog.at_level(logging.DEBUG):
        fail(client, "researcher", settings.AXES_FAILURE_LIMIT, password=secret)
        log_in(client, "researcher", secret)
    stored = [
        str(value)
        for attempt in AccessAttempt.objects.all()
        for value in vars(attempt).values()
    ] + [str(value) for log in AccessLog.objects.all() for value in vars(log).values()]
    assert stored and not any(secret in value for value in stored)
    assert "password=********************" in AccessAttempt.objects.get().post_data
    assert caplog.records
    assert not any(secret in record.getMessage() for record in caplog.records)
    assert not AuditEntry.objects.filter(detail__contains=secret).exists()


def test_a_moderator_unlocks_an_account_from_the_roles_page(
    client, verified_client_for, researcher, moderator
):
    fail(client, "researcher", settings.AXES_FAILURE_LIMIT)
    staff = verified_client_for(moderator)
    page = staff.get(reverse("roles"))
    row = page.content.decode().split('data-username="researcher"')[1].split("</tr>")[0]
    assert "locked out" in row

    response = staff.post(
        reverse("roles"), {"action": "unlock", "username": "researcher"}, follow=True
    )
    assert isolated("researcher") + " can log in again." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="researcher").exists()
    unlocked = AuditEntry.objects.get(action=AuditAction.ACCOUNT_UNLOCKED)
    assert (unlocked.actor, unlocked.target) == (moderator, "researcher")
    assert unlocked.detail.startswith("unlocked")

    staff.logout()
    assert log_in(staff, "researcher", PASSWORD).status_code == 302


def test_only_moderators_unlock(client, client_for, researcher, documenter):
    fail(client, "documenter", settings.AXES_FAILURE_LIMIT)
    response = client_for(researcher).post(
        reverse("roles"), {"action": "unlock", "username": "documenter"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="documenter").exists()
