"""The redaction preview and marks editor: the documenter's page
(testimonies:redaction) and the moderators' review page, each walked up the
ladder."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.review import testimony_submit
from testimonies.models import TestimonyStatus
from testimonies.redaction.marking import redaction_marks_set
from tests import factories

pytestmark = pytest.mark.django_db

NARRATIVE = "Abu Samer <b>drove</b> us out. Hassan Darwish stayed."


@pytest.fixture
def other_documenter(db):
    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


@pytest.fixture
def draft(documenter):
    return factories.testimony(
        status="draft",
        recorded_by=documenter,
        witness_name="Ayman Fares",
        narrative=NARRATIVE,
        translations={"ar": "أخرجنا أبو سامر. بقي حسن درويش."},
        persons_named=[["Hassan Darwish", "حسن درويش"]],
    )


@pytest.fixture
def submitted(draft, documenter):
    return testimony_submit(testimony=draft, user=documenter)


def url(testimony):
    return reverse("testimonies:redaction", kwargs={"public_id": testimony.public_id})


def review_url(testimony):
    return reverse("moderation:review", kwargs={"public_id": testimony.public_id})


def add(words, person=""):
    return {"save_marks": "1", "marks-add": words, "marks-person": person}


def marks_of(testimony):
    testimony.refresh_from_db()
    return testimony.redaction_marks


# testimonies:redaction, up the ladder


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_redaction_page_is_404_for_readers(draft, users, client_for, role):
    client = client_for(users[role])
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), add("Abu Samer")).status_code == 404
    assert marks_of(draft) == []


def test_redaction_page_is_404_for_another_documenter(
    draft, other_documenter, client_for
):
    client = client_for(other_documenter)
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), add("Abu Samer")).status_code == 404
    assert marks_of(draft) == []


def test_redaction_page_is_404_to_its_documenter_once_submitted(
    submitted, documenter, client_for
):
    client = client_for(documenter)
    assert client.get(url(submitted)).status_code == 404
    assert client.post(url(submitted), add("Abu Samer")).status_code == 404


def test_redaction_page_sends_an_unverified_moderator_to_the_second_factor(
    draft, moderator, client_for
):
    client = client_for(moderator, verified=False)
    for response in (client.get(url(draft)), client.post(url(draft), add("Samer"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor") + "?next=")
    assert marks_of(draft) == []
    assert not AuditEntry.objects.filter(action=AuditAction.READ_ORIGINAL).exists()


def test_redaction_page_for_the_recording_documenter(draft, documenter, client_for):
    response = client_for(documenter).get(url(draft))
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/testimony_redaction.html")
    body = response.content.decode()
    # Both columns, the text escaped, the names to go marked in the original
    assert '<mark class="name" title="[person 1]"><bdi>Hassan Darwish</bdi></mark>' in (
        body
    )
    assert '<mark class="placeholder"><bdi>[person 1]</bdi></mark>' in body
    assert "&lt;b&gt;drove&lt;/b&gt;" in body and "<b>drove" not in body
    # Each column says its language and direction
    assert 'lang="ar" dir="rtl"' in body and 'lang="en" dir="ltr"' in body
    assert response["Cache-Control"].startswith("max-age=0")
    (entry,) = AuditEntry.objects.filter(
        action=AuditAction.READ_ORIGINAL, target=draft.public_id
    )
    assert entry.actor == documenter and entry.detail == "redaction"


def test_the_documenter_marks_words_and_the_preview_shows_them(
    draft, documenter, client_for
):
    client = client_for(documenter)
    response = client.post(url(draft), add("abu sámer"))
    assert response.status_code == 302 and response["Location"] == url(draft)
    response = client.post(url(draft), add("أبو سامر", person="2"))
    assert marks_of(draft) == [{"spellings": ["abu sámer", "أبو سامر"], "person": None}]
    body = client.get(url(draft)).content.decode()
    assert '<mark class="name" title="[person 2]"><bdi>Abu Samer</bdi></mark>' in body
    assert '<mark class="name" title="[شخص 2]"><bdi>أبو سامر</bdi></mark>' in body
    assert '<mark class="placeholder"><bdi>[شخص 2]</bdi></mark>' in body


def test_unmarking_takes_the_words_out_of_the_marks(draft, documenter, client_for):
    redaction_marks_set(
        testimony=draft,
        marks=[{"spellings": ["Abu Samer", "أبو سامر"], "person": None}],
        user=documenter,
    )
    client = client_for(documenter)
    response = client.post(url(draft), {"save_marks": "1", "marks-remove": "Abu Samer"})
    assert response.status_code == 302
    assert marks_of(draft) == [{"spellings": ["أبو سامر"], "person": None}]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("Abu Samir", "does not occur in the narrative"),
        ("A", "at least two letters"),
        ("Hassan Darwish", None),  # fine: already redacted, harmless to mark
    ],
)
def test_a_bad_mark_is_refused_beside_the_field(
    draft, documenter, client_for, words, message
):
    response = client_for(documenter).post(url(draft), add(words))
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    body = response.content.decode()
    error = body.split('id="id_marks-add_error">')[1].split("</p>")[0]
    assert message in error
    assert f'value="{words}"' in body  # what was typed stays in the field
    assert marks_of(draft) == []


def test_marking_the_same_words_twice_is_refused(draft, documenter, client_for):
    client = client_for(documenter)
    client.post(url(draft), add("Abu Samer"))
    response = client.post(url(draft), add("ABU SAMER"))
    assert response.status_code == 200
    assert "marked already" in response.content.decode()


def test_redaction_page_for_a_verified_moderator(draft, moderator, client_for):
    client = client_for(moderator)
    assert client.get(url(draft)).status_code == 200
    assert client.post(url(draft), add("Abu Samer")).status_code == 302
    assert marks_of(draft) == [{"spellings": ["Abu Samer"], "person": None}]


# The review page's marks editor, up the ladder


@pytest.mark.parametrize(("role", "status"), [("researcher", 403), ("documenter", 403)])
def test_review_marks_are_closed_to_other_roles(
    submitted, users, client_for, role, status
):
    response = client_for(users[role]).post(review_url(submitted), add("Abu Samer"))
    assert response.status_code == status
    assert marks_of(submitted) == []


def test_review_marks_send_anonymous_to_log_in(submitted, client):
    response = client.post(review_url(submitted), add("Abu Samer"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert marks_of(submitted) == []


def test_review_marks_need_the_second_factor(submitted, moderator, client_for):
    client = client_for(moderator, verified=False)
    response = client.post(review_url(submitted), add("Abu Samer"))
    assert response["Location"].startswith(reverse("two-factor") + "?next=")
    assert marks_of(submitted) == []


def test_a_moderator_marks_words_on_the_review_page(submitted, moderator, client_for):
    client = client_for(moderator)
    body = client.get(review_url(submitted)).content.decode()
    assert 'name="marks-add"' in body and 'class="side-by-side"' in body
    response = client.post(review_url(submitted), add("Abu Samer"))
    assert response.status_code == 302
    assert response["Location"] == review_url(submitted)
    assert marks_of(submitted) == [{"spellings": ["Abu Samer"], "person": None}]
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED  # no decision taken
    body = client.get(review_url(submitted)).content.decode()
    assert '<mark class="placeholder"><bdi>[person 2]</bdi></mark>' in body
    assert 'name="marks-remove" value="Abu Samer"' in body


def test_a_bad_mark_on_the_review_page_is_shown_beside_the_field(
    submitted, moderator, client_for
):
    response = client_for(moderator).post(review_url(submitted), add("Abu Samir"))
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/review_detail.html")
    body = response.content.decode()
    assert 'id="id_marks-add_error"' in body
    assert 'id="id_comment_error"' not in body  # the decision was not posted
    assert marks_of(submitted) == []


def test_review_page_has_no_marks_editor_for_a_withdrawn_testimony(
    moderator, client_for
):
    testimony = factories.testimony(status="withdrawn", narrative=NARRATIVE)
    body = client_for(moderator).get(review_url(testimony)).content.decode()
    assert 'name="marks-add"' not in body and 'class="side-by-side"' in body


def test_links_lead_to_the_redaction_page(draft, documenter, client_for):
    client = client_for(documenter)
    assert url(draft) in client.get(draft.get_absolute_url()).content.decode()
    assert url(draft) in client.get(reverse("testimonies:mine")).content.decode()
