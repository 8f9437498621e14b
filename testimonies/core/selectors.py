"""Reads behind the testimony pages (the testimony, the home page's overview, a
documenter's own testimonies), and what the other capabilities' selectors
share: a testimony that is not there for a user. Access comes from
testimonies.policy only."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from testimonies import policy
from testimonies.consent.models.consent import ConsentScope, PermittedUse
from testimonies.models import (
    ConsentRecord,
    Erasure,
    IncidentDates,
    Place,
    Review,
    ReviewDecision,
    ReviewedVersion,
    Testimony,
    TestimonyStatus,
    WitnessIdentity,
)
from testimonies.moderation.filters import (
    MINE_STATES,
    worklist_filtered,
    worklist_places,
)
from testimonies.policy import Action
from testimonies.recording.steps import first_step_to_do
from testimonies.redaction.generalisation import readable_texts
from testimonies.redaction.redactor import RedactedTexts


class TestimonyNotVisible(Http404):
    """Not there, or not for this user: a 404 either way, the same page as
    for an address that never existed. Raised without a message: Django
    hands an Http404's message to the 404 and debug pages, and nothing may
    tell whether the testimony exists."""


@dataclass(frozen=True)
class TestimonyFacts:
    """Where and when, as one reader may see them."""

    places: list[Place]
    incident: IncidentDates


@dataclass(frozen=True)
class TestimonyCard:
    """One testimony in a list (home page, search results, similar
    testimonies), with its places and dates as the reader may see them."""

    testimony: Testimony
    facts: TestimonyFacts


@dataclass(frozen=True)
class TestimonyPage:
    testimony: Testimony
    # Where and when, as this reader may see them (generalised for the public).
    facts: TestimonyFacts
    narrative: str
    translations: dict[str, str]
    summary: str
    place_trails: list[list[Place]]
    showing_original: bool
    may_read_original: bool
    # To moderators: the consent in force and its history, latest first.
    consent: ConsentRecord | None
    consent_history: list[ConsentRecord]
    # Labels of the consent scopes not granted, shown to moderators.
    scopes_not_granted: list[str]
    may_record_consent: bool
    may_submit: bool
    may_review: bool
    may_withdraw: bool
    may_erase: bool
    # To readers who see the precise places and dates: the narrower public
    # view the approval chose, so that they do not publish the precise ones.
    public_view: TestimonyFacts | None
    may_mark_redactions: bool
    # Flagged words waiting for a decision (shown to those who may read the
    # original; for anyone else such a testimony does not exist).
    undecided_words: int
    may_reveal_identity: bool
    # To the public, where the approval chose a generalised view: the text
    # gives some places and dates less precisely than it was recorded.
    generalised_for_public: bool
    # What the reader may do with it (publish, quote, show its images).
    permitted_use: PermittedUse | None
    # The texts as this reader reads them, the original aside: what the
    # page's "more like this" looks for (search.selectors.testimony_similar).
    readable: RedactedTexts


def with_tags(queryset):
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


def testimonies_facts(testimonies, *, user) -> dict[int, TestimonyFacts]:
    """The places and dates of each testimony (places prefetched), by
    primary key: as recorded, or for the public the generalised ones the
    approval chose (policy.sees_precise_details). One query for all raised
    places."""
    if not policy.sees_precise_details(user):
        return testimonies_public_facts(testimonies)
    return {
        testimony.pk: TestimonyFacts(list(testimony.places.all()), testimony.incident)
        for testimony in testimonies
    }


def testimonies_public_facts(testimonies) -> dict[int, TestimonyFacts]:
    """The places and dates of each testimony (places prefetched) as the
    public sees them, whoever reads, by primary key: what the public reads,
    and what leaves the archive (exports). One query for all raised places."""
    testimonies = list(testimonies)
    raised = {t.pk: t.public_place_slugs() for t in testimonies}
    wanted = {slug for slugs in raised.values() if slugs for slug in slugs}
    by_slug = {p.slug: p for p in Place.objects.filter(slug__in=wanted)}
    facts = {}
    for testimony in testimonies:
        slugs = raised[testimony.pk]
        places = (
            list(testimony.places.all())
            if slugs is None
            else sorted((by_slug[s] for s in slugs if s in by_slug), key=_path)
        )
        facts[testimony.pk] = TestimonyFacts(places, testimony.public_incident)
    return facts


def testimony_cards(testimonies, *, user) -> list[TestimonyCard]:
    """`testimonies` (places prefetched) as `user` may see them listed."""
    testimonies = list(testimonies)
    facts = testimonies_facts(testimonies, user=user)
    return [TestimonyCard(testimony, facts[testimony.pk]) for testimony in testimonies]


def _path(place):
    return place.path


def testimony_detail(*, public_id: str, user, show_original: bool = False):
    """The testimony page for `user`, redacted unless the user may read the
    original and asked to (`showing_original`: the view records the reading,
    testimonies.core.services.original_reading_record). A testimony whose
    flagged words are not all decided is not visible to anyone who may not
    read the original."""
    testimony = (
        with_tags(policy.visible_testimonies(Testimony.objects.all(), user))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None:
        raise TestimonyNotVisible
    may_read_original = policy.allows(user, Action.READ_UNREDACTED, testimony)
    # The public reads places and dates no finer than the public view.
    precise = policy.sees_precise_details(user)
    redacted = readable_texts(testimony, public=not precise)
    if redacted.undecided and not may_read_original:
        # The release gate (consent.services.review.require_decided_words),
        # where it is read: a word that may name someone waits for a person.
        raise TestimonyNotVisible
    showing_original = show_original and may_read_original
    texts = testimony if showing_original else redacted
    facts = testimonies_facts([testimony], user=user)[testimony.pk]
    generalised = bool(
        testimony.public_place_levels_up or testimony.public_date_precision
    )
    # Moderators see the consent history and what was not consented to.
    moderator = policy.sees_everything(user)
    history = list(testimony.consent_records.order_by("-pk")) if moderator else []
    latest = history[0] if history else None
    consent = latest if moderator else testimony.current_consent()
    not_granted = policy.scopes_not_granted(latest) if moderator else []
    return TestimonyPage(
        testimony=testimony,
        facts=facts,
        narrative=texts.narrative,
        translations=dict(texts.translations),
        summary=texts.summary,
        place_trails=place_trails(facts.places),
        showing_original=showing_original,
        may_read_original=may_read_original,
        consent=latest,
        consent_history=history,
        scopes_not_granted=[ConsentScope(scope).label for scope in not_granted],
        may_record_consent=policy.allows(user, Action.RECORD_CONSENT, testimony),
        # The review page is for what waits in the queue.
        may_review=(
            policy.allows(user, Action.REVIEW)
            and testimony.status == TestimonyStatus.SUBMITTED
        ),
        may_submit=policy.allows(user, Action.SUBMIT, testimony)
        and testimony.is_editable,
        may_withdraw=policy.allows(user, Action.WITHDRAW, testimony),
        may_erase=policy.allows(user, Action.ERASE, testimony),
        public_view=(
            TestimonyFacts(testimony.public_places(), testimony.public_incident)
            if precise and generalised
            else None
        ),
        may_mark_redactions=policy.allows(user, Action.MARK_REDACTIONS, testimony),
        undecided_words=redacted.undecided,
        may_reveal_identity=policy.allows(user, Action.REVEAL_IDENTITY, testimony),
        generalised_for_public=generalised and not precise,
        permitted_use=consent.permitted_use if consent else None,
        readable=redacted,
    )


def testimony_tombstone(*, public_id: str, user) -> Erasure:
    """What is left of an erased testimony, for moderators only."""
    if not policy.sees_everything(user):
        raise TestimonyNotVisible
    erasure = (
        Erasure.objects.select_related("testimony", "erased_by")
        .filter(testimony__public_id=public_id)
        .first()
    )
    if erasure is None:
        raise TestimonyNotVisible
    return erasure


@dataclass(frozen=True)
class ArchiveOverview:
    visible_count: int
    recent: list[TestimonyCard]
    place_count: int


def archive_overview(*, user, recent: int = 5) -> ArchiveOverview:
    """What the home page shows: counts and the latest testimonies this user
    may see."""
    visible = policy.visible_testimonies(Testimony.objects.all(), user)
    latest = with_tags(visible).order_by("-recorded_on", "-pk")[:recent]
    return ArchiveOverview(
        visible_count=visible.count(),
        recent=testimony_cards(latest, user=user),
        place_count=Place.objects.filter(testimony__in=visible).distinct().count(),
    )


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
        raise TestimonyNotVisible
    return testimony


def _latest_review(field_name: str):
    latest = Review.objects.filter(testimony=OuterRef("pk")).order_by("-pk")
    return Subquery(latest.values(field_name)[:1])


@dataclass(frozen=True)
class MyTestimonyRow:
    """One row of a documenter's own testimonies: its state, the latest
    review, and what can be done next."""

    testimony: Testimony
    # The latest review's decision (its label; "" if never reviewed), when,
    # and the comment that came with it.
    latest_decision: str
    latest_review_at: datetime.datetime | None
    latest_comment: str
    # May it be submitted now (editable, with consent to keep it archived)?
    submittable: bool
    # May its redaction marks be changed?
    markable: bool
    # The recording step Resume opens (the first not done), if the
    # recording may still be changed.
    resume_step: str | None


def _mine(user):
    """The testimonies `user` recorded and may still see, annotated with
    what each row needs."""
    return (
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
    )


def testimonies_mine(*, user) -> list[MyTestimonyRow]:
    """The testimonies `user` recorded and may still see, newest first, with
    the latest review and what the documenter may do with each now."""
    return _mine_rows(list(_mine(user).order_by("-created_at", "-pk")), user)


MINE_PAGE_SIZE = 25


@dataclass(frozen=True)
class MinePage:
    rows: list[MyTestimonyRow]
    page: Page


def testimonies_mine_page(*, user, filters: dict, page_number=1) -> MinePage:
    """One page of `user`'s own testimonies as `filters` (a
    WorklistFilterForm's) narrow and order them, newest first by default."""
    queryset = worklist_filtered(
        _mine(user), filters, user=user, states=MINE_STATES, default_order="newest"
    )
    page = Paginator(queryset, MINE_PAGE_SIZE).get_page(page_number)
    return MinePage(rows=_mine_rows(list(page.object_list), user), page=page)


def mine_places(*, user):
    """The places a documenter's own list may be filtered by: those tagged on
    their testimonies and the places above them, as the policy lets them
    be shown."""
    places = worklist_places(_mine(user))
    shown = policy.places_visible(places, user)
    return Place.objects.filter(pk__in=[place.pk for place in shown]).order_by("path")


def _mine_rows(testimonies, user) -> list[MyTestimonyRow]:
    # Comments are sealed: opened here, the latest version of each testimony.
    latest_versions = {}
    for version in ReviewedVersion.objects.filter(testimony__in=testimonies).order_by(
        "pk"
    ):
        latest_versions[version.testimony_id] = version
    return [
        MyTestimonyRow(
            testimony=testimony,
            latest_decision=(
                ReviewDecision(testimony.latest_decision).label
                if testimony.latest_decision
                else ""
            ),
            latest_review_at=testimony.latest_review_at,
            latest_comment=(
                version.comment
                if (version := latest_versions.get(testimony.pk))
                else ""
            ),
            # consent_archive: the consent in force (visible_to annotates it for
            # a documenter, whose page this is).
            submittable=bool(testimony.consent_archive) and testimony.is_editable,
            markable=policy.allows(user, Action.MARK_REDACTIONS, testimony),
            resume_step=(
                first_step_to_do(testimony)
                if policy.allows(user, Action.EDIT_RECORDING, testimony)
                else None
            ),
        )
        for testimony in testimonies
    ]
