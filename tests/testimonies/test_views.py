"""Every page, walked up the permission ladder: anonymous, researcher,
documenter, moderator."""

import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from tests import factories
from tests.markers import committed_db

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "researcher", "documenter", "moderator"]


@pytest.fixture
def kinds(documenter):
    """One testimony of each kind of visibility."""
    with factories.together():
        return {
            "public": factories.testimony(
                witness_name="Ayman Fares",
                narrative="I am Ayman Fares. Samir hid us in Banias.",
                persons_named=["Samir"],
            ),
            "researchers": factories.testimony(
                consent={"archive": True, "researchers": True}
            ),
            "own-submitted": factories.testimony(
                status="submitted",
                recorded_by=documenter,
                narrative="Layla Haddad saw the fire from her balcony.",
            ),
            "withdrawn": factories.testimony(status="withdrawn", consent={}),
            "own-withdrawn": factories.testimony(
                status="withdrawn", consent={}, recorded_by=documenter
            ),
            "embargoed": factories.testimony(
                consent={"archive": True, "public": True, "embargo_until": "2099-01-01"}
            ),
        }


DETAIL_STATUS = {
    "anonymous": {"public": 200},
    "researcher": {"public": 200, "researchers": 200},
    "documenter": {"public": 200, "researchers": 200, "own-submitted": 200},
    "moderator": {
        "public": 200, "researchers": 200, "own-submitted": 200, "withdrawn": 200,
        "own-withdrawn": 200, "embargoed": 200,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_detail_page_answers_404_for_anything_not_visible(
    kinds, users, client_for, role
):
    client = client_for(users[role])
    for kind, testimony in kinds.items():
        response = client.get(testimony.get_absolute_url())
        assert response.status_code == DETAIL_STATUS[role].get(kind, 404), kind
        if response.status_code == 200:
            assertTemplateUsed(response, "testimonies/testimony_detail.html")
            assert response["Cache-Control"].startswith("max-age=0")


def test_unknown_public_id_is_404_like_a_hidden_one(users, client_for):
    response = client_for(users["anonymous"]).get("/testimonies/doesnotexist1/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_redacted_for_everyone_by_default(kinds, users, client_for, role):
    testimony = kinds["public"]
    body = client_for(users[role]).get(testimony.get_absolute_url()).content.decode()
    assert "Ayman" not in body and "Fares" not in body and "Samir" not in body
    assert f"[{testimony.witness.pseudonym}]" in body and "[person 1]" in body


@pytest.mark.parametrize(
    ("role", "may"),
    [("anonymous", False), ("researcher", False), ("documenter", False),
     ("moderator", True)],
)  # fmt: skip
def test_original_text_only_for_allowed_roles_and_logged(
    kinds, users, client_for, role, may
):
    testimony = kinds["public"]
    url = testimony.get_absolute_url() + "?original=1"
    body = client_for(users[role]).get(url).content.decode()
    assert ("Ayman Fares" in body) is may
    logged = AuditEntry.objects.filter(
        action="read_original", target=testimony.public_id
    )
    assert logged.count() == (1 if may else 0)
    if may:
        assert logged.get().actor == users[role]


def test_recording_documenter_may_read_own_original(kinds, users, client_for):
    testimony = kinds["own-submitted"]
    body = (
        client_for(users["documenter"])
        .get(testimony.get_absolute_url() + "?original=1")
        .content.decode()
    )
    assert "Layla Haddad" in body
    assert AuditEntry.objects.get(action="read_original").actor == users["documenter"]


@pytest.mark.parametrize("role", ROLES)
def test_consent_history_only_for_moderators(kinds, users, client_for, role):
    body = (
        client_for(users[role]).get(kinds["public"].get_absolute_url()).content.decode()
    )
    assert ("consent-table" in body) is (role == "moderator")


@pytest.mark.parametrize("role", ROLES)
def test_home_page_counts_what_the_role_may_see(kinds, users, client_for, role):
    response = client_for(users[role]).get("/")
    assert response.status_code == 200
    assertTemplateUsed(response, "home.html")
    assert response.context["overview"].visible_count == len(DETAIL_STATUS[role])
    assert "Ayman" not in response.content.decode()


@committed_db  # the index is written after commit
@pytest.mark.parametrize("role", ROLES)
def test_search_page_lists_what_the_role_may_see(kinds, users, client_for, role):
    response = client_for(users[role]).get("/search/")
    assert response.status_code == 200
    assertTemplateUsed(response, "search/search.html")
    found = {hit.testimony.public_id for hit in response.context["outcome"].hits}
    indexable = {"public", "researchers", "own-submitted", "embargoed"}
    expected = {kinds[k].public_id for k in DETAIL_STATUS[role] if k in indexable}
    assert found == expected
    assert "Ayman" not in response.content.decode()


def test_search_page_shows_form_errors_instead_of_failing(users, client_for):
    response = client_for(users["anonymous"]).get("/search/?place=atlantis")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown value: atlantis" in body
    # ...and answers what it can: the search without that place.
    assert response.context["outcome"] is not None
    assert "These results leave out what could not be used." in body


@pytest.mark.parametrize("role", ROLES)
def test_login_page_for_every_role(users, client_for, role):
    response = client_for(users[role]).get("/accounts/login/")
    if role == "anonymous":
        assert response.status_code == 200
        assertTemplateUsed(response, "registration/login.html")
    else:
        assert response.status_code == 302  # already logged in


def test_logging_in_and_out(users, client):
    response = client.post(
        "/accounts/login/",
        {"username": "researcher", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "researcher"
    assert client.get("/accounts/logout/").status_code == 405  # POST only
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("researcher", 302), ("documenter", 302), ("moderator", 200)],
)
def test_admin_is_for_moderators_only(
    kinds, users, client_for, verified_client_for, role, status
):
    # Moderators with a verified second factor (the admin shows originals);
    # without one, see tests/archive/test_two_factor.py.
    make_client = verified_client_for if role == "moderator" else client_for
    client = make_client(users[role])
    models = ["testimony", "witness", "consentrecord", "place", "community"]
    lists = [f"/admin/testimonies/{model}/" for model in [*models, "eventtype"]]
    for url in ["/admin/", *lists, "/admin/archive/auditentry/"]:
        response = client.get(url)
        assert response.status_code == status
        if status == 302:
            assert response["Location"].startswith("/admin/login/")
    if role == "moderator":
        change = client.get(
            f"/admin/testimonies/testimony/{kinds['public'].pk}/change/"
        )
        assert change.status_code == 200
        assert "consent" in change.content.decode().lower()
        # The account is sealed and never an admin field: the original is
        # read on the testimony page, where each reading is logged.
        narrative = kinds["public"].narrative
        assert narrative and narrative not in change.content.decode()
        assert not AuditEntry.objects.filter(action="read_original").exists()
        records = client.get("/admin/testimonies/consentrecord/").content.decode()
        # Append-only rows are read in the list: no link names a row's key.
        assert not re.search(r"consentrecord/\d+/", records)
        witnesses = client.get("/admin/testimonies/witness/").content.decode()
        assert "Ayman" not in witnesses


def test_staff_flag_alone_does_not_open_the_admin(users, client_for):
    users["researcher"].is_staff = True
    users["researcher"].save()
    assert client_for(users["researcher"]).get("/admin/").status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_language_switch_for_every_role(users, client_for, role):
    client = client_for(users[role])
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/ar/"
    page = client.get(response["Location"])
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_logout_for_every_role(users, client_for, role):
    client = client_for(users[role])
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not client.get("/").context["user"].is_authenticated


def test_not_found_page_says_nothing_about_existence(users, client_for, settings):
    settings.DEBUG = False
    response = client_for(users["anonymous"]).get("/testimonies/abcdefghjkmnp/")
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assert (
        "may not exist, or it may not be shared with you" in response.content.decode()
    )


# Every page of one testimony, by its public id.
TESTIMONY_PAGES = [
    "/testimonies/{}/",
    "/testimonies/{}/consent/",
    "/testimonies/{}/withdraw/",
    "/testimonies/{}/erase/",
    "/testimonies/{}/identity/",
    "/testimonies/{}/redaction/",
    "/testimonies/{}/attachments/",
    "/testimonies/{}/record/account/",
    "/moderation/{}/",
]


def _anonymised(response, public_id: str) -> str:
    """The page with what differs from one request to the next taken out:
    the address asked for (in the language switch) and the CSRF token."""
    body = response.content.decode().replace(public_id, "<id>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


@pytest.mark.parametrize("role", ["anonymous", "researcher", "documenter"])
def test_a_hidden_testimony_answers_every_page_as_one_that_never_existed(
    users, client_for, moderator, role
):
    hidden = factories.testimony(status="draft", consent={}, recorded_by=moderator)
    missing = "abcdefghjkmnp"
    client = client_for(users[role])
    for page in TESTIMONY_PAGES:
        seen = client.get(page.format(hidden.public_id))
        never = client.get(page.format(missing))
        assert seen.status_code == never.status_code, page
        # A role that may never open such a page is told so (403) or sent to
        # log in (302), whatever the address.
        assert seen.status_code in (302, 403, 404), page
        assert _anonymised(seen, hidden.public_id) == _anonymised(never, missing), page
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")


@pytest.mark.parametrize("role", ROLES)
def test_the_page_carries_its_citation_for_every_role_that_may_read_it(
    kinds, users, client_for, role
):
    testimony = kinds["public"]
    body = client_for(users[role]).get(testimony.get_absolute_url()).content.decode()
    today = date_format(timezone.localdate(), "j F Y")
    citation = (
        f"Testimony {testimony.public_id}, Eyewitness testimony archive, recorded "
        f"1 April 2025, version of {today}, "
        f"http://testserver/testimonies/{testimony.public_id}/, accessed {today}"
    )
    assert f'id="citation-text" dir="auto">{citation}</p>' in body
    assert 'class="secondary copy-citation"' in body and "js/citation.js" in body
    # Read with names (a moderator's original): the same citation, never
    # the address with ?original=1.
    original = client_for(users[role]).get(testimony.get_absolute_url() + "?original=1")
    assert citation in original.content.decode()


def test_the_citation_is_in_the_readers_language(kinds, client):
    testimony = kinds["public"]
    body = client.get("/ar" + testimony.get_absolute_url()).content.decode()
    assert f"الشهادة {testimony.public_id}، " in body
    assert "الاستشهاد بهذه الشهادة" in body
