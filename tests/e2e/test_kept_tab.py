"""A tab lent to one browser test and then to the next (tests/e2e/conftest.py,
KeptBrowser) comes back as a new one would: no cookies, no storage, nothing
on the page, the default viewport. A tab a test changed in a way that cannot
be undone is never lent again."""

import pytest
from django.conf import settings

from tests.e2e.chromium import DEFAULT_VIEWPORT


@pytest.fixture
def lend(kept_browser, live_server):
    """`lend()`: a tab as the `page` fixture gives one; each is given back
    before the next is lent, and the last at the end of the test."""
    lent = []

    def lend_one():
        if lent and not lent[-1].is_closed():
            kept_browser.give_back(lent[-1])
        lent.append(kept_browser.tab(live_server.url))
        return lent[-1]

    yield lend_one
    if lent and not lent[-1].is_closed():
        kept_browser.give_back(lent[-1])


def _dirtied(tab):
    # Requests routed (undone by give_back), on the tab and its context.
    tab.route("**/*.css", lambda route: route.abort())
    tab.context.route("**/*.js", lambda route: route.abort())
    tab.goto("/")
    tab.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": "left-behind", "url": tab.url}]
    )
    tab.evaluate(
        "() => { localStorage.setItem('left', 'behind');"
        " sessionStorage.setItem('left', 'behind'); }"
    )
    tab.set_viewport_size({"width": 390, "height": 844})


def test_a_tab_given_back_is_lent_again_with_nothing_of_the_last_test(lend):
    first = lend()
    _dirtied(first)
    second = lend()
    assert second is first  # kept, not a new one
    assert second.url == "about:blank"
    assert second.context.cookies() == []
    assert second.viewport_size == DEFAULT_VIEWPORT
    second.goto("/")
    assert second.evaluate(
        "() => [localStorage.length, sessionStorage.length, document.cookie]"
    ) == [0, 0, ""]
    for path in ("/static/css/archive.css", "/static/js/search.js"):
        assert second.goto(path).ok, path  # no longer routed away


# What a test may do to its tab that give_back cannot undo, each tried in
# turn on the tab the one before left (one test: every new tab costs about a
# second of chromium's time).
LASTING = {
    "init script": lambda tab: tab.add_init_script("window.leftBehind = true"),
    "clock": lambda tab: tab.clock.install(),
    "listener": lambda tab: tab.on("dialog", lambda dialog: dialog.accept()),
    "exposed function": lambda tab: tab.expose_function("leftBehind", lambda: 1),
    "emulated media": lambda tab: tab.emulate_media(media="print"),
    "timeout": lambda tab: tab.set_default_timeout(1_000),
    "second page": lambda tab: tab.context.new_page(),
    # The same server under another name: another origin, its own storage.
    "another origin": lambda tab: tab.goto(
        tab.url.replace("//localhost:", "//127.0.0.1:")
    ),
}


def test_a_tab_changed_for_good_is_not_lent_again(lend):
    tab = lend()
    for change, lasting in LASTING.items():
        tab.goto("/")
        assert tab.evaluate("() => window.leftBehind") is None, change
        lasting(tab)
        given_back = tab
        tab = lend()
        assert tab is not given_back, change
        assert given_back.is_closed(), change


def test_tabs_lent_together_are_apart_and_a_lasting_change_closes_them_all(
    kept_browser, live_server
):
    first, second = kept_browser.tab(live_server.url), kept_browser.tab(live_server.url)
    assert first.context is not second.context
    first.goto("/")
    second.goto("/")
    first.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": "first's", "url": first.url}]
    )
    assert settings.SESSION_COOKIE_NAME not in {
        cookie["name"] for cookie in second.context.cookies()
    }
    # Noted on one tab; which tab a lasting call touched is not known.
    second.add_init_script("window.leftBehind = true")
    kept_browser.give_back(first)
    kept_browser.give_back(second)
    assert first.is_closed() and second.is_closed()
    third = kept_browser.tab(live_server.url)
    assert third is not first and third is not second
    kept_browser.give_back(third)
