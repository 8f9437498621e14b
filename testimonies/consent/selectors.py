"""Reads behind the consent, submission, review, withdrawal and erasure pages,
the moderators' queue and the testimonies held back from the public. Access
comes from testimonies.policy only."""

from dataclasses import dataclass, field

from testimonies import policy
from testimonies.consent.models.consent import ConsentEvent, ConsentScope
from testimonies.consent.models.reviews import testimony_content
from testimonies.consent.review_diff import content_changes, person_label
from testimonies.core.selectors import (
    TestimonyNotVisible,
    place_trails,
    testimony_allowed,
    with_tags,
)
from testimonies.models import (
    Community,
    ConsentRecord,
    EventType,
    Place,
    Review,
    ReviewAssignment,
    Testimony,
    TestimonyStatus,
)
from testimonies.policy import Action
from testimonies.redaction.generalisation import ViewPreview, generalisation_previews
from testimonies.redaction.reidentification import (
    ReidentificationCheck,
    reidentification_check,
)
from testimonies.redaction.selectors import RedactionEditor, redaction_editor


@dataclass(frozen=True)
class ConsentSummary:
    """The consent in force, in a line: what a moderator checks first."""

    current: ConsentRecord | None
    latest_grant: ConsentRecord | None
    granted: list[str]

    @property
    def archived(self) -> bool:
        return bool(self.current and self.current.archive)

    @property
    def embargo_until(self):
        return self.current.embargo_until if self.current else None

    @property
    def minor(self) -> bool | None:
        return self.latest_grant.witness_is_minor if self.latest_grant else None

    @property
    def points_explained(self) -> bool | None:
        return self.latest_grant.points_explained if self.latest_grant else None


def consent_summary(records) -> ConsentSummary:
    """Summarise a testimony's consent records (any order). Minor and
    explained points come from the latest grant: a withdrawal asks neither."""
    records = sorted(records, key=lambda record: record.pk)
    grants = [r for r in records if r.event == ConsentEvent.GRANT]
    current = records[-1] if records else None
    labels = dict(ConsentScope.choices)
    return ConsentSummary(
        current=current,
        latest_grant=grants[-1] if grants else None,
        granted=[labels[s] for s in current.granted_scopes] if current else [],
    )


@dataclass(frozen=True)
class ConsentPage:
    testimony: Testimony
    history: list[ConsentRecord]
    summary: ConsentSummary


def _consent_keeper_testimony(*, public_id: str, user) -> Testimony:
    return testimony_allowed(
        public_id=public_id, user=user, action=Action.RECORD_CONSENT
    )


def consent_page(*, public_id: str, user) -> ConsentPage:
    """The consent form's page: the testimony, its consent history (latest
    first). Only for those who may record consent; anyone else gets
    TestimonyNotVisible, whether or not the testimony exists."""
    testimony = _consent_keeper_testimony(public_id=public_id, user=user)
    history = list(testimony.consent_records.order_by("-pk"))
    return ConsentPage(
        testimony=testimony, history=history, summary=consent_summary(history)
    )


def testimony_for_submission(*, public_id: str, user) -> Testimony:
    """The testimony `user` means to submit; TestimonyNotVisible otherwise."""
    return testimony_allowed(public_id=public_id, user=user, action=Action.SUBMIT)


def testimony_for_withdrawal(*, public_id: str, user) -> Testimony:
    """The testimony `user` may withdraw consent for, with its consent."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.allows(user, Action.WITHDRAW, testimony):
        raise TestimonyNotVisible
    return testimony


def testimony_for_erasure(*, public_id: str, user) -> Testimony:
    """The testimony `user` may erase."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.allows(user, Action.ERASE, testimony):
        raise TestimonyNotVisible
    return testimony


def testimonies_held_from_public() -> list[Testimony]:
    """Approved testimonies held back from the public by the
    re-identification check run again (testimonies.consent.services.public_holds),
    the longest held first."""
    return list(
        Testimony.objects.filter(status=TestimonyStatus.APPROVED)
        .exclude(public_hold="")
        .select_related("witness")
        .order_by("public_hold_since", "pk")
    )


@dataclass(frozen=True)
class ReviewPage:
    testimony: Testimony
    consent: ConsentSummary
    last_review: Review | None
    changes: list
    history: list[Review]
    redaction: RedactionEditor
    place_trails: list[list[Place]]
    persons_named: list[str]
    # For a testimony whose consent grants `public`: how many in public share
    # its quasi-identifiers, as recorded and generalised, and what each
    # public view would replace in the text.
    reidentification: ReidentificationCheck | None = None
    public_previews: list[ViewPreview] = field(default_factory=list)
    # The moderator its review is assigned to (testimonies.moderation), if any.
    assigned_to: object | None = None


def _slug_labels(contents) -> dict[str, str]:
    """Readable names for every place and vocabulary slug in `contents`."""
    labels = {}
    for model, key in ((Place, "places"), (Community, "communities")):
        slugs = {slug for content in contents for slug in content[key]}
        labels.update({o.slug: o.label for o in model.objects.filter(slug__in=slugs)})
    slugs = {slug for content in contents for slug in content["event_types"]}
    labels.update({o.slug: o.label for o in EventType.objects.filter(slug__in=slugs)})
    return labels


def testimony_for_review(*, public_id: str, user) -> Testimony:
    """Any testimony but an erased one, for a moderator; TestimonyNotVisible
    otherwise."""
    testimony = (
        with_tags(Testimony.objects.exclude(status=TestimonyStatus.ERASED))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.allows(user, Action.REVIEW):
        raise TestimonyNotVisible
    return testimony


def review_page(*, public_id: str, user) -> ReviewPage:
    """Everything a moderator decides on: consent, what changed since the
    last review (None: never reviewed), the history of decisions, and the
    text both redacted and original, and, when the consent grants `public`,
    the re-identification check. Reviewing means reading the original: the
    view records each showing (testimonies.core.services.original_reading_record)."""
    testimony = testimony_for_review(public_id=public_id, user=user)
    history = list(
        Review.objects.filter(testimony=testimony)
        .select_related("reviewer", "version")
        .order_by("-pk")
    )
    last_review = history[0] if history else None
    changes = []
    last_version = getattr(last_review, "version", None) if last_review else None
    if last_version is not None:
        before, now = last_version.content, testimony_content(testimony)
        changes = content_changes(before, now, labels=_slug_labels([before, now]))
    consent = consent_summary(testimony.consent_records.all())
    would_be_public = policy.scope_granted(consent.current, ConsentScope.PUBLIC)
    redaction = redaction_editor(testimony=testimony, user=user)
    check = reidentification_check(testimony=testimony) if would_be_public else None
    return ReviewPage(
        testimony=testimony,
        consent=consent,
        last_review=last_review,
        changes=changes,
        history=history,
        redaction=redaction,
        place_trails=place_trails(list(testimony.places.all())),
        persons_named=[person_label(p) for p in testimony.persons_named],
        reidentification=check,
        assigned_to=next(
            (
                a.moderator
                for a in ReviewAssignment.objects.select_related("moderator").filter(
                    testimony=testimony
                )
            ),
            None,
        ),
        public_previews=(
            generalisation_previews(
                testimony,
                [option.generalisation for option in check.options],
                redaction=redaction.preview,
            )
            if check
            else []
        ),
    )
