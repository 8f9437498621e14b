"""Browser tests: Playwright driving Debian's chromium against a live server.

No browser is ever downloaded: the executable is Debian's /usr/bin/chromium,
started with the flags a closed network and a root user need
(tests/e2e/chromium.py).
"""

import functools
import importlib
import inspect
from pathlib import Path

import pytest
from django.db import connections

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS, DEFAULT_VIEWPORT, TIMEOUT_MS
from tests.e2e.sessions import sign_in

HERE = Path(__file__).parent


def _settings(tab) -> tuple:
    """What a test may change on a tab and leave changed, without a call
    _LASTING notes: the listeners on the tab and its context (Playwright's
    own and the test's) and their timeouts."""
    page, context = tab._impl_obj, tab.context._impl_obj
    return tuple(
        (
            owner._events_count,
            owner._timeout_settings._default_timeout,
            owner._timeout_settings._default_navigation_timeout,
        )
        for owner in (page, context)
    )


def _exposed(tab) -> bool:
    """Functions exposed to the page, or web sockets routed: no undo."""
    page, context = tab._impl_obj, tab.context._impl_obj
    return any(
        (owner._bindings or owner._web_socket_routes) for owner in (page, context)
    )


# Calls whose effect on a tab outlives the test and has no undo: a tab that
# saw one is closed, not lent again.
_LASTING = {
    "playwright._impl.page.Page": (
        "add_init_script", "emulate_media", "set_extra_http_headers",
    ),
    "playwright._impl.browser_context.BrowserContext": (
        "add_init_script", "set_extra_http_headers", "set_geolocation",
        "set_offline",
    ),
    "playwright._impl.clock.Clock": (
        "install", "fast_forward", "pause_at", "resume", "run_for",
        "set_fixed_time", "set_system_time",
    ),
}  # fmt: skip


def _noting_lasting_calls(kept) -> None:
    for dotted, names in _LASTING.items():
        module_name, class_name = dotted.rsplit(".", 1)
        owner = getattr(importlib.import_module(module_name), class_name)
        for name in names:
            original = getattr(owner, name)
            if getattr(original, "taints_the_kept_tab", False):
                continue

            if inspect.iscoroutinefunction(original):

                @functools.wraps(original)
                async def noted(*args, __original=original, **kwargs):
                    kept.taint()
                    return await __original(*args, **kwargs)

            else:

                @functools.wraps(original)
                def noted(*args, __original=original, **kwargs):
                    kept.taint()
                    return __original(*args, **kwargs)

            noted.taints_the_kept_tab = True
            setattr(owner, name, noted)


def _browser_test(item) -> bool:
    return item is not None and HERE in Path(item.fspath).parents


def pytest_collection_modifyitems(items):
    for item in items:
        if _browser_test(item):
            item.add_marker(pytest.mark.browser)


# One browser per worker for as long as browser tests follow each other (a
# worker's share runs its browser modules one after the other:
# tests/scheduling.py): starting Playwright and chromium costs about a
# second. Each test gets a tab with no cookies and no storage: the one the
# test before gave back, emptied, unless that test changed it for good
# (KeptBrowser.give_back), since a new tab costs chromium as much CPU again
# (tests/e2e/test_kept_tab.py).
#
# While Playwright's loop lives, Django sees a running event loop in this
# thread and refuses the ORM (the tests' own reads and writes, and the
# database restore between transactional tests) unless told that it is
# deliberate: that permission is given module by module, for the browser
# modules alone, and never left in the environment of the other modules,
# whose processes inherit it (check --deploy rightly refuses it). The browser
# is closed once the next test is not a browser test, so no other module ever
# runs beside a live loop.
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
        self._idle = []  # tabs given back clean
        self._lent = {}  # tab -> its settings when lent (_settings)
        self._tab_base = ""
        self._tainted = False

    def browser(self):
        if self._browser is not None and not self._browser.is_connected():
            self.close()  # it crashed: the next module starts a new one
        if self._browser is None:
            from playwright.sync_api import expect, sync_playwright

            # Assertions wait as long as actions do (Playwright's own default
            # for them is 5 s): on a busy machine a page can take longer to
            # come, and the test would fail for the machine, not the site.
            expect.set_options(timeout=TIMEOUT_MS)

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
            _noting_lasting_calls(self)
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def tab(self, base_url: str):
        """A tab with no cookies, no storage and the default viewport, its
        base URL `base_url`: one a test gave back clean, or a new one. A new
        tab costs chromium about a second of CPU (a renderer started,
        Playwright's scripts compiled in it), more than most tests' own
        pages. A test may hold several (one per person in it)."""
        self.browser()  # a crashed browser's tabs are forgotten
        if self._idle and self._tab_base != base_url:
            self._close_idle()
        if self._idle:
            tab = self._idle.pop()
        else:
            context = self.browser().new_context(base_url=base_url, locale="en-GB")
            tab = context.new_page()
        tab.context.set_default_timeout(TIMEOUT_MS)
        if not self._lent:
            self._tainted = False  # a new test: nothing noted yet
        self._tab_base = base_url
        self._lent[tab] = _settings(tab)
        return tab

    def give_back(self, tab) -> None:
        """Keep `tab` for a next test if what the test did to it can be
        undone, and undo it; otherwise close it. What cannot be undone:
        scripts added to every page, a clock installed, functions exposed,
        web sockets routed, listeners left or timeouts changed, another
        origin's page or a page that no longer answers. A lasting call
        noted while several tabs were lent closes them all."""
        # None: lent by a browser that crashed since (browser() forgot it).
        settings_when_lent = self._lent.pop(tab, None)
        kept = (
            settings_when_lent is not None
            and not self._tainted
            and not tab.is_closed()
            and _settings(tab) == settings_when_lent
            and not _exposed(tab)
            and len(tab.context.pages) == 1
            and tab.url.startswith(self._tab_base)
        )
        if kept:
            try:
                # Storage of this tab's origin; cookies, permissions and
                # routed requests of the whole context.
                tab.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }")
                tab.goto("about:blank")
                tab.unroute_all(behavior="ignoreErrors")
                tab.context.unroute_all(behavior="ignoreErrors")
                tab.context.clear_cookies()
                tab.context.clear_permissions()
                tab.set_viewport_size(DEFAULT_VIEWPORT)
                tab.mouse.move(0, 0)
            except Exception:  # a tab that fails to reset is never lent again
                kept = False
        if kept:
            self._idle.append(tab)
        elif tab.context.browser is not None and tab.context.browser.is_connected():
            tab.context.close()

    def taint(self) -> None:
        """A lent tab was changed in a way give_back cannot see or undo."""
        self._tainted = True

    def _close_idle(self):
        while self._idle:
            self._idle.pop().context.close()

    def close(self):
        if self._browser is None:
            return
        self._idle, self._lent = [], {}
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
def page(chromium, kept_browser, live_server):
    """A browser tab with no cookies and no storage, at about:blank, its
    base URL the live server (KeptBrowser.tab)."""
    tab = kept_browser.tab(live_server.url)
    yield tab
    kept_browser.give_back(tab)


@pytest.fixture
def another_tab(chromium, kept_browser, live_server):
    """`another_tab()`: one more tab as `page` is one (its own cookies and
    storage), for another person in the same test."""
    lent = []

    def lend():
        lent.append(kept_browser.tab(live_server.url))
        return lent[-1]

    yield lend
    for tab in lent:
        kept_browser.give_back(tab)


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
