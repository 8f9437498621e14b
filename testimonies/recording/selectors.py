"""Reads behind the recording steps: the draft a user may go on recording and
its last page. Access comes from testimonies.policy only."""

from dataclasses import dataclass

from testimonies import policy
from testimonies.attachments.selectors import AttachmentCard, attachment_cards
from testimonies.consent.review_diff import person_label
from testimonies.consent.selectors import ConsentSummary, consent_summary
from testimonies.core.selectors import TestimonyNotVisible, place_trails
from testimonies.models import Community, EventType, Place, Testimony
from testimonies.policy import Action
from testimonies.recording.steps import steps_done
from testimonies.redaction.redactor import PreviewText, redaction_preview


def testimony_for_recording(*, public_id: str, user) -> Testimony:
    """The draft or sent-back testimony `user` may go on recording (the
    recording documenter, moderators); TestimonyNotVisible for anyone else,
    whether or not it exists."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.allows(user, Action.EDIT_RECORDING, testimony):
        raise TestimonyNotVisible
    return testimony


@dataclass(frozen=True)
class RecordingReview:
    """Everything a draft holds, step by step, for its last page. The
    witness appears by pseudonym only: the identity stays in the vault."""

    testimony: Testimony
    done: dict[str, bool]
    place_trails: list[list[Place]]
    event_types: list[EventType]
    communities: list[Community]
    persons_named: list[str]
    consent: ConsentSummary
    # What will be submitted with it, as the documenter may see it
    # (working copies, never the originals).
    attachments: list[AttachmentCard]
    # Each text as written and as readers will see it, with the same marks
    # as the moderators' preview (it shows the original: the view records
    # the reading).
    preview: list[PreviewText]


def recording_review(*, testimony: Testimony, user) -> RecordingReview:
    """The draft's last page for `user` (its documenter or a moderator),
    attachments included."""
    places = list(testimony.places.all())
    return RecordingReview(
        testimony=testimony,
        done=steps_done(testimony),
        place_trails=place_trails(places),
        event_types=list(testimony.event_types.all()),
        communities=list(testimony.communities.all()),
        persons_named=[person_label(p) for p in testimony.persons_named],
        consent=consent_summary(list(testimony.consent_records.order_by("-pk"))),
        attachments=attachment_cards(testimony=testimony, user=user),
        preview=redaction_preview(testimony),
    )
