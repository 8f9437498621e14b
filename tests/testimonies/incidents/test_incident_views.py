"""The incident pages and API, walked up the permission ladder: anonymous,
researcher, documenter, another documenter, moderator without and with the
second factor.

The archive and its incidents are built once for the module; each test's
own writes roll back. Proposing an incident, with no incident built
before, is in test_incident_proposals.py."""

import pytest
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies.incidents.models import Incident, IncidentLink
from testimonies.incidents.services import incident_link
from testimonies.models import Place
from tests import factories
from tests.testimonies.incidents.incident_helpers import incident_proposed

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

LADDER = [
    "anonymous",
    "researcher",
    "documenter",
    "other-documenter",
    "moderator-unverified",
    "moderator",
]


@pytest.fixture
def ladder(users, client_for, db):
    from django.contrib.auth.models import Group

    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    people = {**users, "other-documenter": other, "moderator-unverified": None}

    def client(role):
        if role == "moderator-unverified":
            return client_for(users["moderator"], verified=False)
        user = people[role]
        return client_for(None if role == "anonymous" else user)

    return client


@pytest.fixture(scope="module")
def scene(archive_once, built_once):
    """tests/conftest.py's archive with a public incident (public testimony),
    a researchers-only one and an unlinked proposal, built once: each
    test's own writes (links, merges, an admin correction) roll back."""

    def build():
        coast = {place.slug: place for place in Place.objects.all()}
        moderator = factories.user_in("moderator")

        def link(incident, testimony):
            incident_link(
                user=moderator, incident=incident, testimony=testimony, role="describes"
            )

        public = incident_proposed(moderator, places=[coast["banias"]])
        link(public, archive_once["kusour"])
        link(public, archive_once["researchers-only"])
        researchers = incident_proposed(
            moderator, "Looting in Banias", places=[coast["banias"]]
        )
        link(researchers, archive_once["researchers-only"])
        unlinked = incident_proposed(
            moderator, "Jableh, proposed", places=[coast["jableh"]]
        )
        incidents = {"public": public, "researchers": researchers, "unlinked": unlinked}
        return {"coast": coast, "incidents": incidents}

    return built_once(build)


@pytest.fixture
def archive(archive_once):
    return archive_once


@pytest.fixture
def coast(scene):
    return scene["coast"]


@pytest.fixture
def incidents(scene):
    """The scene's incidents, read again for each test: a test that changes
    one (and refreshes it) leaves the next test's copy as built."""
    return {
        name: Incident.objects.get(pk=incident.pk)
        for name, incident in scene["incidents"].items()
    }


# role -> which incidents it sees on the list and the page
SEES = {
    "anonymous": {"public"},
    "researcher": {"public", "researchers"},
    "documenter": {"public", "researchers", "unlinked"},
    "other-documenter": {"public", "researchers", "unlinked"},
    # Until the second factor a moderator reads as a researcher.
    "moderator-unverified": {"public", "researchers"},
    "moderator": {"public", "researchers", "unlinked"},
}


@pytest.mark.parametrize("role", LADDER)
def test_list_page_and_api_show_what_the_role_may_see(incidents, ladder, role):
    client = ladder(role)
    response = client.get("/incidents/")
    assert response.status_code == 200
    assertTemplateUsed(response, "incidents/incident_list.html")
    assert 'data-facet="place"' in response.text
    assert 'data-facet="incident"' not in response.text
    shown = {name for name, i in incidents.items() if i.public_id in response.text}
    assert shown == SEES[role]
    api = client.get("/api/incidents/").json()
    assert {r["id"] for r in api["results"]} == {
        incidents[name].public_id for name in SEES[role]
    }
    assert api["count"] == len(SEES[role])


@pytest.mark.parametrize("role", LADDER)
def test_detail_page_and_api_are_404_for_an_incident_the_role_may_not_see(
    incidents, ladder, role
):
    client = ladder(role)
    for name, incident in incidents.items():
        page = client.get(f"/incidents/{incident.public_id}/")
        api = client.get(f"/api/incidents/{incident.public_id}/")
        expected = 200 if name in SEES[role] else 404
        assert (page.status_code, api.status_code) == (expected, expected), name


def test_the_page_lists_only_visible_testimonies_and_counts_witnesses(
    incidents, archive, ladder
):
    public = incidents["public"]
    anonymous = ladder("anonymous").get(f"/incidents/{public.public_id}/")
    assert archive["kusour"].public_id in anonymous.text
    assert archive["researchers-only"].public_id not in anonymous.text
    assert "Described by 1 witness" in anonymous.text
    data = ladder("anonymous").get(f"/api/incidents/{public.public_id}/").json()
    assert data["corroboration"]["witnesses"] == 1
    assert [t["id"] for t in data["testimonies"]] == [archive["kusour"].public_id]
    researcher = ladder("researcher").get(f"/api/incidents/{public.public_id}/")
    assert researcher.json()["corroboration"]["witnesses"] == 2


@pytest.mark.parametrize("role", LADDER)
def test_who_may_link_and_unlink_which_testimony(incidents, archive, ladder, role):
    """The recording documenter links their own testimony; moderators any;
    everyone else gets a 404 (never a 403 that confirms the testimony)."""
    incident = incidents["unlinked"]
    own = archive["submitted-own"]
    client = ladder(role)
    response = client.post(
        f"/incidents/{incident.public_id}/link/",
        {"testimony": own.public_id, "role": "describes"},
    )
    linked = IncidentLink.objects.filter(incident=incident, testimony=own).exists()
    allowed = role in ("documenter", "moderator")
    assert linked == allowed
    if role == "moderator-unverified":
        assert response.status_code == 302 and "two-factor" in response["Location"]
    else:
        assert response.status_code == (302 if allowed else 404)
    if allowed:
        assert AuditEntry.objects.filter(
            action="incident_linked", target=incident.public_id
        ).exists()
        response = client.post(
            f"/incidents/{incident.public_id}/unlink/", {"testimony": own.public_id}
        )
        assert response.status_code == 302
        assert not IncidentLink.objects.filter(incident=incident).exists()


@pytest.mark.parametrize("role", LADDER)
def test_only_verified_moderators_confirm_merge_and_split(
    incidents, archive, ladder, role
):
    client = ladder(role)
    public, researchers = incidents["public"], incidents["researchers"]
    confirm = client.post(f"/incidents/{public.public_id}/confirm/")
    split = client.post(
        f"/incidents/{public.public_id}/split/",
        {
            "testimonies": [archive["kusour"].public_id],
            "title": "Kusour alone",
            "title_ar": "القصور وحده",
        },
    )
    merge = client.post(
        f"/incidents/{researchers.public_id}/merge/", {"into": public.public_id}
    )
    public.refresh_from_db()
    researchers.refresh_from_db()
    if role == "moderator":
        assert public.status == "confirmed"
        assert Incident.objects.filter(title="Kusour alone").exists()
        assert researchers.merged_into == public
        assert merge["Location"] == public.get_absolute_url()
        redirected = client.get(f"/incidents/{researchers.public_id}/")
        assert redirected.status_code == 302
        assert redirected["Location"] == public.get_absolute_url()
    else:
        assert public.status == "proposed" and researchers.merged_into is None
        assert not Incident.objects.filter(title="Kusour alone").exists()
        expected = {"anonymous": 302, "moderator-unverified": 302}.get(role, 403)
        for response in (confirm, split, merge):
            assert response.status_code == expected


def test_the_moderator_page_offers_suggestions_and_one_click_links(
    incidents, archive, ladder
):
    incident = incidents["unlinked"]
    response = ladder("moderator").get(f"/incidents/{incident.public_id}/")
    assert 'id="suggested-links"' in response.text
    assert 'id="incident-map-timeline"' in response.text
    researcher = ladder("researcher").get(
        f"/incidents/{incidents['public'].public_id}/"
    )
    assert 'id="suggested-links"' not in researcher.text
    assert "Confirm the incident" not in researcher.text


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "place=atlantis",
        "event_type=nothing",
        "colour=red",
        "date_from=2025-03-09&date_to=2025-03-01",
    ],
)
def test_the_api_answers_400_json_on_bad_parameters(incidents, client, query):
    response = client.get(f"/api/incidents/?{query}")
    assert response.status_code == 400
    assert "error" in response.json() and "fields" in response.json()


def test_a_bad_date_on_the_list_page_is_tied_to_its_field(incidents, client):
    """The list page's filter panel is the search page's: a date it refuses
    is marked on the field and points to its message."""
    page = client.get("/incidents/?date_from=1st+of+March").content.decode()
    assert 'id="id_date_from_error"' in page
    assert 'aria-invalid="true" aria-describedby="id_date_from_error"' in page
    assert 'id="incident-filters"' in page


def test_the_api_pages_and_filters_like_the_search(incidents, client, coast):
    first = client.get("/api/incidents/?page_size=1").json()
    assert (first["count"], first["pages"], len(first["results"])) == (1, 1, 1)
    assert client.get("/api/incidents/?page=5").status_code == 404
    assert client.get("/api/incidents/?place=jableh").json()["count"] == 0
    facets = client.get("/api/incidents/").json()["facets"]
    assert {e["slug"]: e["count"] for e in facets["place"]}["banias"] == 1
    assert (
        client.get(f"/api/incidents/{incidents['public'].public_id}/?x=1").status_code
        == 400
    )


def test_the_review_page_suggests_incidents_and_links_in_one_click(
    incidents, archive, ladder
):
    submitted = archive["submitted-own"]  # Banias, 7-9 March 2025
    client = ladder("moderator")
    review = f"/moderation/{submitted.public_id}/"
    response = client.get(review)
    assert response.status_code == 200
    assert "Incidents it may describe" in response.text
    public = incidents["public"]
    assert f"/incidents/{public.public_id}/link/" in response.text
    linked = client.post(
        f"/incidents/{public.public_id}/link/",
        {"testimony": submitted.public_id, "role": "describes", "next": review},
    )
    assert linked.status_code == 302 and linked["Location"] == review
    assert IncidentLink.objects.filter(incident=public, testimony=submitted).exists()
    # An address elsewhere is never followed.
    elsewhere = client.post(
        f"/incidents/{public.public_id}/link/",
        {
            "testimony": submitted.public_id,
            "role": "mentions",
            "next": "https://evil.example/",
        },
    )
    assert elsewhere["Location"] == public.get_absolute_url()


def test_the_testimony_page_names_its_incidents_as_the_reader_may_see_them(
    incidents, archive, ladder
):
    page = ladder("anonymous").get(archive["kusour"].get_absolute_url())
    assert incidents["public"].get_absolute_url() in page.text


@pytest.mark.parametrize("role", LADDER)
def test_only_verified_moderators_unlink_others_testimonies(
    incidents, archive, ladder, role
):
    public = incidents["public"]
    kusour = archive["kusour"]
    response = ladder(role).post(
        f"/incidents/{public.public_id}/unlink/", {"testimony": kusour.public_id}
    )
    still = IncidentLink.objects.filter(incident=public, testimony=kusour).exists()
    assert still == (role != "moderator")
    expected = {"moderator": 302, "moderator-unverified": 302}.get(role, 404)
    assert response.status_code == expected


def test_a_moderator_corrects_an_incident_in_the_admin_and_it_is_audited(
    incidents, ladder, coast
):
    incident = incidents["unlinked"]
    client = ladder("moderator")
    url = f"/admin/testimonies/incident/{incident.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Jableh, 6 March",
            "title_ar": "جبلة، 6 آذار",
            "summary": "",
            "summary_ar": "",
            "start": "2025-03-06",
            "end": "2025-03-06",
            "precision": "day",
            "places": [coast["jableh"].pk],
        },
    )
    assert response.status_code == 302, response.content[:2000]
    incident.refresh_from_db()
    assert incident.title == "Jableh, 6 March"
    assert AuditEntry.objects.filter(
        action="incident_edited", target=incident.public_id
    ).exists()
    assert ladder("researcher").get(url).status_code in (302, 403)


@pytest.mark.parametrize("role", ["anonymous", "researcher", "moderator"])
def test_the_incident_page_carries_its_citation(incidents, ladder, role):
    from django.utils import timezone
    from django.utils.formats import date_format

    incident = incidents["public"]
    body = ladder(role).get(incident.get_absolute_url()).text
    today = date_format(timezone.localdate(), "j F Y")
    citation = (
        f"Incident {incident.public_id}, “{incident.title}”, Eyewitness testimony "
        f"archive, version of {today}, "
        f"http://testserver/incidents/{incident.public_id}/, accessed {today}"
    )
    assert f'id="citation-text" dir="auto">{citation}</p>' in body
    assert "Cite this incident" in body and "js/citation.js" in body


def test_the_incident_citation_is_in_the_readers_language(incidents, client):
    incident = incidents["public"]
    body = client.get("/ar" + incident.get_absolute_url()).text
    assert (
        f"الحدث {incident.public_id}، «{incident.title_ar or incident.title}»، " in body
    )
    assert "الاستشهاد بهذا الحدث" in body
