"""Password reset by mail: Django's own views, the same answer whether or not
an account has the address, a budget per address, and audit entries."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from archive.audit_actions import AuditAction
from archive.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
RESET = reverse("password-reset")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf(content: bytes) -> bytes:
    return CSRF.sub(b'name="csrfmiddlewaretoken" value=""', content)


def ask(client, email, **headers):
    return client.post(RESET, {"email": email}, **headers)


def test_the_answer_is_the_same_whether_the_account_exists_or_not():
    factories.UserFactory(username="amal", email="amal@example.org")
    answers = []
    for email in ("amal@example.org", "nobody@example.org"):
        client = Client()
        posted = ask(client, email)
        followed = client.get(posted["Location"])
        answers.append(
            (
                posted.status_code,
                posted["Location"],
                posted.content,
                followed.status_code,
                without_csrf(followed.content),
            )
        )
    assert answers[0][0] == 302
    assert answers[0] == answers[1]
    # ...and only the account that exists got a mail.
    assert [message.to for message in mail.outbox] == [["amal@example.org"]]


def test_the_link_sets_a_new_password_once_and_both_steps_are_audited():
    user = factories.UserFactory(username="amal", email="amal@example.org")
    client = Client()
    ask(client, "amal@example.org")
    (message,) = mail.outbox
    assert "amal" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    landing = open_link(client, link)
    # The token goes into the session (Django's own move), never in a URL.
    assert landing.status_code == 302
    assert landing["Location"].endswith("/set-password/")
    new = "a long new password for amal"
    done = client.post(
        landing["Location"], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(new)
    entries = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.target) for e in entries] == [
        (AuditAction.PASSWORD_RESET_SENT, "amal"),
        (AuditAction.PASSWORD_RESET_USED, "amal"),
    ]
    # Used once: the same link now fails.
    again = open_link(Client(), link)
    assert again.status_code == 200
    assert "This link does not work any more" in again.content.decode()


def open_link(client, link):
    """What a browser does with the link: it asks for the page without the
    part after "#", which the page's script then posts in the form."""
    path, _, code = link.partition("#")
    assert client.get(path).status_code == 200
    return client.post(path, {"reset_code": code})


def mailed_link(email="amal@example.org"):
    ask(Client(), email)
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/accounts/reset/\S+)", body).group(1)


def test_the_link_names_the_account_by_a_random_reference_and_hides_its_token():
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode

    # Enough accounts that the one asked for is not the first.
    for n in range(3):
        factories.UserFactory(username=f"other{n}", email=f"o{n}@example.org")
    user = factories.UserFactory(username="amal", email="amal@example.org")
    links = [mailed_link(), mailed_link()]
    for link in links:
        path, hash_sign, code = link.partition("#")
        # Nothing after the path but "#": the token is never sent to a server.
        assert path == reverse("password-reset-link") and hash_sign == "#"
        reference, _, token = code.partition(".")
        assert default_token_generator.check_token(user, token)
        for form in (str(user.pk), urlsafe_base64_encode(str(user.pk).encode())):
            assert form not in path and form not in reference.split("-")
        assert len(reference) >= 32
    # A new reference for each mail.
    assert links[0].partition(".")[0] != links[1].partition(".")[0]


def test_an_old_style_link_with_the_account_s_base64_id_is_refused():
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode

    user = factories.UserFactory(username="amal", email="amal@example.org")
    uid = urlsafe_base64_encode(str(user.pk).encode())
    token = default_token_generator.make_token(user)
    client = Client()
    assert client.get(f"/accounts/reset/{uid}/{token}/").status_code == 404
    # Nor does the id stand in for a reference, in the form or at the
    # password's own address.
    refused = client.post(
        reverse("password-reset-link"), {"reset_code": f"{uid}.{token}"}
    )
    assert refused.status_code == 200
    assert "This link does not work any more" in refused.content.decode()
    page = client.get(reverse("password-reset-confirm", args=[uid]))
    assert "This link does not work any more" in page.content.decode()
    assert "new_password1" not in page.content.decode()


def test_a_wrong_token_or_an_old_link_is_refused():
    user = factories.UserFactory(username="amal", email="amal@example.org")
    link = mailed_link()
    path, _, code = link.partition("#")
    reference = code.partition(".")[0]
    wrong = Client().post(path, {"reset_code": f"{reference}.cxyz-0123456789abcdef"})
    assert "This link does not work any more" in wrong.content.decode()
    # The whole link pasted (no script) works as the code alone does.
    client = Client()
    pasted = client.post(path, {"reset_code": "http://testserver" + link})
    assert pasted.status_code == 302
    # A link past PASSWORD_RESET_TIMEOUT names nobody any more.
    from archive.models import PasswordResetLink

    PasswordResetLink.objects.update(
        issued_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    stale = Client().post(path, {"reset_code": code})
    assert "This link does not work any more" in stale.content.decode()
    assert user.is_active


def test_no_mail_and_no_audit_for_an_unknown_or_inactive_address():
    factories.UserFactory(username="gone", email="gone@example.org", is_active=False)
    for email in ("gone@example.org", "nobody@example.org"):
        assert ask(Client(), email).status_code == 302
    assert mail.outbox == []
    assert not AuditEntry.objects.exists()


def test_requests_are_limited_per_address(settings):
    settings.ARCHIVE_RATE_PASSWORD_RESET = "3/hour"
    client = Client()
    statuses = [ask(client, f"n{i}@example.org").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Another address still has its budget.
    assert ask(Client(), "x@example.org", REMOTE_ADDR="10.0.0.9").status_code == 302


@pytest.mark.parametrize("role", ["anonymous", "researcher", "documenter", "moderator"])
def test_every_role_may_open_the_reset_pages(users, client_for, role):
    client = client_for(users[role])
    for name in ("password-reset", "password-reset-sent", "password-reset-complete"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("password-reset-link")).status_code == 200
    bad = reverse("password-reset-confirm", args=["MQ"])
    assert "This link does not work any more" in client.get(bad).content.decode()
    posted = client.post(reverse("password-reset-link"), {"reset_code": "MQ.nope-nope"})
    assert "This link does not work any more" in posted.content.decode()


def test_the_pages_speak_arabic():
    page = Client().get("/ar" + RESET).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "Reset your password" not in page


def test_the_login_page_links_to_the_reset():
    assert RESET in Client().get(reverse("login")).content.decode()
