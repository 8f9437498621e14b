"""Reads behind the recording wizard's pages."""

from dataclasses import dataclass, field

from testimonies.attachments.selectors import attachment_cards
from testimonies.consent.review_diff import person_label
from testimonies.models import Community, EventType, Place, Testimony
from testimonies.recording.steps import steps_done
from testimonies.selectors import ConsentSummary, consent_summary, place_trails


@dataclass
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
    # What will be submitted with it: the cards of attachment_cards, as
    # the documenter may see them (working copies, never the originals).
    attachments: list = field(default_factory=list)


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
    )
