"""Counts behind the map and the timeline (docs/maps.md).

Both count the testimonies a search matches for the asking user
(search.selectors.testimony_match_pks: the search's filters and audience,
confirmed here by the database), with their places and dates as the PUBLIC
sees them, whoever asks (public_facts): the same place data the search's
place facet holds for every audience. A testimony approved with a
generalised place is counted at that place only; the finest level of the map
is the town, so no neighbourhood is ever a point.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from search.selectors import testimony_match_pks
from testimonies import policy
from testimonies.incidents.selectors import incident_list
from testimonies.models import EventType, IncidentDates, Place, PlaceKind, Testimony
from testimonies.places.gazetteer import gazetteer_memo
from testimonies.places.models import generalised_paths, path_slugs, raised_path

# The map's levels, coarsest first: what a cluster counts at each zoom.
MAP_LEVELS = (PlaceKind.GOVERNORATE, PlaceKind.DISTRICT, PlaceKind.TOWN)

# How fine each kind of place is: a testimony is drawn, at a level, at the
# finest place of its public chain that is no finer than the level.
_KIND_RANK = {
    PlaceKind.COUNTRY: 0,
    PlaceKind.GOVERNORATE: 1,
    PlaceKind.DISTRICT: 2,
    PlaceKind.SUBDISTRICT: 3,
    PlaceKind.TOWN: 4,
    PlaceKind.NEIGHBOURHOOD: 5,
}


@dataclass(frozen=True)
class MapPoint:
    """A cluster: the testimonies and the incidents drawn at one place at
    one level."""

    place: Place
    count: int  # testimonies
    incidents: int
    # Where to draw it: the gazetteer's coordinates of the place, or the
    # mean of the places under it (None: nowhere known; listed only).
    latitude: float | None
    longitude: float | None
    # The ISO 3166-2 code of its governorate (the boundary it lies in).
    governorate_code: str
    # False when the place is coarser than the level: testimonies known
    # (to the public) only as far as this place.
    at_level: bool


@dataclass
class MapOutcome:
    levels: dict[str, list[MapPoint]]
    testimonies: int  # distinct testimonies counted
    without_place: int  # of them, those with no place at all
    incidents: int  # distinct incidents counted
    incidents_without_place: int


@dataclass(frozen=True)
class PublicFacts:
    """Where and when one testimony is, as the public sees it."""

    places: list[Place]  # the smallest public places
    dates: IncidentDates
    event_types: list[str]  # slugs


# Rows read per query (SQLite limits the variables of one query).
_BATCH = 500


def public_facts(*, pks, user) -> dict[int, PublicFacts]:
    """The public places, dates and event types of the testimonies among
    `pks` that the database says `user` may see now (testimonies.policy),
    by pk. Read as values, a few queries per 500 testimonies, for counting
    thousands: the places as Testimony.public_place_paths gives them (the
    smallest tagged places, raised as the approval chose) and the dates as
    Testimony.public_incident (widened as it chose), by the same helpers."""
    rows, tags, types = [], [], []
    for start in range(0, len(pks), _BATCH):
        batch = pks[start : start + _BATCH]
        rows += policy.visible_testimonies(Testimony.objects.all(), user).filter(
            pk__in=batch
        ).values_list(
            "pk", "public_place_levels_up", "incident_start", "incident_end",
            "incident_precision", "public_date_precision",
        )  # fmt: skip
        tags += Testimony.places.through.objects.filter(
            testimony_id__in=batch
        ).values_list("testimony_id", "place__path")
        types += Testimony.event_types.through.objects.filter(
            testimony_id__in=batch
        ).values_list("testimony_id", "eventtype__slug")
    paths_of, types_of = defaultdict(list), defaultdict(list)
    for pk, path in tags:
        paths_of[pk].append(path)
    for pk, slug in types:
        types_of[pk].append(slug)
    public_paths = {row[0]: generalised_paths(paths_of[row[0]], row[1]) for row in rows}
    wanted = sorted({path for paths in public_paths.values() for path in paths})
    by_path = {}
    for start in range(0, len(wanted), _BATCH):
        by_path |= {
            place.path: place
            for place in Place.objects.filter(path__in=wanted[start : start + _BATCH])
        }
    return {
        pk: PublicFacts(
            places=[by_path[path] for path in public_paths[pk] if path in by_path],
            dates=IncidentDates(start, end, precision).widened(widened),
            event_types=sorted(types_of[pk]),
        )
        for pk, _levels, start, end, precision, widened in rows
    }


# Incidents are few beside testimonies (one per event): all that match are
# read at once, as the incident list's own counts read them.
_ALL_INCIDENTS = 100_000


def incidents_matching(*, params: dict, user) -> list:
    """The incidents `user` may see that match the search's `params`
    (testimonies.incidents.selectors.incident_list, its filters and
    visibility), each with the places the user may be shown of it; only
    those asked for when the search names incidents."""
    rows = incident_list(
        params={**params, "page": 1, "page_size": _ALL_INCIDENTS}, user=user
    ).rows
    wanted = set(params.get("incident") or [])
    return [row for row in rows if not wanted or row.incident.public_id in wanted]


def _positions() -> dict[str, tuple[float, float]]:
    """{path: (latitude, longitude)} of the gazetteer places that have a
    position: their own; else, for an area, the mean of the places under it
    that have one; else, below a governorate, its parent's. A governorate
    with none is left out (the map places it at its boundary's label point).
    The position is the gazetteer's, never anything of a testimony's. Places
    that documenters added are left out: theirs are private (Place)."""
    rows = list(
        Place.objects.filter(added_by_documenter=False).values_list(
            "path", "kind", "latitude", "longitude"
        )
    )
    own = {path: (lat, lon) for path, _kind, lat, lon in rows if lat is not None}
    sums = defaultdict(lambda: [0.0, 0.0, 0])
    for path, (lat, lon) in own.items():
        slugs = path_slugs(path)
        for depth in range(1, len(slugs)):
            total = sums["/" + "".join(f"{s}/" for s in slugs[:depth])]
            total[0] += lat
            total[1] += lon
            total[2] += 1
    positions = {}
    # Shallowest first, so that a parent's position is known before its
    # children may need it.
    for path, kind, _lat, _lon in sorted(rows, key=lambda row: row[0].count("/")):
        total = sums.get(path)
        if path in own:
            positions[path] = own[path]
        elif total:
            positions[path] = (total[0] / total[2], total[1] / total[2])
        elif _KIND_RANK.get(kind, 0) > _KIND_RANK[PlaceKind.GOVERNORATE]:
            parent = raised_path(path, 1)
            if parent in positions:
                positions[path] = positions[parent]
    return positions


def place_positions() -> dict[str, tuple[float, float]]:
    """_positions(), built again when the gazetteer changes."""
    return gazetteer_memo("search:map-positions", _positions)


def _chains(places) -> dict[str, list[Place]]:
    """{slug: [its governorate ... itself]} for each place, in one query."""
    slugs = {slug for place in places for slug in place.ancestor_slugs}
    by_slug = {p.slug: p for p in Place.objects.filter(slug__in=slugs)}
    return {
        place.slug: [by_slug[s] for s in place.ancestor_slugs if s in by_slug]
        for place in places
    }


def _drawn_at(chain: list[Place], level: str) -> Place:
    """The finest place of a chain no finer than `level`."""
    rank = _KIND_RANK[level]
    kept = [p for p in chain if _KIND_RANK.get(p.kind, 9) <= rank]
    return kept[-1] if kept else chain[0]


def map_points(*, params: dict, user) -> MapOutcome:
    """The clusters of the map at every level for the testimonies and the
    incidents `user` may see that match `params` (cleaned by SearchForm).
    Each counts once in a cluster, and in every cluster one of its places
    lies in."""
    facts = public_facts(pks=testimony_match_pks(params=params, user=user), user=user)
    incidents = incidents_matching(params=params, user=user)
    tagged = [(("t", pk), fact.places) for pk, fact in facts.items()]
    tagged += [(("i", row.incident.pk), row.places) for row in incidents]
    chains = _chains({p.slug: p for _key, places in tagged for p in places}.values())
    positions = place_positions()
    members = {level: defaultdict(set) for level in MAP_LEVELS}
    drawn = {}
    for key, places in tagged:
        for place in places:
            chain = chains[place.slug]
            for level in MAP_LEVELS:
                at = _drawn_at(chain, level)
                drawn[at.slug] = (at, chain)
                members[level][at.slug].add(key)
    levels = {}
    for level in MAP_LEVELS:
        points = []
        for slug, keys in members[level].items():
            place, chain = drawn[slug]
            position = positions.get(place.path)
            governorate = next(
                (p for p in chain if p.kind == PlaceKind.GOVERNORATE), None
            )
            points.append(
                MapPoint(
                    place=place,
                    count=sum(kind == "t" for kind, _pk in keys),
                    incidents=sum(kind == "i" for kind, _pk in keys),
                    latitude=position[0] if position else None,
                    longitude=position[1] if position else None,
                    governorate_code=governorate.external_code if governorate else "",
                    at_level=place.kind == level,
                )
            )
        levels[level] = sorted(
            points, key=lambda p: (-p.count, -p.incidents, p.place.path)
        )
    return MapOutcome(
        levels=levels,
        testimonies=len(facts),
        without_place=sum(not fact.places for fact in facts.values()),
        incidents=len(incidents),
        incidents_without_place=sum(not row.places for row in incidents),
    )


# The timeline's span, in whole months (docs/maps.md).
TIMELINE_FIRST = datetime.date(2011, 1, 1)
TIMELINE_LAST = datetime.date(2025, 12, 31)


def _month(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def timeline_months() -> list[str]:
    """Every month of the timeline, "YYYY-MM", in order."""
    months, year, month = [], TIMELINE_FIRST.year, TIMELINE_FIRST.month
    while (year, month) <= (TIMELINE_LAST.year, TIMELINE_LAST.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class TimelineSpan:
    """Records whose dates are known only over several months (to the year,
    or a longer range): drawn as one band, never spread."""

    first: str  # "YYYY-MM"
    last: str
    count: int
    by_event_type: dict[str, int]


@dataclass
class TimelineSeries:
    """Records (testimonies, or incidents) by month of their dates: those
    dated within one month by month, by event type slug ("" for none), with
    the distinct records per month; the others in bands."""

    by_month: dict[str, dict[str, int]]
    totals: dict[str, int]
    spans: list[TimelineSpan]
    count: int
    undated: int
    outside: int  # dated, but not within the timeline's span
    event_types: set[str]


def _series(dated) -> TimelineSeries:
    """The TimelineSeries of `dated`: (IncidentDates, event type slugs) pairs."""
    dated = list(dated)
    by_month = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(int)
    spans: dict[tuple[str, str], TimelineSpan] = {}
    used_types = set()
    undated = outside = 0
    for dates, slugs in dated:
        if not dates.start:
            undated += 1
            continue
        start, end = dates.start, dates.end or dates.start
        if start > TIMELINE_LAST or end < TIMELINE_FIRST:
            outside += 1
            continue
        types = sorted(slugs) or [""]
        used_types.update(types)
        first = _month(max(start, TIMELINE_FIRST))
        last = _month(min(end, TIMELINE_LAST))
        if first == last:
            totals[first] += 1
            for slug in types:
                by_month[first][slug] += 1
            continue
        span = spans.setdefault(
            (first, last), TimelineSpan(first, last, 0, defaultdict(int))
        )
        span.count += 1
        for slug in types:
            span.by_event_type[slug] += 1
    return TimelineSeries(
        by_month={month: dict(counts) for month, counts in by_month.items()},
        totals=dict(totals),
        spans=[
            TimelineSpan(s.first, s.last, s.count, dict(s.by_event_type))
            for _key, s in sorted(spans.items())
        ],
        count=len(dated),
        undated=undated,
        outside=outside,
        event_types=used_types,
    )


@dataclass
class TimelineOutcome:
    months: list[str]
    testimonies: TimelineSeries
    incidents: TimelineSeries
    event_types: list[EventType]  # those counted, in the vocabulary's order


def timeline_counts(*, params: dict, user) -> TimelineOutcome:
    """The testimonies `user` may see that match `params` (cleaned by
    SearchForm) per month of their incident, as the public sees the dates,
    stacked by event type (a testimony of two types is in both stacks, once
    in the month's total), and the incidents they may see that match, per
    month of their dates. Dates known over more than a month are counted in
    bands of their own, never spread onto months or days."""
    facts = public_facts(pks=testimony_match_pks(params=params, user=user), user=user)
    testimony_series = _series((f.dates, f.event_types) for f in facts.values())
    incident_series = _series(
        (row.incident.dates, [e.slug for e in row.incident.event_types.all()])
        for row in incidents_matching(params=params, user=user)
    )
    used = testimony_series.event_types | incident_series.event_types
    return TimelineOutcome(
        months=timeline_months(),
        testimonies=testimony_series,
        incidents=incident_series,
        event_types=list(EventType.objects.filter(slug__in=used)),
    )
