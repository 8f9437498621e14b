"""The steps of recording a testimony, and which of them a draft has done.

Used by the recording pages (testimonies.recording.views), the list of a
documenter's testimonies (where Resume opens the first step not done) and
the services that save each step.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from testimonies.vault.identity import identity_exists


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    # Whether the page's fields are saved as the documenter types: not for
    # the identity (sent only when the documenter chooses to save it), nor
    # for consent and submission, which are evidence and decisions.
    autosaves: bool = False


WITNESS, ACCOUNT, WHEN_WHERE, WHAT, MEDIA, CONSENT, REVIEW = (
    "witness", "account", "when-where", "what", "media", "consent", "review",
)  # fmt: skip

STEPS = (
    Step(WITNESS, _("Witness")),
    Step(ACCOUNT, _("The account"), autosaves=True),
    Step(WHEN_WHERE, _("When and where"), autosaves=True),
    Step(WHAT, _("What happened"), autosaves=True),
    Step(MEDIA, _("Photos and documents")),
    Step(CONSENT, _("Consent")),
    Step(REVIEW, _("Review and submit")),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
_UNREAD = object()


def step_by_slug(slug: str) -> Step | None:
    return next((step for step in STEPS if step.slug == slug), None)


def step_after(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None


def step_before(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index - 1] if index else None


def steps_done(testimony) -> dict[str, bool]:
    """For each step, whether the draft holds what it asks for. Photos are
    optional; the review is done by submitting.

    A list of drafts loads what this needs with the drafts (places and
    event types prefetched, `consent_archive` and `has_identity`
    annotated: selectors.testimonies_mine); for one draft it is read here."""
    consent_archive = getattr(testimony, "consent_archive", _UNREAD)
    if consent_archive is _UNREAD:
        consent = testimony.current_consent()
        consent_archive = consent is not None and consent.archive
    has_identity = getattr(testimony, "has_identity", _UNREAD)
    if has_identity is _UNREAD:
        has_identity = identity_exists(witness=testimony.witness)
    return {
        WITNESS: bool(has_identity),
        ACCOUNT: bool(testimony.narrative.strip()),
        WHEN_WHERE: bool(testimony.incident_start or testimony.places.all()),
        WHAT: bool(testimony.event_types.all()),
        MEDIA: True,
        # Submission needs consent to keep the account in the archive.
        CONSENT: bool(consent_archive),
        REVIEW: False,
    }


def first_step_to_do(testimony) -> str:
    """Where Resume opens: the first step not done (the review when all are)."""
    done = steps_done(testimony)
    return next(slug for slug in STEP_SLUGS if not done[slug])
