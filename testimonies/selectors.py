"""Reads behind the testimony pages. Access comes from archive.policy only."""

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from archive import policy
from archive.audit import audit_record
from archive.models import AuditAction

from .models import (
    Community,
    ConsentRecord,
    Erasure,
    EventType,
    Place,
    Review,
    ReviewDecision,
    Testimony,
    TestimonyStatus,
)
from .models.consent import ConsentEvent, ConsentScope
from .models.reviews import testimony_content
from .redaction import redacted_texts
from .review_diff import content_changes, person_label


class TestimonyNotVisible(Exception):
    """Not there, or not for this user: callers answer 404 either way."""


@dataclass
class TestimonyPage:
    testimony: Testimony
    narrative: str
    translations: dict[str, str]
    summary: str
    place_trails: list[list[Place]]
    showing_original: bool
    may_read_original: bool
    consent: object = None
    consent_history: list = field(default_factory=list)
    may_record_consent: bool = False
    may_submit: bool = False
    may_review: bool = False
    # Labels of the consent scopes not granted, shown to moderators.
    scopes_not_granted: list = field(default_factory=list)
    may_withdraw: bool = False
    may_erase: bool = False
    may_reveal_identity: bool = False


def _with_tags(queryset):
    return queryset.select_related("witness", "recorded_by").prefetch_related(
        "places", "communities", "event_types"
    )


def place_trails(places) -> list[list[Place]]:
    """For each place, the chain from its governorate down to it; a place
    that lies on another tagged place's chain adds no chain of its own."""
    places = [
        place
        for place in places
        if not any(
            other.path != place.path and other.path.startswith(place.path)
            for other in places
        )
    ]
    slugs = {slug for place in places for slug in place.ancestor_slugs}
    by_slug = {p.slug: p for p in Place.objects.filter(slug__in=slugs)}
    return [
        [by_slug[s] for s in place.ancestor_slugs[1:] if s in by_slug]
        for place in places
    ]


def testimony_detail(*, public_id: str, user, show_original: bool = False):
    """The testimony page for `user`, redacted unless the user may read the
    original and asked to (which is logged)."""
    testimony = (
        _with_tags(Testimony.objects.visible_to(user))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None:
        raise TestimonyNotVisible(public_id)
    may_read_original = policy.may_read_unredacted(user, testimony)
    showing_original = show_original and may_read_original
    if showing_original:
        audit_record(
            action=AuditAction.READ_ORIGINAL, target=testimony.public_id, actor=user
        )
        texts = testimony
    else:
        texts = redacted_texts(testimony)
    page = TestimonyPage(
        testimony=testimony,
        narrative=texts.narrative,
        translations=dict(texts.translations),
        summary=texts.summary,
        place_trails=place_trails(list(testimony.places.all())),
        showing_original=showing_original,
        may_read_original=may_read_original,
    )
    if policy.sees_everything(user):
        page.consent_history = list(testimony.consent_records.order_by("-pk"))
        page.consent = page.consent_history[0] if page.consent_history else None
        page.scopes_not_granted = [
            ConsentScope(scope).label
            for scope in policy.scopes_not_granted(page.consent)
        ]
    page.may_record_consent = policy.may_record_consent(user, testimony)
    # The review page is for what waits in the queue.
    page.may_review = (
        policy.may_review(user) and testimony.status == TestimonyStatus.SUBMITTED
    )
    page.may_submit = policy.may_submit(user, testimony) and testimony.status in (
        TestimonyStatus.DRAFT,
        TestimonyStatus.SENT_BACK,
    )
    page.may_withdraw = policy.may_withdraw(user, testimony)
    page.may_erase = policy.may_erase(user, testimony)
    page.may_reveal_identity = policy.may_reveal_identity_on(user, testimony)
    return page


def testimony_tombstone(*, public_id: str, user) -> Erasure:
    """What is left of an erased testimony, for moderators only."""
    if not policy.sees_everything(user):
        raise TestimonyNotVisible(public_id)
    erasure = (
        Erasure.objects.select_related("testimony", "erased_by")
        .filter(testimony__public_id=public_id)
        .first()
    )
    if erasure is None:
        raise TestimonyNotVisible(public_id)
    return erasure


def testimony_for_withdrawal(*, public_id: str, user) -> Testimony:
    """The testimony `user` may withdraw consent for, with its consent."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.may_withdraw(user, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


def testimony_for_erasure(*, public_id: str, user) -> Testimony:
    """The testimony `user` may erase."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.may_erase(user, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


def testimony_for_reveal(*, public_id: str, user) -> Testimony:
    """The testimony whose witness `user` may reveal from this page;
    TestimonyNotVisible otherwise, whether or not it exists."""
    testimony = (
        Testimony.objects.select_related("witness")
        .exclude(status=TestimonyStatus.ERASED)
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.may_reveal_identity_on(user, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


@dataclass
class ArchiveOverview:
    visible_count: int
    recent: list[Testimony]
    place_count: int


def archive_overview(*, user, recent: int = 5) -> ArchiveOverview:
    """What the home page shows: counts and the latest testimonies this user
    may see."""
    visible = Testimony.objects.visible_to(user)
    return ArchiveOverview(
        visible_count=visible.count(),
        recent=list(_with_tags(visible).order_by("-recorded_on", "-pk")[:recent]),
        place_count=Place.objects.filter(testimony__in=visible).distinct().count(),
    )


def display_language() -> str:
    return (get_language() or "en").split("-")[0]


@dataclass
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


@dataclass
class ConsentPage:
    testimony: Testimony
    history: list[ConsentRecord]
    summary: ConsentSummary


def _consent_keeper_testimony(*, public_id: str, user) -> Testimony:
    testimony = (
        Testimony.objects.visible_to(user)
        .select_related("witness")
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.may_record_consent(user, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


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
    testimony = Testimony.objects.visible_to(user).filter(public_id=public_id).first()
    if testimony is None or not policy.may_submit(user, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


def _latest_review(field_name: str):
    latest = Review.objects.filter(testimony=OuterRef("pk")).order_by("-pk")
    return Subquery(latest.values(field_name)[:1])


def testimonies_mine(*, user) -> list[Testimony]:
    """The testimonies `user` recorded and may still see, newest first, each
    with its current consent (consent_<scope>), the latest review's decision
    and comment, and whether it may be submitted now."""
    testimonies = list(
        Testimony.objects.visible_to(user)
        .filter(recorded_by=user)
        .select_related("witness")
        .prefetch_related("places")
        .annotate(
            latest_decision=_latest_review("decision"),
            latest_comment=_latest_review("version__comment"),
            latest_review_at=_latest_review("at"),
        )
        .order_by("-created_at", "-pk")
    )
    for testimony in testimonies:
        testimony.submittable = bool(testimony.consent_archive) and (
            testimony.status in (TestimonyStatus.DRAFT, TestimonyStatus.SENT_BACK)
        )
        testimony.latest_decision_label = (
            ReviewDecision(testimony.latest_decision).label
            if testimony.latest_decision
            else ""
        )
    return testimonies


def review_queue() -> list[Testimony]:
    """Submitted testimonies, the longest waiting first, each with its
    consent summary (`consent`) and how many times it was reviewed before."""
    testimonies = list(
        Testimony.objects.filter(status=TestimonyStatus.SUBMITTED)
        .select_related("witness", "recorded_by")
        .prefetch_related(
            "places",
            Prefetch("consent_records", queryset=ConsentRecord.objects.order_by("pk")),
        )
        .annotate(
            waiting_since=Coalesce(F("submitted_at"), F("created_at")),
            earlier_reviews=Count("reviews", distinct=True),
        )
        .order_by("waiting_since", "pk")
    )
    for testimony in testimonies:
        testimony.consent = consent_summary(testimony.consent_records.all())
    return testimonies


@dataclass
class ReviewPage:
    testimony: Testimony
    consent: ConsentSummary
    last_review: Review | None
    changes: list
    history: list[Review]
    redacted: object  # narrative, translations, summary with names replaced
    place_trails: list[list[Place]]
    persons_named: list[str]


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
        _with_tags(Testimony.objects.exclude(status=TestimonyStatus.ERASED))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.may_review(user):
        raise TestimonyNotVisible(public_id)
    return testimony


def review_page(*, public_id: str, user) -> ReviewPage:
    """Everything a moderator decides on: consent, what changed since the
    last review (None: never reviewed), the history of decisions, and the
    text both redacted and original. Reviewing means reading the original,
    so each showing is recorded as such."""
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
    audit_record(
        action=AuditAction.READ_ORIGINAL,
        target=testimony.public_id,
        actor=user,
        detail="review",
    )
    return ReviewPage(
        testimony=testimony,
        consent=consent_summary(testimony.consent_records.all()),
        last_review=last_review,
        changes=changes,
        history=history,
        redacted=redacted_texts(testimony),
        place_trails=place_trails(list(testimony.places.all())),
        persons_named=[person_label(p) for p in testimony.persons_named],
    )
