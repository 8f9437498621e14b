"""Suggested links: which testimonies most likely describe an incident, and
which incidents a testimony most likely describes, each with its reasons.

Three signs, each a reason shown to the person who decides:
- the same place, or a place under one of the incident's (PLACE_WEIGHT);
- dates that overlap the incident's (DATES_WEIGHT);
- similar text: the search index's "more like this" from the incident's
  title and summary in both languages (up to TEXT_WEIGHT, by rank).
Suggestions are offered only to those who may link (documenters their own
testimonies, moderators any kept testimony), among testimonies they may see;
the judged set in tests/testimonies/incidents/test_suggestions.py holds
their quality."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from search.engine import search_engine
from testimonies import policy
from testimonies.core.models import CLOSED_STATUSES, Testimony
from testimonies.core.selectors import TestimonyCard, testimony_cards, with_tags
from testimonies.incidents.models import Incident, IncidentLink
from testimonies.incidents.selectors import incidents_visible_to
from testimonies.policy import Action

PLACE_WEIGHT = 3.0
DATES_WEIGHT = 2.0
TEXT_WEIGHT = 2.0
# How many testimonies "more like this" is asked for, per incident.
TEXT_TOP = 30


@dataclass(frozen=True)
class TestimonySuggestion:
    card: TestimonyCard
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class IncidentSuggestion:
    incident: Incident
    score: float
    reasons: list[str]


def _place_reason(incident, testimony) -> str | None:
    """The place both share, if any (places prefetched on both)."""
    for place in incident.places.all():
        for tagged in testimony.places.all():
            if tagged.path == place.path:
                return _("Same place: %(place)s") % {"place": place.label}
            if tagged.path.startswith(place.path):
                return _("%(place)s lies in %(incident_place)s") % {
                    "place": tagged.label,
                    "incident_place": place.label,
                }
    return None


def _dates_overlap(incident, testimony) -> bool:
    """Do the incident's dates and the testimony's, as known, overlap? A
    date known to the month or year covers the whole month or year."""
    if not (incident.start and testimony.incident_start):
        return False
    first, second = incident.dates.widened(incident.precision), testimony.incident
    second = second.widened(second.precision)
    return first.start <= (second.end or second.start) and second.start <= (
        first.end or first.start
    )


def _incident_text(incident) -> str:
    return "\n".join(
        [incident.title, incident.title_ar, incident.summary, incident.summary_ar]
    )


def _text_ranks(incident, user) -> dict[int, int]:
    """Testimonies like the incident's text, by pk: their rank (0 first),
    among what the index lets `user`'s role see."""
    pks = search_engine().similar_pks(
        pk=0,
        text=_incident_text(incident),
        allowed=policy.search_filter(user),
        top=TEXT_TOP,
    )
    return {pk: rank for rank, pk in enumerate(pks)}


def _scored(incident, testimony, text_rank) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    place = _place_reason(incident, testimony)
    if place:
        score += PLACE_WEIGHT
        reasons.append(place)
    if _dates_overlap(incident, testimony):
        score += DATES_WEIGHT
        reasons.append(
            _("Dates overlap: %(dates)s") % {"dates": testimony.incident.label}
        )
    if text_rank is not None:
        score += TEXT_WEIGHT * (1 - text_rank / TEXT_TOP)
        reasons.append(_("Similar text"))
    return score, reasons


def linkable_testimonies(user):
    """The testimonies `user` may link (Action.LINK_INCIDENT), as a
    queryset: moderators any kept one, documenters their own."""
    kept = policy.visible_testimonies(Testimony.objects.all(), user).exclude(
        status__in=CLOSED_STATUSES
    )
    if policy.sees_everything(user):
        return kept
    if policy.allows(user, Action.PROPOSE_INCIDENT):  # documenters
        return kept.filter(recorded_by=user)
    return kept.none()


def testimonies_suggested(
    *, incident: Incident, user, limit: int = 8
) -> list[TestimonySuggestion]:
    """The testimonies `user` may link that most likely describe `incident`
    and are not linked to it yet, best first, each with its reasons. A
    testimony must share a place with it or read like it; overlapping
    dates add to that, never suffice alone (a month of war has hundreds)."""
    linkable = linkable_testimonies(user).exclude(
        pk__in=IncidentLink.objects.filter(incident=incident).values("testimony_id")
    )
    if not linkable.exists():
        return []
    ranks = _text_ranks(incident, user)
    under = [place.path for place in incident.places.all()]
    by_place = linkable.none()
    for path in under:
        by_place |= linkable.filter(places__path__startswith=path)
    candidates = with_tags(
        linkable.filter(pk__in=list(ranks))
        | linkable.filter(pk__in=by_place.values("pk"))
    ).distinct()
    scored = []
    for testimony in candidates:
        score, reasons = _scored(incident, testimony, ranks.get(testimony.pk))
        if score:
            scored.append((score, testimony, reasons))
    scored.sort(key=lambda row: (-row[0], row[1].public_id))
    scored = scored[:limit]
    cards = testimony_cards([row[1] for row in scored], user=user)
    return [
        TestimonySuggestion(card, score, reasons)
        for card, (score, _testimony, reasons) in zip(cards, scored, strict=True)
    ]


def incidents_suggested(
    *, testimony: Testimony, user, limit: int = 5
) -> list[IncidentSuggestion]:
    """The incidents `user` may see that `testimony` most likely describes
    and is not linked to yet, best first, each with its reasons: the review
    page's suggestions. Text is compared (one index search per incident)
    only for incidents that share a place or dates with the testimony, or
    for all when the testimony has neither: a review page must not search
    the index once per incident of the archive."""
    testimony = with_tags(Testimony.objects.filter(pk=testimony.pk)).get()
    linked = IncidentLink.objects.filter(testimony=testimony).values("incident_id")
    incidents = (
        incidents_visible_to(user).exclude(pk__in=linked).prefetch_related("places")
    )
    anchored = bool(testimony.incident_start or testimony.places.all())
    scored = []
    for incident in incidents:
        if anchored and not (
            _place_reason(incident, testimony) or _dates_overlap(incident, testimony)
        ):
            continue
        ranks = _text_ranks(incident, user)
        score, reasons = _scored(incident, testimony, ranks.get(testimony.pk))
        if score:
            scored.append(IncidentSuggestion(incident, score, reasons))
    scored.sort(key=lambda row: (-row.score, row.incident.public_id))
    return scored[:limit]
