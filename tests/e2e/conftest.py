"""Browser tests: Playwright driving Debian's chromium against a live server.

No browser is ever downloaded: the executable is Debian's /usr/bin/chromium,
started with the flags a closed network and a root user need.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("ARCHIVE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# One browser per test module. Playwright's sync API keeps an event loop in
# this thread for as long as the browser lives, and Django refuses ORM calls
# under a running loop unless told that it is deliberate: the permission is
# given for exactly as long as the loop lives, so that it covers the database
# flush and restore after each transactional test of the module (with a loop
# kept for the whole session and the permission given per test, the next
# test found the data it restores missing: the role groups). It is never in
# the environment of the other modules' tests, nor of processes they start
# (check --deploy rightly refuses it). Each test still gets its own browser
# context: no cookie or storage crosses from one test to the next.
@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab with no cookies, its base URL the live server."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page):
    def as_user(username, password="correct horse battery staple"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")

    return as_user
