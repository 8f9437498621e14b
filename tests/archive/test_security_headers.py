"""Response headers: the policies on every page, and production's HTTPS-only
headers read from responses built under production settings."""

import json
import re
from pathlib import Path

import pytest

from tests.archive.test_settings import PRODUCTION_ENV, manage

ROOT = Path(__file__).resolve().parents[2]

# Run under production settings in a fresh process (settings are read once),
# against a migrated SQLite database in a temp folder, after collecting the
# static files there: one process, as collectstatic in a process of its own
# cost a second Django start-up.
READ_HEADERS = """
import json
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
def seen(response):
    return {
        "status": response.status_code,
        "location": response.headers.get("Location", ""),
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
                   "samesite": c["samesite"]}
            for name, c in response.cookies.items()
        },
    }
host = "%(host)s"
print(json.dumps({
    "https": seen(client.get("/accounts/login/", HTTP_HOST=host,
                             HTTP_X_FORWARDED_PROTO="https")),
    "http": seen(client.get("/accounts/login/", HTTP_HOST=host)),
}))
"""


def production_responses(
    tmp_path, migrated_database, host="archive.example.org", **extra
):
    env = {**PRODUCTION_ENV, "ARCHIVE_DATA_DIR": str(tmp_path), **extra}
    migrated_database(tmp_path)
    result = manage("shell", "-c", READ_HEADERS % {"host": host}, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory, migrated_database):
    return production_responses(
        tmp_path_factory.mktemp("production"), migrated_database
    )


@pytest.mark.slow
def test_production_pages_carry_every_security_header(production):
    page = production["https"]
    assert page["status"] == 200
    headers = page["headers"]
    hsts = headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert csp["base-uri"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    permissions = headers["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert f"{feature}=()" in permissions


@pytest.mark.slow
def test_production_cookies_are_secure_httponly_and_same_site(production):
    csrf = production["https"]["cookies"]["csrftoken"]
    assert csrf == {"secure": True, "httponly": True, "samesite": "Lax"}


@pytest.mark.slow
def test_production_sends_plain_http_to_https(production):
    plain = production["http"]
    assert plain["status"] == 301
    assert plain["location"] == "https://archive.example.org/accounts/login/"
    assert "Strict-Transport-Security" not in plain["headers"]


@pytest.mark.slow
def test_a_single_machine_without_tls_serves_plain_http_on_loopback(
    tmp_path, migrated_database
):
    found = production_responses(
        tmp_path,
        migrated_database,
        host="127.0.0.1",
        ARCHIVE_ALLOWED_HOSTS="127.0.0.1,localhost",
        ARCHIVE_BEHIND_TLS_PROXY="0",
    )
    plain = found["http"]
    assert plain["status"] == 200
    assert plain["cookies"]["csrftoken"]["secure"] is False
    assert plain["cookies"]["csrftoken"]["httponly"] is True
    assert "Content-Security-Policy" in plain["headers"]
    # No proxy in front: a client claiming https is not believed.
    assert "Strict-Transport-Security" not in found["https"]["headers"]


@pytest.mark.slow
def test_plain_http_is_refused_for_a_public_host_name(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_BEHIND_TLS_PROXY": "0",
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ARCHIVE_BEHIND_TLS_PROXY=0" in result.stderr


@pytest.mark.parametrize("value", ["no", "false", "2", ""])
@pytest.mark.slow
def test_the_tls_switch_takes_only_0_or_1(tmp_path, value):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_BEHIND_TLS_PROXY": value,
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ARCHIVE_BEHIND_TLS_PROXY must be 0 or 1" in result.stderr


def directives(policy):
    parts = (part.strip().split(None, 1) for part in policy.split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part}


def test_the_policies_are_sent_in_every_environment(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: address"),
]


def test_no_template_carries_inline_script_or_style():
    # The policy would refuse them in the browser; refuse them here first.
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []
