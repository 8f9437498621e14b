"""Reads about incidents, always through the access policy: what a user is
never shown (an incident with no link shown to them, a link they may not
see) is absent from every answer, never merely hidden in a template.

Corroboration counts witnesses, not testimonies: one witness's three
accounts are one witness. It counts only the links shown to the asking user
(testimonies.policy.links_shown) whose role is "describes", so a hidden
testimony never changes a number (docs/incidents.md).

Whether the witnesses come from more than one community is read from their
sealed identities, so it is said only when it cannot single anyone out:
every community group among the describing witnesses the reader may see
holds at least ARCHIVE_REID_K of them (several_communities). With two or
three witnesses, "yes" or a breakdown would tell each one's community; and
"no", whatever their number, would tell anyone who knows one witness's
community the community of every other, so it is never said."""

import datetime
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.conf import settings
from django.http import Http404

from testimonies.core.models import Testimony
from testimonies.core.selectors import TestimonyCard, testimony_cards, with_tags
from testimonies.core.vocabularies import Community, EventType
from testimonies.incidents.models import Incident, IncidentLink, LinkRole
from testimonies.places.models import Place
from testimonies.policy import links_shown, places_visible, visible_incidents
from testimonies.textnorm import fold
from testimonies.vault.identity import identity_communities


class IncidentNotVisible(Http404):
    """Not there, or not for this user: the same 404 as an address that
    never existed, raised without a message (it would reach the 404 page)."""


def incidents_visible_to(user, *, on=None):
    """The current (not merged) incidents `user` may see, as a queryset."""
    return visible_incidents(Incident.objects.current(), user, on=on)


class SeveralCommunities(StrEnum):
    """Do the describing witnesses come from more than one community (their
    own, as they gave it: not the communities their accounts concern)?"""

    YES = "yes"
    # Said as such; there is no "no". A group below k could be singled out,
    # and "all from one community" tells the community of all of them to
    # anyone who knows one (a group however large is as telling as one).
    NOT_SHOWN = "not_shown"


def several_communities(groups: dict, *, k: int) -> SeveralCommunities:
    """The answer for `groups` ({community pk or None (not given): number
    of witnesses}): YES when at least two communities are given and every
    group holds at least `k` witnesses, else NOT_SHOWN. "Not given" is no
    community of its own (it never makes a YES), but a small group of it is
    as telling as any other."""
    if any(0 < n < k for n in groups.values()):
        return SeveralCommunities.NOT_SHOWN
    named = [c for c, n in groups.items() if c is not None and n]
    return SeveralCommunities.YES if len(named) > 1 else SeveralCommunities.NOT_SHOWN


@dataclass(frozen=True)
class Corroboration:
    """How many distinct witnesses describe an incident among the
    testimonies the reader may see, and the communities those testimonies
    concern. `several_communities` (a SeveralCommunities, or "" where it
    was not computed: the list) is about the witnesses' own communities."""

    witnesses: int = 0
    testimonies: int = 0
    communities: list = field(default_factory=list)
    several_communities: str = ""


def incident_describing_witness_ids(*, incident, user) -> set[int]:
    """The witnesses of the links shown to `user` that describe `incident`."""
    return set(
        links_shown(
            IncidentLink.objects.filter(incident=incident, role=LinkRole.DESCRIBES),
            user,
        ).values_list("testimony__witness_id", flat=True)
    )


def witness_community_groups(witness_ids) -> Counter:
    """{community pk or None (not given): number of these witnesses}, read
    from their sealed identities (one opening each)."""
    return Counter(identity_communities(witness_ids).values())


def witnesses_several_communities(witness_ids) -> SeveralCommunities:
    """several_communities over these witnesses, at the archive's k."""
    return several_communities(
        witness_community_groups(witness_ids), k=settings.ARCHIVE_REID_K
    )


@dataclass(frozen=True)
class CommunityGroup:
    """One line of the moderators' breakdown: a community (None: not given)
    and how many of the describing witnesses belong to it."""

    community: Community | None
    witnesses: int


def witness_community_breakdown(*, incident, user) -> list[CommunityGroup]:
    """How many of the describing witnesses `user` may see belong to each
    community, largest first, "not given" last. Never shown in passing: the
    service witness_communities_read asks the policy and records the
    reading first; nothing of it goes to the index, the API, the logs,
    exports or the cache."""
    groups = witness_community_groups(
        incident_describing_witness_ids(incident=incident, user=user)
    )
    communities = Community.objects.in_bulk([c for c in groups if c is not None])
    # A community since taken out of the vocabulary reads as not given.
    counted = Counter()
    for pk, n in groups.items():
        counted[communities.get(pk)] += n
    return sorted(
        (CommunityGroup(community, n) for community, n in counted.items()),
        key=lambda g: (
            g.community is None,
            -g.witnesses,
            g.community and g.community.name,
        ),
    )


def incidents_corroboration(incidents, *, user) -> dict[int, Corroboration]:
    """Corroboration of each incident, by pk, in three queries for all:
    the links shown to `user` that describe, their witnesses, and the
    communities of those testimonies."""
    pks = [incident.pk for incident in incidents]
    rows = links_shown(
        IncidentLink.objects.filter(incident_id__in=pks, role=LinkRole.DESCRIBES),
        user,
    ).values_list("incident_id", "testimony_id", "testimony__witness_id")
    testimonies, witnesses = {}, {}
    for incident_id, testimony_id, witness_id in rows:
        testimonies.setdefault(incident_id, set()).add(testimony_id)
        witnesses.setdefault(incident_id, set()).add(witness_id)
    every_testimony = {t for ids in testimonies.values() for t in ids}
    tags = Testimony.communities.through.objects.filter(
        testimony_id__in=every_testimony
    ).values_list("testimony_id", "community_id")
    by_testimony = {}
    for testimony_id, community_id in tags:
        by_testimony.setdefault(testimony_id, set()).add(community_id)
    communities = Community.objects.in_bulk(
        {c for ids in by_testimony.values() for c in ids}
    )
    result = {}
    for pk in pks:
        community_ids = {
            c for t in testimonies.get(pk, ()) for c in by_testimony.get(t, ())
        }
        result[pk] = Corroboration(
            witnesses=len(witnesses.get(pk, ())),
            testimonies=len(testimonies.get(pk, ())),
            communities=sorted(
                (communities[c] for c in community_ids), key=lambda c: c.name
            ),
        )
    return result


@dataclass(frozen=True)
class LinkedTestimony:
    card: TestimonyCard
    role: str

    @property
    def role_label(self) -> str:
        return LinkRole(self.role).label


@dataclass(frozen=True)
class IncidentPage:
    incident: Incident
    places: list
    event_types: list
    communities: list
    linked: list[LinkedTestimony]
    corroboration: Corroboration


def incident_resolve(*, public_id: str, user) -> Incident:
    """The incident at `public_id` as `user` may reach it: a merged
    incident is the one it was merged into (its page redirects there).
    IncidentNotVisible when there is none for this user."""
    incident = Incident.objects.filter(public_id=public_id).first()
    seen = set()
    while incident is not None and incident.merged_into_id:
        if incident.pk in seen:  # a loop of merges cannot be written; guard
            incident = None
            break
        seen.add(incident.pk)
        incident = incident.merged_into
    if incident is None or not incidents_visible_to(user).filter(pk=incident.pk):
        raise IncidentNotVisible
    return incident


def incident_detail(*, incident: Incident, user) -> IncidentPage:
    """What the incident page shows to `user` (the incident resolved by
    incident_resolve): its details, the testimonies linked to it that they
    may be shown, and its corroboration."""
    links = (
        links_shown(IncidentLink.objects.filter(incident=incident), user)
        .select_related("testimony")
        .order_by("role", "testimony__incident_start", "linked_at")
    )
    roles = {link.testimony_id: link.role for link in links}
    testimonies = with_tags(Testimony.objects.filter(pk__in=roles)).order_by(
        "incident_start", "pk"
    )
    cards = testimony_cards(testimonies, user=user)
    linked = sorted(
        (LinkedTestimony(card, roles[card.testimony.pk]) for card in cards),
        key=lambda row: row.role != LinkRole.DESCRIBES,
    )
    return IncidentPage(
        incident=incident,
        places=places_visible(incident.places.order_by("path"), user),
        event_types=list(incident.event_types.all()),
        communities=list(incident.communities.all()),
        linked=linked,
        corroboration=replace(
            incidents_corroboration([incident], user=user)[incident.pk],
            several_communities=witnesses_several_communities(
                incident_describing_witness_ids(incident=incident, user=user)
            ),
        ),
    )


def testimony_incidents(*, testimony: Testimony, user) -> list[tuple]:
    """The incidents a (visible) testimony is linked to, as `user` may be
    shown them: (incident, role) for each link shown to them."""
    links = links_shown(
        IncidentLink.objects.filter(testimony=testimony, incident__merged_into=None),
        user,
    ).select_related("incident")
    return [(link.incident, link.role) for link in links]


# The filters of the incident list (the search's, less its sort).
LIST_FILTERS = ("place", "community", "event_type")


@dataclass
class IncidentRow:
    incident: Incident
    places: list
    corroboration: Corroboration


@dataclass
class IncidentListOutcome:
    count: int
    page: int
    pages: int
    page_size: int
    rows: list[IncidentRow]
    facets: dict

    @property
    def past_last(self) -> bool:
        return self.page > self.pages


def _facet_values(incident) -> dict[str, set[str]]:
    """The facet values of one incident (tags prefetched): its places with
    their ancestors (a governorate counts the incidents in its towns), its
    communities and event types, and the years it spans."""
    years = set()
    if incident.start:
        last = (incident.end or incident.start).year
        years = {
            str(y)
            for y in range(incident.start.year, min(last, incident.start.year + 14) + 1)
        }
    return {
        "place": {s for p in incident.places.all() for s in p.ancestor_slugs},
        "community": {c.slug for c in incident.communities.all()},
        "event_type": {e.slug for e in incident.event_types.all()},
        "year": years,
    }


def _matches_text(incident, words: list[str]) -> bool:
    haystack = fold(
        " ".join(
            [incident.title, incident.title_ar, incident.summary, incident.summary_ar]
            + [p.name for p in incident.places.all()]
            + [p.name_ar for p in incident.places.all()]
        )
    )
    return all(word in haystack for word in words)


def _within_dates(incident, date_from, date_to) -> bool:
    if not (date_from or date_to):
        return True
    if not incident.start:
        return False
    end = incident.end or incident.start
    return (not date_from or end >= date_from) and (
        not date_to or incident.start <= date_to
    )


def _facet_counts(candidates, values, params, *, user) -> dict:
    """Each facet's values with the number of incidents that would match
    with that value ticked: counted with every other filter but not its
    own, as the search's facets are (search.selectors)."""
    facets = {}
    models = {"place": Place, "community": Community, "event_type": EventType}
    for name, model in models.items():
        counts = {}
        for incident in candidates:
            if not _passes(values[incident.pk], params, but=name):
                continue
            for value in values[incident.pk][name]:
                counts[value] = counts.get(value, 0) + 1
        rows = model.objects.filter(slug__in=counts)
        if model is Place:
            rows = places_visible(rows, user)
        entries = []
        for row in rows:
            entry = {"slug": row.slug, "name": row.label, "count": counts[row.slug]}
            if model is Place:
                ancestors = row.ancestor_slugs
                entry |= {
                    "kind": row.kind,
                    "parent": ancestors[-2] if len(ancestors) > 1 else None,
                }
            entries.append(entry)
        facets[name] = sorted(entries, key=lambda e: (-e["count"], e["name"]))
    years = {}
    for incident in candidates:
        if _passes(values[incident.pk], params, but="year"):
            for year in values[incident.pk]["year"]:
                years[year] = years.get(year, 0) + 1
    facets["year"] = [
        {"value": year, "count": n} for year, n in sorted(years.items(), reverse=True)
    ]
    return facets


def _passes(values, params, *, but="") -> bool:
    for name in LIST_FILTERS:
        wanted = params.get(name) or []
        if name != but and wanted and not values[name] & set(wanted):
            return False
    return True


def incident_list(*, params: dict, user) -> IncidentListOutcome:
    """One page of the incidents `user` may see that match `params` (cleaned
    by IncidentListForm), newest first, with facet counts over what they
    may see. Incidents are few beside testimonies (one per event): they
    are filtered and counted here rather than in the search index."""
    page, page_size = params.get("page") or 1, params.get("page_size") or 20
    incidents = list(
        incidents_visible_to(user).prefetch_related(
            "places", "communities", "event_types"
        )
    )
    words = fold(params.get("q") or "").split()
    date_from, date_to = params.get("date_from"), params.get("date_to")
    candidates = [
        incident
        for incident in incidents
        if _matches_text(incident, words)
        and _within_dates(incident, date_from, date_to)
    ]
    values = {incident.pk: _facet_values(incident) for incident in candidates}
    facets = _facet_counts(candidates, values, params, user=user)
    matching = [i for i in candidates if _passes(values[i.pk], params)]
    matching.sort(key=lambda i: (i.start or datetime.date.min, i.title), reverse=True)
    count = len(matching)
    window = matching[(page - 1) * page_size : page * page_size]
    corroboration = incidents_corroboration(window, user=user)
    rows = [
        IncidentRow(
            incident=incident,
            places=places_visible(incident.places.all(), user),
            corroboration=corroboration[incident.pk],
        )
        for incident in window
    ]
    return IncidentListOutcome(
        count=count,
        page=page,
        pages=max(1, math.ceil(count / page_size)),
        page_size=page_size,
        rows=rows,
        facets=facets,
    )
