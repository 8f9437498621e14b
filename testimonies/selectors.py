"""Reads behind the testimony pages. Access comes from testimonies.policy only."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.consent.models.consent import ConsentEvent, ConsentScope, PermittedUse
from testimonies.consent.models.reviews import testimony_content
from testimonies.consent.review_diff import content_changes, person_label
from testimonies.models import (
    Community,
    ConsentRecord,
    Erasure,
    EventType,
    IncidentDates,
    Place,
    Review,
    ReviewDecision,
    ReviewedVersion,
    Testimony,
    TestimonyStatus,
    WitnessIdentity,
)
from testimonies.policy import Action
from testimonies.recording.steps import first_step_to_do
from testimonies.redaction.generalisation import (
    ViewPreview,
    generalisation_previews,
    readable_texts,
)
from testimonies.redaction.redactor import (
    CandidateRow,
    MarkRow,
    PersonChoice,
    PreviewText,
    mark_rows,
    person_choices,
    redaction_candidates,
    redaction_preview,
    redactor_for,
)
from testimonies.redaction.reidentification import (
    ReidentificationCheck,
    reidentification_check,
)
from testimonies.textnorm import fold


class TestimonyNotVisible(Exception):
    """Not there, or not for this user: callers answer 404 either way."""


@dataclass(frozen=True)
class TestimonyFacts:
    """Where and when, as one reader may see them."""

    places: list[Place]
    incident: IncidentDates


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
    # To readers who see the precise places and dates: the narrower public
    # view the approval chose, so that they do not publish the precise ones.
    public_view: TestimonyFacts | None = None
    may_mark_redactions: bool = False
    # Flagged words waiting for a decision (shown to those who may read the
    # original; for anyone else such a testimony does not exist).
    undecided_words: int = 0
    may_reveal_identity: bool = False
    # To the public, where the approval chose a generalised view: the text
    # gives some places and dates less precisely than it was recorded.
    generalised_for_public: bool = False
    # What the reader may do with it (publish, quote, show its images).
    permitted_use: PermittedUse | None = None


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


def testimonies_facts(testimonies, *, user) -> None:
    """Set `facts` on each testimony (places prefetched): the places and
    dates as recorded, or for the public the generalised ones the approval
    chose (policy.sees_precise_details). One query for all raised places."""
    testimonies = list(testimonies)
    if not policy.sees_precise_details(user):
        testimonies_public_facts(testimonies)
        return
    for testimony in testimonies:
        testimony.facts = TestimonyFacts(
            list(testimony.places.all()), testimony.incident
        )


def testimonies_public_facts(testimonies) -> None:
    """Set `facts` on each testimony (places prefetched) as the public sees
    them, whoever reads: what the public reads, and what leaves the archive
    (exports). One query for all raised places."""
    testimonies = list(testimonies)
    raised = {t.pk: t.public_place_slugs() for t in testimonies}
    wanted = {slug for slugs in raised.values() if slugs for slug in slugs}
    by_slug = {p.slug: p for p in Place.objects.filter(slug__in=wanted)}
    for testimony in testimonies:
        slugs = raised[testimony.pk]
        places = (
            list(testimony.places.all())
            if slugs is None
            else sorted((by_slug[s] for s in slugs if s in by_slug), key=_path)
        )
        testimony.facts = TestimonyFacts(places, testimony.public_incident)


def _path(place):
    return place.path


def testimony_detail(*, public_id: str, user, show_original: bool = False):
    """The testimony page for `user`, redacted unless the user may read the
    original and asked to (which is logged). A testimony whose flagged words
    are not all decided is not visible to anyone who may not read the
    original."""
    testimony = (
        _with_tags(policy.visible_testimonies(Testimony.objects.all(), user))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None:
        raise TestimonyNotVisible(public_id)
    may_read_original = policy.allows(user, Action.READ_UNREDACTED, testimony)
    # The public reads places and dates no finer than the public view.
    redacted = readable_texts(testimony, public=not policy.sees_precise_details(user))
    if redacted.undecided and not may_read_original:
        # The release gate (services.review.require_decided_words), where it
        # is read: a word that may name someone waits for a person.
        raise TestimonyNotVisible(public_id)
    showing_original = show_original and may_read_original
    if showing_original:
        audit_record(
            action=AuditAction.READ_ORIGINAL, target=testimony.public_id, actor=user
        )
        texts = testimony
    else:
        texts = redacted
    testimonies_facts([testimony], user=user)
    generalised = bool(
        testimony.public_place_levels_up or testimony.public_date_precision
    )
    page = TestimonyPage(
        testimony=testimony,
        narrative=texts.narrative,
        translations=dict(texts.translations),
        summary=texts.summary,
        place_trails=place_trails(testimony.facts.places),
        showing_original=showing_original,
        may_read_original=may_read_original,
        generalised_for_public=generalised and not policy.sees_precise_details(user),
    )
    consent = testimony.current_consent()
    page.permitted_use = consent.permitted_use if consent else None
    if policy.sees_everything(user):
        page.consent_history = list(testimony.consent_records.order_by("-pk"))
        page.consent = page.consent_history[0] if page.consent_history else None
        page.scopes_not_granted = [
            ConsentScope(scope).label
            for scope in policy.scopes_not_granted(page.consent)
        ]
    page.may_record_consent = policy.allows(user, Action.RECORD_CONSENT, testimony)
    # The review page is for what waits in the queue.
    page.may_review = (
        policy.allows(user, Action.REVIEW)
        and testimony.status == TestimonyStatus.SUBMITTED
    )
    page.may_submit = policy.allows(
        user, Action.SUBMIT, testimony
    ) and testimony.status in (
        TestimonyStatus.DRAFT,
        TestimonyStatus.SENT_BACK,
    )
    page.may_withdraw = policy.allows(user, Action.WITHDRAW, testimony)
    page.may_erase = policy.allows(user, Action.ERASE, testimony)
    if policy.sees_precise_details(user) and generalised:
        page.public_view = TestimonyFacts(
            testimony.public_places(), testimony.public_incident
        )
    page.may_mark_redactions = policy.allows(user, Action.MARK_REDACTIONS, testimony)
    page.undecided_words = redacted.undecided
    page.may_reveal_identity = policy.allows(user, Action.REVEAL_IDENTITY, testimony)
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
    if testimony is None or not policy.allows(user, Action.WITHDRAW, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


def testimony_for_erasure(*, public_id: str, user) -> Testimony:
    """The testimony `user` may erase."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.allows(user, Action.ERASE, testimony):
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
    if testimony is None or not policy.allows(user, Action.REVEAL_IDENTITY, testimony):
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
    visible = policy.visible_testimonies(Testimony.objects.all(), user)
    latest = list(_with_tags(visible).order_by("-recorded_on", "-pk")[:recent])
    testimonies_facts(latest, user=user)
    return ArchiveOverview(
        visible_count=visible.count(),
        recent=latest,
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


def testimony_allowed(*, public_id: str, user, action: Action) -> Testimony:
    """The testimony `user` sees under `public_id` and on which the policy
    allows `action`; TestimonyNotVisible otherwise, whether or not it exists
    (never a 403 that confirms it)."""
    testimony = (
        policy.visible_testimonies(Testimony.objects.all(), user)
        .select_related("witness")
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.allows(user, action, testimony):
        raise TestimonyNotVisible(public_id)
    return testimony


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


def _latest_review(field_name: str):
    latest = Review.objects.filter(testimony=OuterRef("pk")).order_by("-pk")
    return Subquery(latest.values(field_name)[:1])


def testimonies_mine(*, user) -> list[Testimony]:
    """The testimonies `user` recorded and may still see, newest first, each
    with its current consent (consent_<scope>), the latest review's decision
    and comment, whether it may be submitted now and whether its redaction
    marks may be changed (`markable`)."""
    testimonies = list(
        policy.visible_testimonies(Testimony.objects.all(), user)
        .filter(recorded_by=user)
        .select_related("witness")
        .prefetch_related("places", "event_types")
        .annotate(
            latest_decision=_latest_review("decision"),
            latest_review_at=_latest_review("at"),
            # What Resume needs (recording.steps_done), for every row at once.
            has_identity=Exists(
                WitnessIdentity.objects.filter(witness=OuterRef("witness"))
            ),
        )
        .order_by("-created_at", "-pk")
    )
    # Comments are sealed: opened here, the latest version of each testimony.
    latest_versions = {}
    for version in ReviewedVersion.objects.filter(testimony__in=testimonies).order_by(
        "pk"
    ):
        latest_versions[version.testimony_id] = version
    for testimony in testimonies:
        version = latest_versions.get(testimony.pk)
        testimony.latest_comment = version.comment if version else ""
        testimony.submittable = bool(testimony.consent_archive) and (
            testimony.status in (TestimonyStatus.DRAFT, TestimonyStatus.SENT_BACK)
        )
        testimony.markable = policy.allows(user, Action.MARK_REDACTIONS, testimony)
        # Resume opens the first recording step not done yet.
        testimony.resume_step = (
            first_step_to_do(testimony)
            if policy.allows(user, Action.EDIT_RECORDING, testimony)
            else None
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
class WordGroup:
    """One flagged word occurring undecided more than once: its occurrences'
    keys, to decide them all at once."""

    word: str
    keys: list[str]


@dataclass
class RedactionEditor:
    """The original and redacted texts side by side, the marks editor (the
    words marked now and whose words a new mark can be), and the flagged
    words to decide (with how many wait, and those that wait more than
    once, by word)."""

    testimony: Testimony
    preview: list[PreviewText]
    marks: list[MarkRow]
    people: list[PersonChoice]
    may_mark: bool
    candidates: list[CandidateRow]
    undecided: int
    word_groups: list[WordGroup]


def _word_groups(candidates: list[CandidateRow]) -> list[WordGroup]:
    waiting: dict[str, tuple[str, list[str]]] = {}
    for row in candidates:
        if row.candidate.decision is None:
            # ى kept apart: على and علي are two words to decide.
            folded = fold(row.candidate.word, keep_alef_maqsura=True)
            word, keys = waiting.setdefault(folded, (row.candidate.word, []))
            keys.append(row.candidate.key)
    return [WordGroup(word, keys) for word, keys in waiting.values() if len(keys) > 1]


def redaction_editor(*, testimony: Testimony, user) -> RedactionEditor:
    """The preview and the flagged words (which show the original: callers
    record the reading) and, for those who may change them, the marks."""
    may_mark = policy.allows(user, Action.MARK_REDACTIONS, testimony)
    redactor = redactor_for(testimony)
    candidates = redaction_candidates(testimony, redactor)
    return RedactionEditor(
        testimony=testimony,
        preview=redaction_preview(testimony, redactor),
        marks=mark_rows(testimony, redactor),
        people=person_choices(testimony, redactor) if may_mark else [],
        may_mark=may_mark,
        candidates=candidates,
        undecided=sum(row.candidate.decision is None for row in candidates),
        word_groups=_word_groups(candidates) if may_mark else [],
    )


def testimony_for_marking(*, public_id: str, user) -> Testimony:
    """The testimony whose redaction marks `user` may change;
    TestimonyNotVisible otherwise, whether or not it exists."""
    return testimony_allowed(
        public_id=public_id, user=user, action=Action.MARK_REDACTIONS
    )


def redaction_page(*, public_id: str, user) -> RedactionEditor:
    """The redaction page (/testimonies/<id>/redaction/): the preview and the
    marks editor for one who may mark; it shows the original, which is
    recorded as a reading of it."""
    testimony = testimony_for_marking(public_id=public_id, user=user)
    audit_record(
        action=AuditAction.READ_ORIGINAL,
        target=testimony.public_id,
        actor=user,
        detail="redaction",
    )
    return redaction_editor(testimony=testimony, user=user)


@dataclass
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
    if testimony is None or not policy.allows(user, Action.REVIEW):
        raise TestimonyNotVisible(public_id)
    return testimony


def review_page(*, public_id: str, user) -> ReviewPage:
    """Everything a moderator decides on: consent, what changed since the
    last review (None: never reviewed), the history of decisions, and the
    text both redacted and original, and, when the consent grants `public`,
    the re-identification check. Reviewing means reading the original, so
    each showing is recorded as such."""
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


def testimony_for_recording(
    *, public_id: str, user, reading_original: bool = False
) -> Testimony:
    """The draft or sent-back testimony `user` may go on recording (the
    recording documenter, moderators); TestimonyNotVisible for anyone else,
    whether or not it exists. `reading_original`: the page shows the
    account as written, names in it, and the showing is logged."""
    testimony = (
        Testimony.objects.select_related("witness").filter(public_id=public_id).first()
    )
    if testimony is None or not policy.allows(user, Action.EDIT_RECORDING, testimony):
        raise TestimonyNotVisible(public_id)
    if reading_original:
        audit_record(
            action=AuditAction.READ_ORIGINAL,
            target=testimony.public_id,
            actor=user,
            detail="recording",
        )
    return testimony
