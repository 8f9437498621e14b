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


# One browser per test: with one Playwright loop kept for the whole session,
# the next transactional test found the data it restores missing (seen: the
# role groups), so the loop must not outlive its test.
@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the test
    # still reads and writes through the ORM, which Django refuses unless told
    # that it is deliberate. Only for this test, never in the environment of
    # processes it starts (check --deploy rightly refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
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
