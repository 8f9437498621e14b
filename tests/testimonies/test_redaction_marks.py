"""Words marked for redaction: the shape, the editor's arithmetic, the
service's checks, and where marks go (review diff, erasure, audit)."""

import pytest
from django.core.exceptions import ValidationError

from archive.models import AuditEntry
from testimonies.consent.models import reviews
from testimonies.consent.review_diff import content_changes
from testimonies.consent.services.erasure import testimony_erase
from testimonies.consent.services.review import (
    testimony_approve,
    testimony_send_back,
    testimony_submit,
)
from testimonies.models import TestimonyStatus
from testimonies.redaction.marking import redaction_marks_set
from testimonies.redaction.marks import marks_check, marks_edited
from tests import factories

NARRATIVE = "Abu Samer drove us out of Banias. Hassan Darwish stayed behind."


@pytest.fixture
def draft(documenter):
    return factories.testimony(
        status="draft",
        recorded_by=documenter,
        witness_name="Ayman Fares",
        narrative=NARRATIVE,
        translations={"ar": "أخرجنا أبو سامر من بانياس."},
        persons_named=["Hassan Darwish"],
    )


def mark(*spellings, person=None):
    return {"spellings": list(spellings), "person": person}


# The shape


@pytest.mark.parametrize(
    "marks",
    [
        {"spellings": ["x"]},
        [["Abu Samer"]],
        [{"spellings": [], "person": None}],
        [{"spellings": ["  "], "person": None}],
        [{"spellings": ["Abu Samer"], "person": 0}],
        [{"spellings": ["Abu Samer"], "person": True}],
        [{"spellings": ["Abu Samer"], "person": "someone"}],
        [{"spellings": ["Abu Samer"], "person": None, "note": "x"}],
        [mark("Abu Samer"), mark("ABU SÁMER")],  # the same words twice
        [mark("Umm Ali", person="witness"), mark("Ayyoush", person="witness")],
    ],
)
def test_marks_out_of_shape_are_refused(marks):
    with pytest.raises(ValueError):
        marks_check(marks)


def test_marks_in_shape_pass():
    marks_check([mark("Abu Samer", "أبو سامر"), mark("Umm Ali", person="witness")])


# The editor's arithmetic


def test_a_new_mark_is_a_new_person_unless_told_whose():
    marks = marks_edited([], persons_count=1, add="  Abu   Samer ")
    assert marks == [mark("Abu Samer")]
    marks = marks_edited(marks, persons_count=1, add="أبو سامر", person=2)
    assert marks == [mark("Abu Samer", "أبو سامر")]  # joins placeholder 2
    marks = marks_edited(marks, persons_count=1, add="Hassoun", person=1)
    marks = marks_edited(marks, persons_count=1, add="Umm Ali", person="witness")
    assert marks == [
        mark("Abu Samer", "أبو سامر"),
        mark("Hassoun", person=1),
        mark("Umm Ali", person="witness"),
    ]


def test_unmarking_the_last_spelling_drops_the_mark():
    marks = [mark("Abu Samer", "أبو سامر"), mark("Hassoun", person=1)]
    assert marks_edited(marks, persons_count=1, remove=["hassoun", "Abu Samer"]) == [
        mark("أبو سامر")
    ]


# The service


def test_marking_words_of_the_text(draft, documenter):
    redaction_marks_set(
        testimony=draft, marks=[mark("abu sámer", "أبو سامر")], user=documenter
    )
    draft.refresh_from_db()
    assert draft.redaction_marks == [mark("abu sámer", "أبو سامر")]


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Abu Samir", "mark_not_in_text"),
        ("Sam", "mark_not_in_text"),  # part of a word only
        ("A", "mark_too_short"),
        ("x" * 201, "mark_too_long"),
    ],
)
def test_a_mark_must_be_words_of_the_text(draft, documenter, spelling, code):
    with pytest.raises(ValidationError) as caught:
        redaction_marks_set(testimony=draft, marks=[mark(spelling)], user=documenter)
    (error,) = caught.value.error_dict["redaction_marks"]
    assert error.code == code
    draft.refresh_from_db()
    assert draft.redaction_marks == []


def test_a_mark_the_text_lost_stays_when_others_change(draft, documenter):
    redaction_marks_set(testimony=draft, marks=[mark("Abu Samer")], user=documenter)
    draft.refresh_from_db()
    draft.narrative = "Someone drove us out of Banias. Hassan Darwish stayed."
    draft.save()
    redaction_marks_set(
        testimony=draft, marks=[mark("Abu Samer"), mark("Banias")], user=documenter
    )
    draft.refresh_from_db()
    assert draft.redaction_marks == [mark("Abu Samer"), mark("Banias")]


def test_a_mark_must_name_a_person_of_the_list(draft, documenter):
    with pytest.raises(ValidationError) as caught:
        redaction_marks_set(
            testimony=draft, marks=[mark("Abu Samer", person=2)], user=documenter
        )
    assert caught.value.error_dict["redaction_marks"][0].code == "mark_person_unknown"


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_the_documenter_marks_only_before_review(documenter, status):
    testimony = factories.testimony(
        status=status, recorded_by=documenter, narrative=NARRATIVE
    )
    with pytest.raises(ValidationError) as caught:
        redaction_marks_set(
            testimony=testimony, marks=[mark("Abu Samer")], user=documenter
        )
    assert caught.value.code == "not_markable"


def test_a_moderator_marks_an_approved_testimony(moderator):
    testimony = factories.testimony(narrative=NARRATIVE)
    redaction_marks_set(testimony=testimony, marks=[mark("Abu Samer")], user=moderator)
    testimony.refresh_from_db()
    assert testimony.redaction_marks == [mark("Abu Samer")]


def test_nobody_marks_a_withdrawn_testimony(moderator):
    testimony = factories.testimony(status="withdrawn", narrative=NARRATIVE)
    with pytest.raises(ValidationError):
        redaction_marks_set(
            testimony=testimony, marks=[mark("Abu Samer")], user=moderator
        )


def test_marked_words_never_reach_the_audit_log(draft, documenter, moderator):
    redaction_marks_set(testimony=draft, marks=[mark("Abu Samer")], user=documenter)
    testimony_submit(testimony=draft, user=documenter)
    testimony_approve(testimony=draft, reviewer=moderator)
    for entry in AuditEntry.objects.all():
        assert "Samer" not in f"{entry.target} {entry.detail} {entry.actor_label}"
    # The change itself is recorded, by whom and how many, never the words.
    changed = AuditEntry.objects.get(action="redaction_changed")
    assert (changed.actor, changed.target) == (documenter, draft.public_id)
    assert changed.detail == "1 marked, 0 unmarked"


def test_the_review_diff_shows_marks_added_and_removed(draft, documenter, moderator):
    redaction_marks_set(testimony=draft, marks=[mark("Abu Samer")], user=documenter)
    testimony_submit(testimony=draft, user=documenter)
    review = testimony_send_back(
        testimony=draft, reviewer=moderator, comment="Banias too"
    )
    draft.refresh_from_db()
    redaction_marks_set(
        testimony=draft, marks=[mark("Banias", person="witness")], user=documenter
    )
    draft.refresh_from_db()
    changes = content_changes(
        review.version.content, reviews.testimony_content(draft), labels={}
    )
    (change,) = [c for c in changes if c.label == "Words marked for redaction"]
    assert change.added == ["Banias (the witness)"]
    assert change.removed == ["Abu Samer (someone not named)"]


def test_erasure_takes_the_marks_with_the_text(draft, documenter, moderator):
    redaction_marks_set(testimony=draft, marks=[mark("Abu Samer")], user=documenter)
    testimony_submit(testimony=draft, user=documenter)
    testimony_send_back(testimony=draft, reviewer=moderator, comment="x")
    testimony_erase(testimony=draft, reason="asked", erased_by=moderator)
    draft.refresh_from_db()
    assert draft.status == TestimonyStatus.ERASED and draft.redaction_marks == []
    assert not draft.reviewed_versions.exists()
