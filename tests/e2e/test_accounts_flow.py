"""A moderator follows the enrolment link another moderator gave them,
sets up an authenticator app, and reaches the roles page; in a real
browser (the page's script takes the code from after the "#")."""

import re
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from archive.bidi import isolated
from archive.services import enrolment_link_issue
from tests.markers import committed_db

pytestmark = committed_db


def current_code(typed_key):
    key = typed_key.replace(" ", "")
    return f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}"


def test_a_moderator_sets_up_a_second_factor_and_reaches_the_roles_page(
    page, moderator, researcher
):
    token = enrolment_link_issue(user=moderator, issued_by_label="test", reason="t")
    page.goto(f"/accounts/enrol/#{token}")
    # The code moved into the form, and off the address bar and history.
    expect(page.get_by_label("Enrolment code")).to_have_value(token)
    expect(page).to_have_url(re.compile(r"/accounts/enrol/$"))
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up your authenticator app"
    )
    expect(page.locator(".qr svg")).to_be_visible()
    typed_key = page.locator(".totp-key").inner_text()
    page.get_by_label("Six-digit code").fill(current_code(typed_key))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("authenticator app is set up")
    page.goto("/accounts/roles/")

    expect(page).to_have_url(re.compile(r"/accounts/roles/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts and roles")
    row = page.locator('tr[data-username="researcher"]')
    expect(row.locator("td.role")).to_have_text("Researcher")

    # A role change from the page, in the browser.
    row.get_by_label("Role of researcher").select_option("documenter")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_have_text(
        isolated("researcher") + " is now: Documenter."
    )
    expect(
        page.locator('tr[data-username="researcher"]').locator("td.role")
    ).to_have_text("Documenter")
