"""Submitting and reviewing: the services, the diff, the queue and the
review page walked up the ladder, and what a decision does downstream."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.review_diff import DELETED, EQUAL, INSERTED, Piece, text_pieces
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.review import (
    testimony_approve,
    testimony_send_back,
    testimony_submit,
)
from testimonies.models import (
    Community,
    Review,
    ReviewedVersion,
    TestimonyStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(documenter, coast):
    return factories.testimony(
        status="draft",
        recorded_by=documenter,
        witness_name="Ayman Fares",
        narrative="I am Ayman Fares. Gunmen came to our street in Banias.",
        places=[coast["banias"]],
        persons_named=["Samir"],
    )


@pytest.fixture
def submitted(draft, documenter):
    return testimony_submit(testimony=draft, user=documenter)


def audit(action, testimony):
    return AuditEntry.objects.filter(action=action, target=testimony.public_id)


# Services


def test_submitting_a_draft_puts_it_in_the_queue(draft, documenter):
    testimony = testimony_submit(testimony=draft, user=documenter)
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.SUBMITTED
    assert testimony.submitted_at is not None
    (entry,) = audit(AuditAction.SUBMITTED, draft)
    assert entry.actor == documenter


def test_submitting_needs_consent_to_keep_it_in_the_archive(documenter):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    with pytest.raises(ValidationError) as caught:
        testimony_submit(testimony=draft, user=documenter)
    assert caught.value.code == "consent_missing"
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.DRAFT


@pytest.mark.parametrize("status", ["submitted", "approved", "withdrawn"])
def test_only_drafts_and_sent_back_testimonies_can_be_submitted(documenter, status):
    testimony = factories.testimony(status=status, recorded_by=documenter)
    with pytest.raises(ValidationError) as caught:
        testimony_submit(testimony=testimony, user=documenter)
    assert caught.value.code == "not_submittable"


def test_approving_keeps_the_decision_and_the_version(submitted, moderator):
    review = testimony_approve(testimony=submitted, reviewer=moderator)
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.APPROVED
    assert review.decision == "approved" and review.reviewer == moderator
    assert review.version.narrative == submitted.narrative
    assert review.version.places == ["banias"]
    assert review.version.persons_named == ["Samir"]
    (entry,) = audit(AuditAction.APPROVED, submitted)
    assert entry.actor == moderator


def test_approving_needs_a_submitted_testimony(draft, moderator):
    with pytest.raises(ValidationError) as caught:
        testimony_approve(testimony=draft, reviewer=moderator)
    assert caught.value.code == "not_submitted"
    assert not Review.objects.exists()


def test_approving_needs_consent_in_force(submitted, moderator):
    consent_withdraw(
        testimony=submitted, scopes=["researchers"], reason="asked", obtained_by="x"
    )
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED  # archive still granted
    consent_withdraw(
        testimony=submitted, scopes=["archive"], reason="asked", obtained_by="x"
    )
    with pytest.raises(ValidationError):
        testimony_approve(testimony=submitted, reviewer=moderator)


def test_sending_back_needs_a_comment(submitted, moderator):
    with pytest.raises(ValidationError) as caught:
        testimony_send_back(testimony=submitted, reviewer=moderator, comment="  ")
    assert "comment" in caught.value.error_dict
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_sending_back_keeps_the_comment_out_of_the_audit_log(submitted, moderator):
    comment = "Samir's surname is in paragraph two; add it to persons named."
    review = testimony_send_back(
        testimony=submitted, reviewer=moderator, comment=comment
    )
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SENT_BACK
    assert review.version.comment == comment
    (entry,) = audit(AuditAction.SENT_BACK, submitted)
    assert "Samir" not in entry.detail


def test_erasure_can_delete_the_reviewed_version_but_not_the_decision(
    submitted, moderator
):
    review = testimony_approve(testimony=submitted, reviewer=moderator)
    with pytest.raises(ValidationError):
        review.delete()
    ReviewedVersion.objects.filter(testimony=submitted).delete()
    assert Review.objects.filter(pk=review.pk).exists()
    assert not ReviewedVersion.objects.exists()


# The diff


def test_text_pieces_mark_words_inserted_and_deleted():
    pieces = text_pieces("Gunmen came at night.", "Gunmen came at dawn.")
    assert pieces == [
        Piece(EQUAL, "Gunmen came at "),
        Piece(DELETED, "night"),
        Piece(INSERTED, "dawn"),
        Piece(EQUAL, "."),
    ]


def test_text_pieces_join_neighbouring_changes():
    pieces = text_pieces("street in Banias.", "street at dawn.")
    assert pieces == [
        Piece(EQUAL, "street "),
        Piece(DELETED, "in Banias"),
        Piece(INSERTED, "at dawn"),
        Piece(EQUAL, "."),
    ]


def test_text_pieces_keep_arabic_words_whole():
    pieces = text_pieces("سمعنا إطلاق النار", "سمعنا إطلاق الرصاص")
    assert Piece(DELETED, "النار") in pieces and Piece(INSERTED, "الرصاص") in pieces


# The queue, up the ladder


QUEUE = reverse("moderation:queue", urlconf="archive.urls")


def review_url(testimony):
    return reverse("moderation:review", kwargs={"public_id": testimony.public_id})


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_queue_is_forbidden_to_other_roles(users, client_for, role):
    assert client_for(users[role]).get(QUEUE).status_code == 403


def test_queue_sends_anonymous_to_log_in(client_for, anonymous):
    response = client_for(anonymous).get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_sends_an_unverified_moderator_to_the_second_factor(
    moderator, client_for
):
    response = client_for(moderator, verified=False).get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor") + "?next=")


def test_queue_lists_submitted_testimonies_oldest_first(
    documenter, moderator, verified_client_for, coast
):
    first = factories.testimony(status="draft", recorded_by=documenter)
    second = factories.testimony(
        status="draft",
        recorded_by=documenter,
        places=[coast["jableh"]],
        consent={
            "archive": True,
            "researchers": True,
            "embargo_until": "2031-05-01",
        },  # fmt: skip
    )
    factories.testimony(status="approved")  # not waiting
    testimony_submit(testimony=second, user=documenter)
    testimony_submit(testimony=first, user=documenter)
    response = verified_client_for(moderator).get(QUEUE)
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/review_queue.html")
    queued = [e.testimony.public_id for e in response.context["queue"]]
    assert queued == [second.public_id, first.public_id]
    body = response.content.decode()
    assert second.witness.pseudonym in body and "Jableh" in body
    assert "1 May 2031" in body  # the embargo, in the consent summary
    assert "Shared with researchers" in body
    assert "Layla" not in body  # the witness's name never


# The review page, up the ladder


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_review_page_is_forbidden_to_other_roles(submitted, users, client_for, role):
    client = client_for(users[role])
    assert client.get(review_url(submitted)).status_code == 403
    response = client.post(review_url(submitted), {"decision": "approved"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_review_page_sends_anonymous_to_log_in(submitted, client_for, anonymous):
    response = client_for(anonymous).post(
        review_url(submitted), {"decision": "approved"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_review_page_sends_an_unverified_moderator_to_the_second_factor(
    submitted, moderator, client_for
):
    client = client_for(moderator, verified=False)
    response = client.post(review_url(submitted), {"decision": "approved"})
    assert response["Location"].startswith(reverse("two-factor") + "?next=")
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_review_page_of_an_unknown_id_is_404(moderator, verified_client_for):
    client = verified_client_for(moderator)
    url = reverse("moderation:review", kwargs={"public_id": "doesnotexist1"})
    assert client.get(url).status_code == 404


def test_first_review_shows_new_both_texts_and_records_the_reading(
    submitted, moderator, verified_client_for
):
    response = verified_client_for(moderator).get(review_url(submitted))
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/review_detail.html")
    body = response.content.decode()
    assert "Never reviewed before" in body
    assert f"[{submitted.witness.pseudonym}]" in body  # the redacted text
    # and the original, the name to be replaced marked in it
    assert 'I am <mark class="name" title="[' in body
    assert "<bdi>Ayman Fares</bdi></mark>. Gunmen came" in body
    assert f'href="/testimonies/{submitted.public_id}/withdraw/"' in body
    (entry,) = audit(AuditAction.READ_ORIGINAL, submitted)
    assert entry.actor == moderator and entry.detail == "review"


def test_review_page_shows_what_changed_since_the_last_review_escaped(
    submitted, documenter, moderator, verified_client_for, coast
):
    testimony_send_back(testimony=submitted, reviewer=moderator, comment="Dates?")
    submitted.refresh_from_db()
    submitted.narrative = "I am Ayman Fares. <b>Gunmen</b> came to our street at dawn."
    submitted.translations = {"ar": "جاء مسلحون إلى شارعنا."}
    submitted.save()
    submitted.places.add(coast["jableh"])
    submitted.communities.remove(Community.objects.get(slug="alawite"))
    testimony_submit(testimony=submitted, user=documenter)
    response = verified_client_for(moderator).get(review_url(submitted))
    body = response.content.decode()
    assert "<ins>&lt;b&gt;</ins>Gunmen<ins>&lt;/b&gt;</ins>" in body  # escaped
    assert "<del>in Banias</del>" in body and "<ins>at dawn</ins>" in body
    assert "<ins>جاء مسلحون إلى شارعنا.</ins>" in body
    assert "<ins><bdi>Jableh</bdi></ins>" in body
    assert "<del><bdi>Alawite</bdi></del>" in body
    assert "Dates?" in body  # the earlier decision, with its comment


def test_unchanged_resubmission_says_so(
    submitted, documenter, moderator, verified_client_for
):
    testimony_send_back(testimony=submitted, reviewer=moderator, comment="Check it.")
    testimony_submit(testimony=submitted, user=documenter)
    body = verified_client_for(moderator).get(review_url(submitted)).content.decode()
    assert "Nothing has changed since the last review." in body
    assert "<ins>" not in body and "<del>" not in body


def test_send_back_without_a_comment_shows_the_error_beside_it(
    submitted, moderator, verified_client_for
):
    response = verified_client_for(moderator).post(
        review_url(submitted), {"decision": "sent_back", "comment": " "}
    )
    assert response.status_code == 200
    assert 'id="id_comment_error"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_deciding_on_a_testimony_not_waiting_is_refused(
    draft, moderator, verified_client_for
):
    response = verified_client_for(moderator).post(
        review_url(draft), {"decision": "approved"}
    )
    assert response.status_code == 200
    assert "not waiting for review" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.DRAFT


def test_send_back_shows_the_comment_to_the_documenter(
    submitted, documenter, moderator, verified_client_for, client_for
):
    response = verified_client_for(moderator).post(
        review_url(submitted),
        {"decision": "sent_back", "comment": "Add the date of the raid."},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    body = client_for(documenter).get(reverse("testimonies:mine")).content.decode()
    assert "Sent back for changes" in body
    assert "Add the date of the raid." in body
    assert reverse("testimonies:submit", args=[submitted.public_id]) in body


# My testimonies, up the ladder


MINE = reverse("testimonies:mine", urlconf="archive.urls")


def test_mine_sends_anonymous_to_log_in(client_for, anonymous):
    response = client_for(anonymous).get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["researcher"])
def test_mine_is_forbidden_to_readers(users, client_for, role):
    assert client_for(users[role]).get(MINE).status_code == 403


def test_mine_is_for_documenters_not_moderators(moderator, verified_client_for):
    assert verified_client_for(moderator).get(MINE).status_code == 403


def test_mine_lists_only_own_visible_testimonies(draft, documenter, client_for):
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    theirs = factories.testimony(status="draft", recorded_by=other)
    withdrawn = factories.testimony(
        status="withdrawn", consent={}, recorded_by=documenter
    )
    without_consent = factories.testimony(
        status="draft", recorded_by=documenter, consent={}
    )
    response = client_for(documenter).get(MINE)
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/testimony_mine.html")
    listed = {row.testimony.public_id for row in response.context["rows"]}
    assert listed == {draft.public_id, without_consent.public_id}
    assert theirs.public_id not in listed and withdrawn.public_id not in listed
    body = response.content.decode()
    assert reverse("testimonies:submit", args=[draft.public_id]) in body
    assert reverse("testimonies:submit", args=[without_consent.public_id]) not in body
    assert reverse("testimonies:consent", args=[without_consent.public_id]) in body


# Submitting through the page, up the ladder


def submit_url(testimony):
    return reverse("testimonies:submit", kwargs={"public_id": testimony.public_id})


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_submit_is_404_for_readers(draft, users, client_for, role):
    assert client_for(users[role]).post(submit_url(draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.DRAFT


def test_submit_is_404_for_another_documenter(draft, client_for):
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    assert client_for(other).post(submit_url(draft)).status_code == 404


def test_submit_refuses_get(draft, documenter, client_for):
    assert client_for(documenter).get(submit_url(draft)).status_code == 405


def test_recording_documenter_submits_from_the_testimony_page(
    draft, documenter, client_for
):
    client = client_for(documenter)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert submit_url(draft) in page
    assert reverse("testimonies:consent", args=[draft.public_id]) in page
    response = client.post(submit_url(draft), {"next": "https://evil.example/"})
    assert response["Location"] == draft.get_absolute_url()  # never off-site
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.SUBMITTED


def test_submit_without_consent_explains_why(documenter, client_for):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    response = client_for(documenter).post(submit_url(draft), follow=True)
    assert "Record the witness" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.DRAFT


def test_verified_moderator_may_submit(draft, moderator, verified_client_for):
    assert verified_client_for(moderator).post(submit_url(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.SUBMITTED


def test_unverified_moderator_is_sent_to_the_second_factor_to_submit(
    draft, moderator, client_for
):
    response = client_for(moderator, verified=False).post(submit_url(draft))
    assert response["Location"].startswith(reverse("two-factor"))
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.DRAFT
