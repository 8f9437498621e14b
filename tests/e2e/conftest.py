"""Browser tests: Playwright driving Debian's chromium against a live server.

No browser is ever downloaded: the executable is Debian's /usr/bin/chromium,
started with the flags a closed network and a root user need.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

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


# One browser per test module, a fresh context (no cookies, no storage) per
# test: starting Playwright and chromium costs about a second and a half.
# While Playwright's loop lives, Django sees a running event loop in this
# thread and refuses the ORM (the tests' own reads and writes, and the
# database restore between transactional tests) unless told that it is
# deliberate; so the browser and that permission share the module's scope,
# and both end with it. Never in the environment of the other modules, whose
# processes inherit it (check --deploy rightly refuses it).
#
# Under a running loop Django's connection handler hands out other
# connection objects (to the same test databases), which lack the baseline
# rows Django keeps on the first ones to restore after each transactional
# test: they are handed over, and the loop's connections closed with it.
@pytest.fixture(scope="module")
def chromium(django_db_setup):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    before = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as environment, sync_playwright() as playwright:
        environment.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, outside in before.items():
            if hasattr(outside, "_test_serialized_contents"):
                contents = outside._test_serialized_contents
                connections[alias]._test_serialized_contents = contents
        inside = {alias: connections[alias] for alias in connections}
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
        for alias, connection in inside.items():
            if connection is not before[alias]:
                connection.close()


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
