"""A moderator logs in, sets up an authenticator app on the way to a
moderator page, and reaches the roles page; in a real browser."""

import re
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from archive.bidi import isolated
from tests.markers import committed_db

pytestmark = committed_db


def current_code(typed_key):
    key = typed_key.replace(" ", "")
    return f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}"


def test_a_moderator_sets_up_a_second_factor_and_reaches_the_roles_page(
    page, moderator, researcher
):
    page.goto("/accounts/login/?next=/accounts/roles/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up your authenticator app"
    )
    expect(page.locator(".qr svg")).to_be_visible()
    typed_key = page.locator(".totp-key").inner_text()
    page.get_by_label("Six-digit code").fill(current_code(typed_key))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/roles/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts and roles")
    expect(page.locator(".messages")).to_contain_text("authenticator app is set up")
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
