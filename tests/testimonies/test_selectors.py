"""Reads behind the testimony pages, and that reading writes nothing."""

import dataclasses

import pytest

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.selectors import review_page
from testimonies.core.selectors import (
    archive_overview,
    place_trails,
    testimonies_mine,
    testimony_detail,
)
from testimonies.core.services import original_reading_record
from testimonies.moderation.selectors import review_queue_page
from testimonies.recording.selectors import recording_review, testimony_for_recording
from testimonies.redaction.selectors import redaction_page
from tests import factories

pytestmark = pytest.mark.django_db


def test_place_trails_run_from_the_governorate_down(coast):
    (trail,) = place_trails([coast["hai-al-kusour"]])
    assert [p.slug for p in trail] == ["tartus-governorate", "banias", "hai-al-kusour"]


def test_a_place_on_another_tagged_place_trail_adds_no_trail(coast):
    trails = place_trails([coast["banias"], coast["hai-al-kusour"], coast["jableh"]])
    assert [[p.slug for p in trail] for trail in trails] == [
        ["tartus-governorate", "banias", "hai-al-kusour"],
        ["latakia-governorate", "jableh"],
    ]


def test_pages_that_show_the_original_write_nothing_however_often_read(
    documenter, moderator
):
    submitted = factories.testimony(
        status="submitted",
        recorded_by=documenter,
        narrative="I am Ayman Fares. Samir hid us in Banias.",
        persons_named=["Samir"],
    )
    draft = factories.testimony(status="draft", recorded_by=documenter)
    before = AuditEntry.objects.count()
    for _ in range(2):
        page = testimony_detail(
            public_id=submitted.public_id, user=moderator, show_original=True
        )
        assert page.showing_original and "Ayman Fares" in page.narrative
        redaction_page(public_id=submitted.public_id, user=moderator)
        review_page(public_id=submitted.public_id, user=moderator)
        editing = testimony_for_recording(public_id=draft.public_id, user=documenter)
        recording_review(testimony=editing, user=documenter)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("page", ["", "redaction", "review", "recording"])
def test_a_reading_of_the_original_is_one_entry_in_the_audit_chain(documenter, page):
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    before = AuditEntry.objects.count()
    original_reading_record(testimony=testimony, user=documenter, page=page)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.target, entry.actor, entry.detail) == (
        AuditAction.READ_ORIGINAL,
        testimony.public_id,
        documenter,
        page,
    )


# What selectors used to attach to testimonies for the templates.
AD_HOC = {
    "facts", "latest_comment", "submittable", "markable", "resume_step",
    "latest_decision_label", "consent",
}  # fmt: skip


def test_pages_come_as_declared_dataclasses_the_testimonies_as_loaded(
    documenter, moderator
):
    factories.testimony(recorded_by=documenter)
    submitted = factories.testimony(status="submitted", recorded_by=documenter)
    page = testimony_detail(public_id=submitted.public_id, user=moderator)
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.may_submit = True
    listed = [
        page.testimony,
        *(card.testimony for card in archive_overview(user=moderator).recent),
        *(row.testimony for row in testimonies_mine(user=documenter)),
        *(
            entry.testimony
            for entry in review_queue_page(user=moderator, filters={}).entries
        ),
    ]
    assert len(listed) == 6
    for testimony in listed:
        assert not AD_HOC & set(vars(testimony)), testimony
