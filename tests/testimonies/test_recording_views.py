"""The recording pages, up the permission ladder, and their forms."""

import datetime

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.attachments.services import attachment_add
from testimonies.consent.services.consent import consent_record
from testimonies.models import Place, Testimony
from testimonies.vault.identity import identity_read
from tests import factories
from tests.leak_scan import captured_logs
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    metadata_problems,
    photo_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

START = reverse("testimonies:record-start")
PLACES = reverse("testimonies:place-search")
NAME = "Vesperine Hollquist"


def step_url(testimony, step):
    return reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": step},
    )


@pytest.fixture
def draft(documenter):
    return factories.testimony(status="draft", recorded_by=documenter, consent={})


@pytest.fixture
def other_draft(db):
    other = factories.UserFactory(username="other-documenter")
    from django.contrib.auth.models import Group

    other.groups.add(Group.objects.get(name="documenter"))
    return factories.testimony(status="draft", recorded_by=other, consent={})


def witness_post(**changes):
    data = {"name": NAME, "contact": "+963-955-100-200", "birth_year": "1944",
            "gender": "female", "community": "alawite", "go": "next"}  # fmt: skip
    data.update(changes)
    return data


# --- permissions: every new URL, every role --------------------------------


@pytest.mark.parametrize("url", [START, PLACES + "?q=Banias"])
def test_anonymous_is_sent_to_log_in(client_for, anonymous, url):
    response = client_for(anonymous).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_is_sent_to_log_in_from_a_step(client_for, anonymous, draft):
    response = client_for(anonymous).get(step_url(draft, "account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [START, PLACES + "?q=Banias"])
def test_researcher_is_refused(client_for, researcher, url):
    assert client_for(researcher).get(url).status_code == 403


def test_researcher_is_refused_a_step(client_for, researcher, draft):
    response = client_for(researcher).get(step_url(draft, "account"))
    assert response.status_code in (403, 404)
    assert b"Gunmen" not in response.content


@pytest.mark.parametrize("url", [START, PLACES + "?q=Banias"])
@pytest.mark.parametrize("role", ["documenter", "moderator"])
def test_recorders_open_the_start_and_the_place_search(client_for, users, role, url):
    assert client_for(users[role]).get(url).status_code == 200


@pytest.mark.parametrize("url", [START, PLACES + "?q=Banias"])
def test_moderator_without_second_factor_is_sent_to_give_it(client_for, moderator, url):
    response = client_for(moderator, verified=False).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two-factor"))


def test_moderator_without_second_factor_gives_it_before_a_step(
    client_for, moderator, draft
):
    response = client_for(moderator, verified=False).get(step_url(draft, "account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two-factor"))


STEPS = ["witness", "account", "when-where", "what", "media", "consent", "review"]


@pytest.mark.parametrize("step", STEPS)
def test_documenter_opens_every_step_of_their_own_draft(
    client_for, documenter, draft, step
):
    response = client_for(documenter).get(step_url(draft, step))
    assert response.status_code == 200
    assert f"testimonies/recording/step_{step.replace('-', '_')}.html" in [
        t.name for t in response.templates
    ]
    assert b'aria-current="step"' in response.content


@pytest.mark.parametrize("step", STEPS)
def test_someone_elses_draft_is_not_there(client_for, documenter, other_draft, step):
    client = client_for(documenter)
    assert client.get(step_url(other_draft, step)).status_code == 404
    assert client.post(step_url(other_draft, step), {"go": "stay"}).status_code == 404


@pytest.mark.parametrize("step", STEPS)
def test_moderator_opens_any_draft(client_for, moderator, other_draft, step):
    assert client_for(moderator).get(step_url(other_draft, step)).status_code == 200


def test_a_submitted_testimony_has_no_steps(client_for, documenter):
    submitted = factories.testimony(status="submitted", recorded_by=documenter)
    response = client_for(documenter).get(step_url(submitted, "account"))
    assert response.status_code == 404


def test_unknown_step_is_not_there(client_for, documenter, draft):
    assert client_for(documenter).get(step_url(draft, "nothing")).status_code == 404


# --- the steps ---------------------------------------------------------------


def test_first_step_creates_the_draft_and_shows_the_pseudonym(client_for, documenter):
    client = client_for(documenter)
    with captured_logs() as logs:
        response = client.post(START, witness_post(), follow=True)
    testimony = Testimony.objects.get(recorded_by=documenter)
    assert response.redirect_chain[-1][0] == step_url(testimony, "account")
    content = response.content.decode()
    assert testimony.witness.pseudonym in content
    assert NAME not in content and "1944" not in content
    assert identity_read(witness=testimony.witness).name == NAME
    assert not any(NAME.split()[1] in line for line in logs.lines)
    # Coming back to the step shows nothing of the identity.
    again = client.get(step_url(testimony, "witness")).content.decode()
    assert NAME not in again and "+963-955-100-200" not in again
    assert testimony.witness.pseudonym in again


def test_first_step_refuses_without_a_name_beside_the_field(client_for, documenter):
    response = client_for(documenter).post(START, witness_post(name=""))
    assert response.status_code == 200
    assert not Testimony.objects.exists()
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert 'href="#id_name"' in content
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_name_error"' in content
    assert 'id="id_name_error"' in content


def test_blank_identity_keeps_the_saved_one_but_a_part_is_refused(
    client_for, documenter
):
    client = client_for(documenter)
    client.post(START, witness_post())
    testimony = Testimony.objects.get()
    response = client.post(step_url(testimony, "witness"), {"go": "next", "name": ""})
    assert response.status_code == 302
    assert identity_read(witness=testimony.witness).name == NAME
    response = client.post(
        step_url(testimony, "witness"), {"go": "next", "contact": "new number"}
    )
    assert response.status_code == 200
    assert "saved whole" in response.content.decode()
    assert identity_read(witness=testimony.witness).contact == "+963-955-100-200"


def test_account_step_next_asks_for_the_narrative_back_saves_anyway(
    client_for, documenter, draft
):
    client = client_for(documenter)
    data = {"language": "en", "recorded_on": "2025-03-20", "narrative": "",
            "summary": "Started, not finished"}  # fmt: skip
    response = client.post(step_url(draft, "account"), {**data, "go": "next"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    draft.refresh_from_db()
    assert draft.summary == ""

    # The documenter goes back: what was typed is kept, the draft saved.
    response = client.post(step_url(draft, "account"), {**data, "go": "back"})
    assert response.status_code == 302
    assert response.url == step_url(draft, "witness")
    assert Testimony.objects.get(pk=draft.pk).summary == "Started, not finished"


def test_account_step_saves_a_draft_that_has_no_narrative_yet(client_for, documenter):
    client = client_for(documenter)
    client.post(START, witness_post())
    testimony = Testimony.objects.get()
    response = client.post(
        step_url(testimony, "account"),
        {"language": "ar", "recorded_on": "2025-03-20", "narrative": "",
         "summary": "Started", "go": "stay"},
    )  # fmt: skip
    assert response.status_code == 302
    testimony = Testimony.objects.get()
    assert testimony.summary == "Started"
    assert testimony.language == "ar"


def test_autosave_answers_json_and_saves(client_for, documenter, draft):
    response = client_for(documenter).post(
        step_url(draft, "account"),
        {"language": "en", "recorded_on": "2025-03-20", "narrative": "Half of it"},
        headers={"X-Recording-Autosave": "1"},
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert Testimony.objects.get(pk=draft.pk).narrative == "Half of it"


def test_autosave_reports_what_it_could_not_save(client_for, documenter, draft):
    response = client_for(documenter).post(
        step_url(draft, "when-where"),
        {"incident_precision": "day", "incident_start": "2025-13-45"},
        headers={"X-Recording-Autosave": "1"},
    )
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert "incident_start" in response.json()["errors"]


def test_a_neighbourhood_is_added_on_save_never_by_autosave(
    client_for, documenter, draft, coast
):
    draft.places.set([coast["banias"]])
    fields = {"incident_precision": "day", "places": ["banias"],
              "neighbourhood_name": "Hai Al Ja",
              "neighbourhood_parent": "banias"}  # fmt: skip
    client = client_for(documenter)
    autosaved = client.post(
        step_url(draft, "when-where"), fields, headers={"X-Recording-Autosave": "1"}
    )
    assert autosaved.status_code == 200 and autosaved.json()["saved"] is True
    assert not Place.objects.filter(name__startswith="Hai Al Ja").exists()
    fields["neighbourhood_name"] = "Hai Al Jamia"
    assert client.post(step_url(draft, "when-where"), fields).status_code == 302
    added = Place.objects.get(name__startswith="Hai Al Ja")
    assert added.name == "Hai Al Jamia" and added.parent == coast["banias"]


def test_the_identity_is_never_autosaved(client_for, documenter, draft):
    response = client_for(documenter).post(
        step_url(draft, "witness"),
        {"name": "Half A Na"},
        headers={"X-Recording-Autosave": "1"},
    )
    assert response.status_code == 400
    assert identity_read(witness=draft.witness).name == "Layla Haddad"


def test_when_where_resolves_typed_places_and_precision(
    client_for, documenter, draft, coast
):
    response = client_for(documenter).post(
        step_url(draft, "when-where"),
        {"incident_precision": "month", "incident_start": "٢٠٢٥-٠٣",
         "place_query": "Baniyas; جبلة", "go": "next"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == step_url(draft, "what")
    draft = Testimony.objects.get(pk=draft.pk)
    assert sorted(p.slug for p in draft.places.all()) == ["banias", "jableh"]
    assert draft.incident_start == datetime.date(2025, 3, 1)
    assert draft.incident_end == datetime.date(2025, 3, 31)


def test_unknown_place_is_an_error_beside_the_field(
    client_for, documenter, draft, coast
):
    response = client_for(documenter).post(
        step_url(draft, "when-where"),
        {"incident_precision": "day", "place_query": "Atlantis", "go": "next"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_place_query_error"' in content
    assert "Atlantis" in content
    assert not draft.places.exists()


def test_day_precision_needs_the_day(client_for, documenter, draft):
    response = client_for(documenter).post(
        step_url(draft, "when-where"),
        {"incident_precision": "day", "incident_start": "2025-03", "go": "next"},
    )
    assert response.status_code == 200
    assert "Give the day too" in response.content.decode()


def test_what_step_splits_persons_and_spellings(client_for, documenter, draft):
    response = client_for(documenter).post(
        step_url(draft, "what"),
        {"event_types": ["looting", "arson"], "communities": ["sunni"],
         "persons_named": "Samir; سمير\n\nAbu Ali\n", "go": "next"},
    )  # fmt: skip
    assert response.status_code == 302
    draft = Testimony.objects.get(pk=draft.pk)
    assert draft.persons_named == [["Samir", "سمير"], "Abu Ali"]
    assert sorted(e.slug for e in draft.event_types.all()) == ["arson", "looting"]


def test_consent_step_records_through_the_consent_service(
    client_for, documenter, draft
):
    response = client_for(documenter).post(
        step_url(draft, "consent"),
        {"archive": "on", "method": "oral", "obtained_by": "documenter",
         "obtained_on": "2025-03-20", "witness_is_minor": "no", "images": "researchers",
         "explained_purpose": "on", "explained_audience": "on",
         "explained_risks": "on", "explained_withdrawal": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == step_url(draft, "review")
    record = draft.consent_records.get()
    assert record.archive and not record.public
    assert AuditEntry.objects.filter(action="consent_recorded").exists()


def test_review_lists_every_step_and_submits(client_for, documenter, draft):
    consent_record(
        testimony=draft, scopes={"archive": True}, method="oral",
        obtained_by="documenter", obtained_on=datetime.date(2025, 3, 20),
    )  # fmt: skip
    client = client_for(documenter)
    page = client.get(step_url(draft, "review")).content.decode()
    for step in ("witness", "account", "when-where", "what", "media", "consent"):
        assert f'href="{step_url(draft, step)}"' in page
    assert "Layla Haddad" not in page  # the identity stays in the vault
    assert AuditEntry.objects.filter(action="read_original", target=draft.public_id)
    response = client.post(step_url(draft, "review"))
    assert response.status_code == 302
    assert response.url == reverse("testimonies:mine")
    assert Testimony.objects.get(pk=draft.pk).status == "submitted"


@committed_db
@pytest.mark.usefixtures("empty_media")
def test_review_lists_the_attachments_to_be_submitted(client_for, documenter):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    photo = attachment_add(
        testimony=draft,
        upload=upload(photo_bytes(), name="IMG_0031.jpg"),
        by=documenter,
        description="The street after the raid",
    )
    client = client_for(documenter)
    page = client.get(step_url(draft, "review")).content.decode()
    listed = page.split(f'id="review-attachment-{photo.public_id}"')[1].split("</li>")[
        0
    ]
    thumbnail = reverse(
        "testimonies:attachment-file",
        kwargs={"public_id": draft.public_id, "attachment_id": photo.public_id,
                "variant": "working-thumb"},
    )  # fmt: skip
    assert f'src="{thumbnail}"' in listed
    assert 'alt="The street after the raid"' in listed
    assert "Photo" in listed and filesizeformat(photo.size) in listed
    assert "IMG_0031.jpg" in listed
    served = client.get(thumbnail)
    assert served.status_code == 200
    assert metadata_problems(served.content) == []


def test_media_step_titles_the_panel_once(client_for, documenter, draft):
    page = client_for(documenter).get(step_url(draft, "media")).content.decode()
    assert page.count("Photos and documents</h2>") == 1
    assert '<section class="attachments-panel" aria-labelledby="step-title">' in page
    assert 'id="step-title"' in page
    assert 'name="file"' in page


def test_review_says_when_nothing_is_attached(client_for, documenter, draft):
    page = client_for(documenter).get(step_url(draft, "review")).content.decode()
    assert "No file is attached." in page
    assert "review-attachment-" not in page


def test_review_refuses_to_submit_without_consent(client_for, documenter, draft):
    client = client_for(documenter)
    response = client.post(step_url(draft, "review"), follow=True)
    assert "Record the witness" in response.content.decode()
    assert Testimony.objects.get(pk=draft.pk).status == "draft"


def test_my_testimonies_resumes_at_the_first_step_not_done(
    client_for, documenter, coast
):
    client = client_for(documenter)
    client.post(START, witness_post())
    testimony = Testimony.objects.get()
    client.post(
        step_url(testimony, "account"),
        {"language": "en", "recorded_on": "2025-03-20",
         "narrative": "They came at dawn.", "go": "next"},
    )  # fmt: skip
    page = client.get(reverse("testimonies:mine")).content.decode()
    assert f'href="{step_url(testimony, "when-where")}"' in page


def test_validation_messages_follow_the_interface_language(
    client_for, documenter, draft
):
    client = client_for(documenter)
    response = client.post(
        "/ar" + step_url(draft, "account"),
        {"language": "en", "recorded_on": "2025-03-20", "narrative": "",
         "go": "next"},
    )  # fmt: skip
    content = response.content.decode()
    assert 'lang="ar"' in content and 'dir="rtl"' in content
    assert "هذا الحقل مطلوب." in content
    assert "This field is required." not in content


# --- the place search ---------------------------------------------------------


@pytest.mark.parametrize("typed", ["Banias", "baniyas", "BANIAS", "بانياس"])
def test_place_search_finds_a_place_by_any_name_with_its_trail(
    client_for, documenter, coast, typed
):
    response = client_for(documenter).get(PLACES, {"q": typed})
    results = response.json()["results"]
    assert results[0]["slug"] == "banias"
    assert results[0]["trail"] == ["Banias", "Tartus Governorate"]


def test_place_search_shows_a_neighbourhood_under_its_town(
    client_for, documenter, coast
):
    results = client_for(documenter).get(PLACES, {"q": "kusour"}).json()["results"]
    assert results[0]["trail"] == ["Hai Al Kusour", "Banias", "Tartus Governorate"]


def test_place_search_names_places_in_arabic_for_arabic_readers(
    client_for, documenter, coast
):
    response = client_for(documenter).get("/ar" + PLACES, {"q": "Banias"})
    assert response.json()["results"][0]["trail"] == ["بانياس", "محافظة طرطوس"]


def test_place_search_with_nothing_typed_finds_nothing(client_for, documenter, coast):
    assert client_for(documenter).get(PLACES, {"q": " "}).json() == {"results": []}


def test_my_testimonies_reads_every_drafts_progress_at_once(client_for, documenter):
    """Resume opens each draft's first step not done: worked out for the
    whole list in a fixed number of queries, not a few more per draft."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(documenter)

    def queries_with(drafts):
        for _ in range(drafts):
            factories.testimony(status="draft", recorded_by=documenter)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("testimonies:mine"))
        assert page.status_code == 200
        return len(queries.captured_queries)

    queries_with(1)  # the session, the account: read the same either way
    assert queries_with(2) == queries_with(5)
