"""Flagged words decided by a person, and the release gate: a testimony
with undecided flagged words is released to no one."""

import pytest
from django.core.exceptions import ValidationError

from archive.models import AuditEntry
from testimonies.consent.services.review import testimony_approve
from testimonies.models import Testimony, TestimonyStatus
from testimonies.redaction.marking import redaction_candidates_decide
from testimonies.redaction.redactor import Reason, redacted_texts, redaction_candidates
from testimonies.vault.identity import identity_store
from tests import factories

# Witness Ali Haidar: على (on) and علي (on me / Ali) are flagged, Aly is a
# transliteration.
NARRATIVE = "Aly ran to the sea. They fired at us."
ARABIC = "أطلقوا النار على البيت. قال علي إنهم جاؤوا."


def with_ali(**kwargs):
    testimony = factories.testimony(
        witness_name="Ali Haidar",
        narrative=NARRATIVE,
        translations={"ar": ARABIC},
        **kwargs,
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    return testimony


def flagged(testimony):
    return {
        row.candidate.word: row.candidate
        for row in redaction_candidates(Testimony.objects.get(pk=testimony.pk))
    }


@pytest.fixture
def submitted(documenter):
    return with_ali(status="submitted", recorded_by=documenter)


@pytest.fixture
def draft(documenter):
    return with_ali(status="draft", recorded_by=documenter)


def test_flagged_words_are_listed_with_their_reason_and_context(submitted):
    found = flagged(submitted)
    assert set(found) == {"Aly", "على", "علي"}
    assert found["على"].reason == Reason.LETTER_FOLD
    assert found["علي"].reason == Reason.COMMON_WORD
    assert found["Aly"].reason == Reason.SAME_TERM  # the index reads it as "ali"
    assert found["على"].before.endswith("أطلقوا النار ")
    assert found["على"].after.startswith(" البيت")
    assert redacted_texts(submitted).undecided == 3


def test_approval_is_refused_while_flagged_words_wait(submitted, moderator):
    with pytest.raises(ValidationError) as refused:
        testimony_approve(testimony=submitted, reviewer=moderator)
    assert refused.value.code == "redaction_undecided"
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.SUBMITTED


def test_keeping_a_word_is_remembered_and_audited_without_the_word(
    submitted, moderator
):
    found = flagged(submitted)
    redaction_candidates_decide(
        testimony=submitted, keys=[found["على"].key], redact=False, user=moderator
    )
    again = flagged(submitted)
    assert again["على"].decision is False
    assert again["علي"].decision is None
    entry = AuditEntry.objects.filter(action="redaction_changed").latest("pk")
    assert entry.target == submitted.public_id
    assert "على" not in entry.detail and "علي" not in entry.detail
    assert entry.detail == "1 flagged kept as written (letter-fold)"


def test_replacing_another_spelling_marks_it_for_the_person(submitted, moderator):
    found = flagged(submitted)
    redaction_candidates_decide(
        testimony=submitted, keys=[found["Aly"].key], redact=True, user=moderator
    )
    submitted.refresh_from_db()
    assert submitted.redaction_marks == [{"spellings": ["Aly"], "person": "witness"}]
    pseudonym = submitted.witness.pseudonym
    assert redacted_texts(submitted).narrative.startswith(f"[{pseudonym}] ran")
    # Elsewhere too, whatever the text around it becomes.
    submitted.narrative = "Later ALY came back."
    assert redacted_texts(submitted).narrative == f"Later [{pseudonym}] came back."


def test_replacing_a_common_word_replaces_that_occurrence_only(submitted, moderator):
    found = flagged(submitted)
    redaction_candidates_decide(
        testimony=submitted, keys=[found["علي"].key], redact=True, user=moderator
    )
    submitted.refresh_from_db()
    assert submitted.redaction_marks == []
    pseudonym = submitted.witness.pseudonym
    arabic = redacted_texts(submitted).translations["ar"]
    assert arabic == f"أطلقوا النار على البيت. قال [{pseudonym}] إنهم جاؤوا."


def test_once_every_word_is_decided_the_testimony_is_approved(submitted, moderator):
    found = flagged(submitted)
    redaction_candidates_decide(
        testimony=submitted,
        keys=[found["على"].key, found["Aly"].key],
        redact=False,
        user=moderator,
    )
    redaction_candidates_decide(
        testimony=submitted, keys=[found["علي"].key], redact=True, user=moderator
    )
    testimony_approve(testimony=submitted, reviewer=moderator)
    submitted.refresh_from_db()
    assert submitted.status == TestimonyStatus.APPROVED


def test_undoing_a_decision_asks_again(submitted, moderator):
    key = flagged(submitted)["على"].key
    redaction_candidates_decide(
        testimony=submitted, keys=[key], redact=False, user=moderator
    )
    redaction_candidates_decide(
        testimony=submitted, keys=[key], redact=None, user=moderator
    )
    assert flagged(submitted)["على"].decision is None


def test_a_changed_text_asks_again_and_a_stale_key_is_refused(submitted, moderator):
    key = flagged(submitted)["على"].key
    submitted.translations = {"ar": "أطلقوا النار على السيارة. قال علي إنهم جاؤوا."}
    submitted.save()
    with pytest.raises(ValidationError) as refused:
        redaction_candidates_decide(
            testimony=submitted, keys=[key], redact=False, user=moderator
        )
    assert refused.value.code == "candidate_unknown"


@pytest.mark.parametrize("who", ["researcher", "other", "anonymous"])
def test_only_those_who_may_mark_decide(draft, researcher, anonymous, who):
    user = {
        "researcher": researcher,
        "other": factories.UserFactory(username="other-doc"),
        "anonymous": anonymous,
    }[who]
    key = flagged(draft)["على"].key
    with pytest.raises(ValidationError) as refused:
        redaction_candidates_decide(
            testimony=draft, keys=[key], redact=False, user=user
        )
    assert refused.value.code == "not_markable"


def test_the_recording_documenter_decides_on_a_draft(draft, documenter):
    key = flagged(draft)["على"].key
    redaction_candidates_decide(
        testimony=draft, keys=[key], redact=False, user=documenter
    )
    assert flagged(draft)["على"].decision is False
