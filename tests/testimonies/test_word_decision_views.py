"""Deciding flagged words on the redaction page (the recording documenter,
before review) and on the review page (moderators), up the ladder; the
review refuses approval while a word waits."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.review import testimony_submit
from testimonies.models import Testimony, TestimonyStatus
from testimonies.redaction.redactor import redaction_candidates
from testimonies.vault.identity import identity_store
from tests import factories

pytestmark = pytest.mark.django_db

ARABIC = "أطلقوا النار على البيت. قال علي إنهم جاؤوا."


@pytest.fixture
def other_documenter(db):
    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


@pytest.fixture
def draft(documenter):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        witness_name="Ali Haidar",
        narrative="Gunmen came at night.",
        translations={"ar": ARABIC},
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    return testimony


@pytest.fixture
def submitted(draft, documenter):
    return testimony_submit(testimony=draft, user=documenter)


def url(testimony):
    return reverse("testimonies:redaction", kwargs={"public_id": testimony.public_id})


def review_url(testimony):
    return reverse("moderation:review", kwargs={"public_id": testimony.public_id})


def keys(testimony):
    testimony = Testimony.objects.get(pk=testimony.pk)
    return {
        row.candidate.word: row.candidate for row in redaction_candidates(testimony)
    }


def keep(testimony, word):
    return {"key": keys(testimony)[word].key, "decide_words": "keep"}


def decisions(testimony):
    return Testimony.objects.get(pk=testimony.pk).redaction_decisions


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_readers_cannot_decide_words(draft, users, client_for, role):
    client = client_for(users[role])
    assert client.post(url(draft), keep(draft, "على")).status_code == 404
    assert decisions(draft) == []


def test_another_documenter_cannot_decide_words(draft, other_documenter, client_for):
    response = client_for(other_documenter).post(url(draft), keep(draft, "على"))
    assert response.status_code == 404
    assert decisions(draft) == []


def test_the_documenter_cannot_decide_once_submitted(submitted, documenter, client_for):
    client = client_for(documenter)
    assert client.post(url(submitted), keep(submitted, "على")).status_code == 404
    # The moderators' pages are closed to other roles (archive.access).
    assert client.post(review_url(submitted), keep(submitted, "على")).status_code == 403
    assert decisions(submitted) == []


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_the_review_page_decides_nothing_for_other_roles(
    submitted, users, client_for, role
):
    response = client_for(users[role]).post(
        review_url(submitted), keep(submitted, "على")
    )
    assert response.status_code == 403
    assert decisions(submitted) == []


def test_the_review_page_sends_anonymous_to_log_in(submitted, client):
    response = client.post(review_url(submitted), keep(submitted, "على"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert decisions(submitted) == []


def test_an_unverified_moderator_is_sent_to_the_second_factor(
    submitted, moderator, client_for
):
    client = client_for(moderator, verified=False)
    for target in (url(submitted), review_url(submitted)):
        response = client.post(target, keep(submitted, "على"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor"))
    assert decisions(submitted) == []


def test_the_documenter_sees_and_decides_flagged_words_on_a_draft(
    draft, documenter, client_for
):
    client = client_for(documenter)
    page = client.get(url(draft)).content.decode()
    assert "Words to decide" in page
    assert '<mark class="flagged"' in page
    assert "2 words may name someone and wait for a decision" in page
    response = client.post(url(draft), keep(draft, "على"))
    assert response.status_code == 302
    assert response["Location"].endswith("#words-to-decide")
    assert keys(draft)["على"].decision is False
    page = client.get(url(draft)).content.decode()
    assert "1 word may name someone and waits for a decision" in page
    assert "Kept as written" in page


def test_a_moderator_decides_on_the_review_page_and_then_approves(
    submitted, moderator, client_for
):
    client = client_for(moderator)
    page = client.get(review_url(submitted)).content.decode()
    assert "2 flagged words still wait for a decision" in page
    response = client.post(review_url(submitted), {"decision": "approved"})
    assert response.status_code == 200
    assert "flagged words still need a decision" in response.content.decode()
    assert Testimony.objects.get(pk=submitted.pk).status == TestimonyStatus.SUBMITTED
    client.post(review_url(submitted), keep(submitted, "على"))
    client.post(
        review_url(submitted),
        {"key": keys(submitted)["علي"].key, "decide_words": "redact"},
    )
    assert "still wait" not in client.get(review_url(submitted)).content.decode()
    response = client.post(review_url(submitted), {"decision": "approved"})
    assert response.status_code == 302
    assert Testimony.objects.get(pk=submitted.pk).status == TestimonyStatus.APPROVED
    changes = AuditEntry.objects.filter(
        action=AuditAction.REDACTION_CHANGED, target=submitted.public_id
    )
    assert changes.count() == 2
    assert not any("عل" in entry.detail for entry in changes)


def test_a_stale_decision_is_refused_with_a_message(submitted, moderator, client_for):
    client = client_for(moderator)
    response = client.post(
        review_url(submitted),
        {"key": "nothing|like|this", "decide_words": "keep"},
        follow=True,
    )
    assert "no longer flagged as they were" in response.content.decode()
    assert decisions(submitted) == []


def test_all_waiting_occurrences_of_a_word_are_kept_in_one_click(
    draft, documenter, client_for
):
    draft.translations = {"ar": "على الأرض، على الطريق، على الباب."}
    draft.save()
    client = client_for(documenter)
    page = client.get(url(draft)).content.decode()
    assert "All 3 waiting occurrences of" in page
    waiting = [row.candidate.key for row in redaction_candidates(draft)]
    client.post(url(draft), {"key": waiting, "decide_words": "keep"})
    assert len(decisions(draft)) == 3
