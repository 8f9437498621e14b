"""Reads behind the testimony pages. Access comes from archive.policy only."""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from archive import policy
from archive.audit import audit_record
from archive.models import AuditAction

from .models import ConsentScope, Erasure, Place, Testimony
from .redaction import redacted_texts


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
    # Labels of the consent scopes not granted, shown to moderators.
    scopes_not_granted: list = field(default_factory=list)
    may_withdraw: bool = False
    may_erase: bool = False


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
    page.may_withdraw = policy.may_withdraw(user, testimony)
    page.may_erase = policy.may_erase(user, testimony)
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
