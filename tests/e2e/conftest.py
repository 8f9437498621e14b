"""Browser tests: Playwright driving Debian's chromium against a live server.

No browser is ever downloaded: the executable is Debian's /usr/bin/chromium,
started with the flags a closed network and a root user need.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.e2e.sessions import sign_in

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
HERE = Path(__file__).parent


def _browser_test(item) -> bool:
    return item is not None and HERE in Path(item.fspath).parents


def pytest_collection_modifyitems(items):
    for item in items:
        if _browser_test(item):
            item.add_marker(pytest.mark.browser)


# One browser per worker for as long as browser tests follow each other (a
# worker's share runs its browser modules one after the other:
# tests/scheduling.py), a fresh context (no cookies, no storage) per test:
# starting Playwright and chromium costs about a second. While Playwright's
# loop lives, Django sees a running event loop in this thread and refuses the
# ORM (the tests' own reads and writes, and the database restore between
# transactional tests) unless told that it is deliberate: that permission is
# given module by module, for the browser modules alone, and never left in
# the environment of the other modules, whose processes inherit it (check
# --deploy rightly refuses it). The browser is closed once the next test is
# not a browser test, so no other module ever runs beside a live loop.
#
# Under a running loop Django's connection handler hands out other
# connection objects (to the same test databases), which lack the baseline
# rows Django keeps on the first ones to restore after each transactional
# test: they are handed over, and the loop's connections closed with it.
class KeptBrowser:
    def __init__(self):
        self._playwright = None
        self._browser = None
        self._outside = {}
        self._inside = {}

    def browser(self):
        if self._browser is not None and not self._browser.is_connected():
            self.close()  # it crashed: the next module starts a new one
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            if not CHROMIUM.exists():
                pytest.fail(
                    f"{CHROMIUM} is missing: apt-get install chromium (make test does)"
                )
            self._outside = {alias: connections[alias] for alias in connections}
            self._playwright = sync_playwright().start()
            for alias, outside in self._outside.items():
                if hasattr(outside, "_test_serialized_contents"):
                    contents = outside._test_serialized_contents
                    connections[alias]._test_serialized_contents = contents
            self._inside = {alias: connections[alias] for alias in connections}
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def close(self):
        if self._browser is None:
            return
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
            self._browser.close()
            for alias, connection in self._inside.items():
                if connection is not self._outside[alias]:
                    connection.close()
            self._playwright.stop()
        self._browser = self._playwright = None
        self._outside, self._inside = {}, {}


KEPT = KeptBrowser()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if not _browser_test(nextitem):
        KEPT.close()


@pytest.fixture(scope="module", autouse=True)
def orm_beside_the_browser():
    """Set up first and torn down last in a browser module, since the loop of
    a browser kept from the module before may already be running."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def kept_browser(django_db_setup, live_server):
    """Started after the live server, whose threads must be handed the
    connections from outside Playwright's loop; closed at the latest before
    the test databases are dropped (at the end of the run, the last test's
    teardown drops them)."""
    yield KEPT
    KEPT.close()


@pytest.fixture(scope="module")
def chromium(kept_browser):
    return kept_browser.browser()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab with no cookies, its base URL the live server."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page, live_server):
    """`log_in(username)`: the tab signed in as `username` and on the home
    page, as the login form leaves it (a moderator still owes the second
    factor). The form itself is tested where it is the subject
    (tests/e2e/sessions.py)."""

    def as_user(username):
        sign_in(page, live_server, username, second_factor=False)
        page.goto("/")

    return as_user
