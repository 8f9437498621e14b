"""The site works under its Content-Security-Policy: no page people use
makes the browser refuse a script, a style or an image; in a real browser."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from archive.services import enrolment_link_issue
from tests import factories
from tests.databases import markup_only
from tests.e2e.sessions import on_home_page
from tests.markers import committed_db

pytestmark = committed_db

# Every refusal the browser makes under the policy is kept in the page, and
# read back before the next navigation (a new document starts a new list).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline")
  );
});
"""


class Watch:
    """What the browser refused, page by page."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def refused(self):
        found = self.page.evaluate("window.__cspViolations || []")
        return found + self.console

    def visit(self, path, seen):
        self.page.goto(path)
        self.page.wait_for_load_state("load")
        seen[path] = self.refused()


@pytest.fixture
def watch(page):
    return Watch(page)


def current_code(typed_key):
    key = typed_key.replace(" ", "")
    return f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()


@markup_only
def test_the_main_pages_break_no_rule_of_the_policy(
    page, watch, archive, documenter, moderator
):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    submitted = factories.testimony(status="submitted", recorded_by=documenter)
    banias = archive["banias"]
    seen = {}

    # The public.
    watch.visit("/", seen)
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    watch.visit("/search/?q=Banias", seen)
    expect(page.locator("ol.results > li.result")).to_have_count(2)
    # The facets' script runs: ticking a box applies it without a button.
    page.locator('fieldset[data-facet="community"] input[type=checkbox]').first.check()
    expect(page).to_have_url(re.compile(r"community="))
    seen["/search/ (facet ticked)"] = watch.refused()
    watch.visit(banias.get_absolute_url(), seen)
    watch.visit("/accounts/login/", seen)

    # A documenter records consent.
    log_in(page, "documenter")
    page.wait_for_url(on_home_page)
    watch.visit(f"/testimonies/{draft.public_id}/consent/", seen)
    expect(page.get_by_role("button", name="Record this consent")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(on_home_page)  # the logout's answer, before the next page

    # A moderator enrols an authenticator app through an enrolment link (its
    # script, the QR code), then reviews.
    token = enrolment_link_issue(user=moderator, issued_by_label="test", reason="test")
    page.goto(f"/accounts/enrol/#{token}")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".qr svg")).to_be_visible()
    seen["/accounts/enrol/"] = watch.refused()
    page.get_by_label("Six-digit code").fill(
        current_code(page.locator(".totp-key").inner_text())
    )
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(on_home_page)
    watch.visit(f"/moderation/{submitted.public_id}/", seen)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.visit("/moderation/", seen)
    watch.visit("/audit/", seen)
    watch.visit("/accounts/roles/", seen)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts and roles")
    # The site's own stylesheet was applied, not refused.
    assert "Noto Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")
    # The admin, which moderators use too.
    watch.visit("/admin/", seen)
    watch.visit("/admin/testimonies/testimony/", seen)
    watch.visit(f"/admin/testimonies/testimony/{submitted.pk}/change/", seen)
    watch.visit("/admin/testimonies/place/add/", seen)

    assert {path: found for path, found in seen.items() if found} == {}


@markup_only
def test_an_inline_script_is_refused_and_seen(page, watch, db):
    # The watch above would notice a page that broke the policy.
    page.goto("/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.appendChild(script);
          document.body.setAttribute("style", "color: red");
        }"""
    )
    page.wait_for_function("window.__cspViolations.length >= 2")
    assert page.evaluate("window.__ran === undefined")
    refused = watch.refused()
    assert any(found.startswith("script-src") for found in refused), refused
    assert any(found.startswith("style-src") for found in refused), refused
