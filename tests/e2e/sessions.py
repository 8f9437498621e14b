"""Signed-in browsers without the login form.

Where signing in is not what a browser test is about, its tab starts with a
session made on the server, as the login form (and, for `second_factor`,
the six-digit code) would leave it: one page load instead of three. The
form itself is driven in a real browser by test_recording_acceptance (with
the pointer in English, the keyboard alone in Arabic) and by the
Content-Security-Policy test.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def at(path: str, language: str) -> str:
    """`path`'s address in `language`: Arabic pages live under /ar/,
    English ones have no prefix (docs/languages.md)."""
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


def session_cookie(username: str, *, second_factor: bool = True) -> str:
    """A signed-in session's cookie value, as after the login form and, with
    `second_factor`, the six-digit code (a confirmed device is made if the
    account has none)."""
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    if second_factor:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="phone", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sign_in(page, live_server, username: str, *, second_factor: bool = True) -> None:
    """Give `page`'s browser a signed-in session for `username`."""
    value = session_cookie(username, second_factor=second_factor)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])


def reading_as(page, live_server, username: str | None, language: str) -> None:
    """Give `page`'s browser the cookies of `username` (None: the public)
    reading in `language`: the language cookie and, for an account, a
    signed-in session past the second factor."""
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    if username:
        sign_in(page, live_server, username)


def on_home_page(url: str) -> bool:
    """For `page.wait_for_url` after signing in or out: the home page itself,
    in any language. A glob such as "**/" also matches the login page's own
    address, so the wait ended before the form's answer came and the next
    step raced the navigation."""
    homes = {at("/", language) for language, _name in settings.LANGUAGES}
    return urlsplit(url).path in homes
