"""The language is part of a page's URL: Arabic under /ar/, English without
a prefix, whatever the reader's browser or remembered choice; the switcher
keeps the page; the API, exports and admin keep negotiating their language
(docs/languages.md)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from testimonies.incidents.services import incident_link, incident_propose
from tests import factories
from tests.markers import committed_db

pytestmark = pytest.mark.django_db

ARABIC = '<html lang="ar" dir="rtl">'
ENGLISH = '<html lang="en" dir="ltr">'


def remembering(language: str) -> Client:
    """A visitor who chose `language` with the switcher before."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def pages(archive, incident_id, draft):
    """(role, path) of a page of every kind, each read by a role allowed it."""
    testimony = archive["kusour"].get_absolute_url()
    return [
        ("anonymous", "/"),
        ("anonymous", "/search/?q=Banias"),
        ("anonymous", testimony),
        ("anonymous", "/incidents/"),
        ("anonymous", f"/incidents/{incident_id}/"),
        ("anonymous", "/map/"),
        ("anonymous", "/timeline/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/accounts/password-reset/"),
        ("researcher", "/research/"),
        ("researcher", "/accounts/settings/"),
        ("documenter", "/testimonies/mine/"),
        ("documenter", f"/testimonies/{draft.public_id}/record/witness/"),
        ("moderator", "/moderation/"),
        ("moderator", "/audit/"),
        ("moderator", "/accounts/roles/"),
        ("moderator", "/accountability/package/"),
        ("moderator", f"{testimony}identity/"),
    ]


@pytest.fixture
def kinds(archive, users, documenter, moderator):
    incident = incident_propose(
        user=moderator, title="Killings in Hai Al Kusour", title_ar="مقتلة حي القصور"
    )
    incident_link(
        user=moderator, incident=incident, testimony=archive["kusour"], role="describes"
    )
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    return pages(archive, incident.public_id, draft)


def test_every_kind_of_page_is_arabic_under_ar_and_english_without(
    kinds, users, client_for
):
    for role, path in kinds:
        client = client_for(users[role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        arabic = client.get("/ar" + path)
        assert arabic.status_code == 200, path
        assert ARABIC in arabic.content.decode(), path
        assert arabic["Content-Language"] == "ar"
        if path == "/":
            continue  # the entry page follows the remembered choice (below)
        # Neither the remembered choice nor the browser's turns an English
        # link Arabic: a shared link opens as it was shared.
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="ar")
        assert english.status_code == 200, path
        assert ENGLISH in english.content.decode(), path


def test_a_shared_arabic_link_opens_in_arabic_for_anyone(archive):
    for client in (Client(), remembering("en")):
        page = client.get("/ar/search/", {"q": "بانياس"}).content.decode()
        assert ARABIC in page and "بانياس" in page


def test_the_switcher_keeps_the_page_and_its_query_both_ways(archive, client):
    testimony = archive["kusour"].get_absolute_url()
    for english in (
        "/search/?q=%D8%A8%D8%A7%D9%86%D9%8A%D8%A7%D8%B3&page=1",
        testimony,
    ):
        to_arabic = client.post("/i18n/setlang/", {"language": "ar", "next": english})
        assert to_arabic.status_code == 302
        assert to_arabic["Location"] == "/ar" + english
        assert ARABIC in client.get(to_arabic["Location"]).content.decode()
        to_english = client.post(
            "/i18n/setlang/", {"language": "en", "next": "/ar" + english}
        )
        assert to_english["Location"] == english
        assert ENGLISH in client.get(to_english["Location"]).content.decode()


def test_the_switcher_remembers_the_choice(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/search/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    client.post("/i18n/setlang/", {"language": "en", "next": "/ar/search/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://example.org/",
        "//example.org/search/",
        "/\\example.org/",
        "https://example.org/ar/search/",
        "javascript:alert(1)",
    ],
)
def test_the_switcher_never_sends_anyone_to_another_host(client, elsewhere):
    for language in ("ar", "en"):
        response = client.post(
            "/i18n/setlang/", {"language": language, "next": elsewhere}
        )
        assert response.status_code == 302
        assert response["Location"] in ("/", "/ar/")
    response = client.post(
        "/i18n/setlang/", {"language": "ar"}, HTTP_REFERER="https://example.org/"
    )
    assert response["Location"] == "/ar/"


def test_the_entry_page_follows_the_remembered_choice_and_nothing_else():
    response = remembering("ar").get("/", {"from": "bookmark"})
    assert response.status_code == 302
    assert response["Location"] == "/ar/?from=bookmark"
    assert "Cookie" in response["Vary"]
    english = remembering("en").get("/")
    assert ENGLISH in english.content.decode() and "Cookie" in english["Vary"]
    # The browser's language alone is no remembered choice.
    assert ENGLISH in Client(HTTP_ACCEPT_LANGUAGE="ar").get("/").content.decode()
    # Every other unprefixed link stays English.
    page = remembering("ar").get("/search/")
    assert page.status_code == 200 and ENGLISH in page.content.decode()


@committed_db  # the index is written when the archive's rows commit
def test_the_api_answers_in_the_language_the_request_asks_for(archive):
    alawite = {"community": "alawite"}
    english = Client().get("/api/search/", alawite)
    arabic = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/api/search/", alawite)
    chosen = remembering("ar").get("/api/search/", alawite)
    assert english["Content-Language"] == "en"
    assert arabic["Content-Language"] == "ar" == chosen["Content-Language"]
    places = {p["slug"]: p["name"] for p in arabic.json()["facets"]["place"]}
    assert places["banias"] == "بانياس"
    places = {p["slug"]: p["name"] for p in english.json()["facets"]["place"]}
    assert places["banias"] == "Banias"
    # Interfaces for scripts have one address: no /ar/ copy of them.
    for path in ("/ar/api/search/", "/ar/api/incidents/", "/ar/search/export.csv"):
        assert Client().get(path).status_code == 404, path
    assert (
        Client(HTTP_ACCEPT_LANGUAGE="ar").get("/api/timeline/")["Content-Language"]
        == "ar"
    )


def test_the_admin_stays_unprefixed_in_the_language_asked_for(moderator):
    client = remembering("ar")
    response = client.get("/admin/login/")
    assert response.status_code == 200 and 'lang="ar"' in response.content.decode()
    assert Client().get("/ar/admin/").status_code == 404


def test_logging_in_and_out_keeps_the_language(documenter):
    client = Client()
    sent = client.get("/ar/research/")
    assert sent["Location"] == "/ar/accounts/login/?next=/ar/research/"
    documenter.set_password("a long enough password 1")
    documenter.save()
    logged_in = client.post(
        "/ar/accounts/login/",
        {"username": documenter.username, "password": "a long enough password 1"},
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == "/ar/"
    logged_out = client.post("/ar/accounts/logout/")
    assert logged_out["Location"] == "/ar/"


def test_redirects_after_a_post_keep_the_language(documenter, client_for):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    step = f"/testimonies/{draft.public_id}/record/account/"
    client = client_for(documenter)
    saved = client.post("/ar/accounts/settings/", {"time_zone": "Asia/Damascus"})
    assert saved["Location"] == "/ar/accounts/settings/"
    account = {
        "language": "en",
        "recorded_on": "2025-03-20",
        "narrative": "Gunmen came to the market at night.",
        "go": "next",
    }
    arabic = client.post("/ar" + step, account)
    assert arabic.status_code == 302
    assert arabic["Location"].startswith(f"/ar/testimonies/{draft.public_id}/")
    english = client.post(step, account)
    assert english["Location"].startswith(f"/testimonies/{draft.public_id}/")


def test_mailed_links_keep_the_language_they_were_asked_in(researcher):
    researcher.email = "researcher@example.org"
    researcher.save()
    answer = Client().post("/ar/accounts/password-reset/", {"email": researcher.email})
    assert answer["Location"] == "/ar/accounts/password-reset/sent/"
    (message,) = mail.outbox
    assert "/ar/accounts/reset/#" in message.body
    assert re.search(r"[\u0600-\u06ff]", message.body)


def test_an_invitation_link_keeps_the_moderators_language(moderator, client_for):
    client = client_for(moderator)
    response = client.post(
        "/ar/accounts/invite/",
        {"username": "newcomer", "email": "newcomer@example.org", "role": "researcher"},
    )
    assert response.status_code in (200, 302)
    (message,) = mail.outbox
    assert "/ar/accounts/invitation/#" in message.body


def test_public_pages_name_their_alternates(archive):
    page = Client().get("/ar/search/", {"q": "Banias"}).content.decode()
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/search/?q=Banias">'
        in page
    )
    assert (
        '<link rel="alternate" hreflang="ar" '
        'href="http://testserver/ar/search/?q=Banias">' in page
    )
    assert 'hreflang="x-default" href="http://testserver/search/?q=Banias"' in page
    testimony = archive["kusour"].get_absolute_url()
    assert 'hreflang="ar"' in Client().get(testimony).content.decode()


def test_signed_in_and_private_pages_name_no_alternates(
    archive, researcher, client_for
):
    assert "hreflang" not in Client().get("/accounts/login/").content.decode()
    client = client_for(researcher)
    for path in ("/search/", archive["researchers-only"].get_absolute_url()):
        assert "hreflang" not in client.get(path).content.decode()


def test_the_switcher_never_carries_what_a_form_posted(documenter):
    client = Client()
    page = client.post(
        "/ar/accounts/login/",
        {"username": "Ayman Fares", "password": "Ayman Fares 0999 111 222"},
    ).content.decode()
    switcher = page.split('class="language-switch"')[1].split("</form>")[0]
    assert 'name="next" value="/ar/accounts/login/"' in switcher
    assert "Ayman" not in switcher and "0999" not in switcher


def test_reversing_under_a_language_gives_its_prefix():
    with translation.override("ar"):
        assert reverse("search:page") == "/ar/search/"
        assert reverse("search-api:search") == "/api/search/"
        assert reverse("set_language") == "/i18n/setlang/"
    assert reverse("search:page") == "/search/"


@pytest.mark.parametrize(
    "role, verified",
    [
        ("anonymous", True),
        ("researcher", True),
        ("documenter", True),
        ("moderator", False),
        ("moderator", True),
    ],
)
def test_every_role_switches_language_and_keeps_the_page(
    users, client_for, role, verified
):
    client = client_for(users[role], verified=verified)
    for language, next_url, back in (
        (
            "ar",
            "/accounts/login/?next=/research/",
            "/ar/accounts/login/?next=/ar/research/",
        ),
        ("en", "/ar/search/?q=Banias", "/search/?q=Banias"),
    ):
        response = client.post(
            "/i18n/setlang/", {"language": language, "next": next_url}
        )
        assert response.status_code == 302 and response["Location"] == back
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
