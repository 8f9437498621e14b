"""A tab lent to one browser test and then to the next (tests/e2e/conftest.py,
KeptBrowser) comes back as a new one would: no cookies, no storage, nothing
on the page, the default viewport. A tab a test changed in a way that cannot
be undone is never lent again."""

import pytest
from django.conf import settings

from tests.e2e.conftest import DEFAULT_VIEWPORT


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


@pytest.mark.parametrize(
    "lasting",
    [
        lambda tab: tab.add_init_script("window.leftBehind = true"),
        lambda tab: tab.clock.install(),
        lambda tab: tab.on("dialog", lambda dialog: dialog.accept()),
        lambda tab: tab.route("**/*.css", lambda route: route.abort()),
        lambda tab: tab.expose_function("leftBehind", lambda: True),
        lambda tab: tab.emulate_media(media="print"),
        lambda tab: tab.set_default_timeout(1_000),
        lambda tab: tab.context.new_page(),
        # The same server under another name: another origin, its own storage.
        lambda tab: tab.goto(tab.url.replace("//localhost:", "//127.0.0.1:")),
    ],
    ids=[
        "init script", "clock", "listener", "route", "exposed function",
        "emulated media", "timeout", "second page", "another origin",
    ],
)  # fmt: skip
def test_a_tab_changed_for_good_is_not_lent_again(lend, lasting):
    first = lend()
    first.goto("/")
    lasting(first)
    second = lend()
    assert second is not first
    assert first.is_closed()
    second.goto("/")
    assert second.evaluate("() => window.leftBehind") is None
