"""Request budgets on search, the search API, exports and the testimony page
(archive.ratelimit), through the real views and the configured cache."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

# Ten seconds into a minute, the clock frozen: a test never straddles two
# windows, and the seconds left in the window are known.
NOON = datetime.datetime(2026, 3, 9, 12, 0, 10, tzinfo=datetime.UTC)
API = "search-api:search"
PAGE = "search:page"


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


# The anonymous budget in most tests below: the same rule as the default 60
# a minute (which the two tests of the 61st request hold), in a tenth of the
# requests.
SMALL = 6


@pytest.fixture
def small_budget(settings):
    settings.ARCHIVE_RATE_ANON = f"{SMALL}/minute"


def hit(client, name, times, **extra):
    return [client.get(reverse(name), **extra) for _ in range(times)]


@pytest.mark.django_db
def test_61st_anonymous_api_search_in_a_minute_gets_429_in_json(frozen):
    client = Client()
    assert {r.status_code for r in hit(client, API, 60)} == {200}
    refused = client.get(reverse(API))
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert refused["Retry-After"] == "50"
    assert "no-store" in refused["Cache-Control"]
    body = refused.json()
    assert body["retry_after"] == 50
    assert "Too many requests" in body["error"]


@pytest.mark.django_db
def test_61st_anonymous_search_page_gets_a_429_page(frozen):
    client = Client()
    assert {r.status_code for r in hit(client, PAGE, 60)} == {200}
    refused = client.get(reverse(PAGE), {"q": "Banias"})
    assert refused.status_code == 429
    assert [t.name for t in refused.templates][:2] == ["429.html", "base.html"]
    assert refused["Retry-After"] == "50"
    assert "no-store" in refused["Cache-Control"]
    assert "Please wait 50 seconds" in refused.content.decode()


@pytest.mark.django_db
def test_the_429_page_follows_the_visitors_language(frozen, small_budget):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    hit(client, PAGE, SMALL)
    refused = client.get(reverse(PAGE))
    assert refused.status_code == 429
    assert 'lang="ar" dir="rtl"' in refused.content.decode()


@pytest.mark.django_db
def test_page_and_api_share_one_anonymous_budget(frozen, small_budget):
    client = Client()
    hit(client, PAGE, SMALL // 2)
    hit(client, API, SMALL // 2)
    assert client.get(reverse(API)).status_code == 429
    assert client.get(reverse(PAGE)).status_code == 429


@pytest.mark.django_db
def test_the_budget_comes_back_with_the_next_window(frozen, small_budget):
    client = Client()
    hit(client, API, SMALL + 1)
    assert client.get(reverse(API)).status_code == 429
    frozen.shift(datetime.timedelta(seconds=49))
    assert client.get(reverse(API)).status_code == 429
    frozen.shift(datetime.timedelta(seconds=1))
    assert client.get(reverse(API)).status_code == 200


@pytest.mark.django_db
def test_two_client_addresses_have_separate_budgets(frozen, small_budget):
    first, second = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="203.0.113.6")
    hit(first, API, SMALL)
    assert first.get(reverse(API)).status_code == 429
    assert second.get(reverse(API)).status_code == 200


@pytest.mark.django_db
def test_a_researchers_budget_is_apart_from_the_anonymous_one_of_the_address(
    frozen, small_budget, researcher, settings
):
    settings.ARCHIVE_RATE_USER = "5/minute"
    public, signed_in = Client(), Client()
    signed_in.force_login(researcher)
    hit(public, API, SMALL + 1)
    assert public.get(reverse(API)).status_code == 429
    # Same address (the test client's), its own budget...
    assert {r.status_code for r in hit(signed_in, API, 5)} == {200}
    # ...counted per account, and spending it leaves the public's untouched.
    assert signed_in.get(reverse(API)).status_code == 429
    frozen.shift(datetime.timedelta(minutes=1))
    hit(signed_in, API, 6)
    assert public.get(reverse(API)).status_code == 200


@pytest.mark.django_db
def test_an_account_keeps_its_budget_from_any_address(frozen, researcher, settings):
    settings.ARCHIVE_RATE_USER = "3/minute"
    for number in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        client.force_login(researcher)
        assert client.get(reverse(API)).status_code == 200
    assert client.get(reverse(API), REMOTE_ADDR="198.51.100.99").status_code == 429


@pytest.mark.parametrize(
    "role", ["anonymous", "researcher", "documenter", "moderator", "unverified"]
)
@pytest.mark.django_db
def test_every_role_is_limited(frozen, role, users, client_for, settings):
    """Moderators too: a stolen moderator session is what a limit must slow."""
    settings.ARCHIVE_RATE_ANON = settings.ARCHIVE_RATE_USER = "3/minute"
    user = users["moderator" if role == "unverified" else role]
    client = client_for(user, verified=role != "unverified")
    assert {r.status_code for r in hit(client, API, 3)} == {200}
    assert client.get(reverse(API)).status_code == 429
    page = client.get(reverse(PAGE))
    assert page.status_code == 429
    assert page.templates[0].name == "429.html"


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_buys_no_new_budget(frozen, small_budget, settings):
    settings.ARCHIVE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def ask(forwarded):
        return Client(**proxy).get(reverse(API), HTTP_X_FORWARDED_FOR=forwarded)

    for number in range(SMALL):
        # The client writes whatever it likes on the left; our one proxy
        # appends the real address on the right.
        assert ask(f"192.0.2.{number}, 203.0.113.5").status_code == 200
    assert ask("192.0.2.200, 203.0.113.5").status_code == 429
    assert ask("203.0.113.5").status_code == 429
    # Another real client behind the same proxy has its own budget.
    assert ask("192.0.2.1, 203.0.113.6").status_code == 200


@pytest.mark.django_db
def test_without_trusted_proxies_forwarded_for_is_ignored(
    frozen, small_budget, settings
):
    settings.ARCHIVE_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.5")
    for number in range(SMALL):
        client.get(reverse(API), HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    refused = client.get(reverse(API), HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert refused.status_code == 429


@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.django_db
def test_exports_have_a_smaller_budget_of_their_own(
    frozen, researcher, client_for, settings, export_format
):
    settings.ARCHIVE_RATE_EXPORT = "2/hour"
    client = client_for(researcher)
    url = reverse(f"search-api:export-{export_format}")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.json()["retry_after"] == int(refused["Retry-After"]) == 3590
    # The other export format draws on the same budget; search does not.
    other = "json" if export_format == "csv" else "csv"
    assert client.get(reverse(f"search-api:export-{other}")).status_code == 429
    assert client.get(reverse(API)).status_code == 200


@pytest.mark.django_db
def test_the_testimony_page_counts_in_the_anonymous_budget(frozen, small_budget):
    client = Client()
    hit(client, API, SMALL)
    refused = client.get(reverse("testimonies:detail", args=["abcdefghjkmnp"]))
    assert refused.status_code == 429


@pytest.mark.django_db
def test_the_login_page_does_not_draw_on_the_search_budget(frozen, small_budget):
    """Searches and logins are counted apart: a spent search budget still
    lets a visitor log in (and the form itself is never counted)."""
    client = Client()
    hit(client, API, SMALL + 1)
    assert client.get(reverse("login")).status_code == 200
    assert {r.status_code for r in hit(client, "login", 30)} == {200}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_one_address_trying_many_usernames_is_slowed(frozen, url, researcher):
    """django-axes locks a username at an address; spraying many usernames
    from one address meets the per-address login budget (20 a minute)."""
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    tries = [
        sprayer.post(url, {"username": f"user{n}", "password": "guess-1234567"})
        for n in range(20)
    ]
    assert all(response.status_code == 200 for response in tries)  # form again
    refused = sprayer.post(
        url, {"username": "researcher", "password": "correct horse battery staple"}
    )
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    # Another address is not held back by it.
    other = Client(REMOTE_ADDR="198.51.100.4")
    logged_in = other.post(
        "/accounts/login/",
        {"username": "researcher", "password": "correct horse battery staple"},
    )
    assert logged_in.status_code == 302


@pytest.mark.django_db
def test_the_cache_never_holds_a_client_address(frozen, researcher):
    Client(REMOTE_ADDR="203.0.113.77").get(reverse(API))
    keys = list(cache._cache)  # LocMemCache, the test settings' cache
    assert keys
    assert not any("203.0.113.77" in key for key in keys)
