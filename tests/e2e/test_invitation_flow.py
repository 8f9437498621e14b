"""A moderator invites a documenter by e-mail; the invitee follows the
mailed link in Arabic (the page's script takes the code from after the
"#"), chooses a password and is signed in; the roles page no longer lists
the invitation as pending; deactivated, the invitee's session ends at once.
Then a password reset asked for in English. In a
real browser, on a desktop and on a phone; screenshots for docs/ when asked
(ARCHIVE_SCREENSHOTS=<folder>)."""

import os
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from playwright.sync_api import expect

from tests.markers import committed_db

pytestmark = committed_db

SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}


def _screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def _verified_session(user, second_factor):
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second_factor(user).persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _fits_the_width(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_an_invited_documenter_joins_in_arabic_on_a_phone(
    chromium, page, live_server, moderator, second_factor
):
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": _verified_session(moderator, second_factor),
                "url": live_server.url,
            }
        ]
    )
    page.goto("/accounts/roles/")
    page.get_by_role("link", name="Invite someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    page.get_by_label("E-mail address").fill("amal@example.org")
    page.get_by_label("Username").fill("amal")
    page.get_by_label("Role").select_option("documenter")
    _screenshot(page, "invite-en.png")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page).to_have_url(re.compile(r"/accounts/roles/$"))
    expect(page.locator('tr[data-invitation="amal"]')).to_contain_text("Documenter")
    (message,) = mail.outbox
    link = re.search(r"(http://\S+#\S+)", message.body).group(1)

    invitee = chromium.new_context(
        base_url=live_server.url, locale="ar", viewport=PHONE, is_mobile=True
    )
    invitee.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    phone = invitee.new_page()
    # The link is in the language it was sent from (the moderator's,
    # English); the invitee reads Arabic, at the same address under /ar/.
    link = link.replace(live_server.url, live_server.url + "/ar", 1)
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    # The code moved into the form, and off the address bar.
    expect(phone.locator("#id_invitation_code")).to_have_value(link.split("#")[1])
    expect(phone).to_have_url(re.compile(r"/accounts/invitation/$"))
    assert _fits_the_width(phone)
    _screenshot(phone, "invitation-phone-ar.png")
    phone.locator("form.stacked button[type=submit]").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("اختر كلمة مرورك")
    phone.locator("#id_password1").fill("a long password for amal")
    phone.locator("#id_password2").fill("a long password for amal")
    assert _fits_the_width(phone)
    _screenshot(phone, "invitation-password-phone-ar.png")
    phone.locator("form.stacked button[type=submit]").click()
    expect(phone.locator(".messages")).to_contain_text("حسابك جاهز")
    assert (
        get_user_model().objects.get(username="amal").groups.filter(name="documenter")
    )
    phone.goto("/ar/testimonies/mine/")
    expect(phone).to_have_url(re.compile(r"/ar/testimonies/mine/$"))

    page.reload()
    expect(page.locator('tr[data-invitation="amal"]')).to_have_count(0)
    expect(page.locator('tr[data-username="amal"] td.role')).to_have_text("Documenter")
    _screenshot(page, "accounts-en.png")
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _screenshot(page, "accounts-ar.png")

    # Deactivated from the accounts page, in Arabic: the invitee's session
    # on the phone ends at once.
    page.get_by_role("button", name="عطّل amal").click()
    expect(page.locator(".messages")).to_contain_text("انتهت جلساته")
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    invitee.close()


def test_a_password_reset_in_english_and_arabic(page, documenter):
    documenter.email = "doc@example.org"
    documenter.save()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("doc@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    (message,) = mail.outbox
    link = re.search(r"(http://\S+/accounts/reset/\S+)", message.body).group(1)
    # The part after "#" reaches the server only in the form's POST body:
    # the page's script moves it there and off the address bar.
    assert re.fullmatch(r"http://\S+/accounts/reset/#[\w-]+\.[\w-]+", link)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/accounts/reset/$"))
    expect(page.locator("#id_reset_code")).to_have_value(link.partition("#")[2])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("اختر كلمة مرور جديدة")
    _screenshot(page, "password-reset-ar.png")
    page.locator("#id_new_password1").fill("a new long password for doc")
    page.locator("#id_new_password2").fill("a new long password for doc")
    page.locator("form.stacked button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("عُيّنت كلمة المرور")
    documenter.refresh_from_db()
    assert documenter.check_password("a new long password for doc")
