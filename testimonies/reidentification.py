"""The re-identification check before public release (issue 4, item 6).

A witness can be picked out of a public archive by what the page shows about
the account even with every name removed: the neighbourhood, the day, the
community, and what a neighbour knows of the witness (gender, age). Before a
testimony is approved for the public, its moderator sees how many witnesses
in public share its quasi-identifiers:

- the smallest tagged place(s) (the deepest in the gazetteer),
- the communities concerned,
- the incident month (the year only, when only the year is known or shown),
- the witness's gender and age band at the incident (from the identity vault,
  read through testimonies.identity, and never shown: only counted).

A group smaller than k (settings.ARCHIVE_REID_K) is a warning, and the
moderator can approve a generalised public view instead (place raised to its
parent, dates widened to the month or the year); this module says how large
the group becomes under each.

How a group is counted. Other testimonies are taken as the public sees them
now (their own generalisation applied) and described at the candidate's
granularity: one published in Hai Al Kusour falls in the group of a candidate
shown in Banias, but one shown only as "Banias" does not fall in the group of
a candidate shown in Hai Al Kusour (it cannot be told apart from others of
that town, not from the candidate). Gender, age band and communities must be
equal. A group counts witnesses, not testimonies: five accounts of one
person are still one person.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from archive import policy

from .identity import identity_read
from .models import PublicDatePrecision, Testimony
from .models.places import generalised_paths

# (lowest age, label), the first band whose lowest age the witness reached.
AGE_BANDS = (
    (60, "60+"),
    (45, "45-59"),
    (30, "30-44"),
    (18, "18-29"),
    (0, "under 18"),
)
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Generalisation:
    """One public view a moderator may choose at approval."""

    key: str
    label: str
    place_levels_up: int
    date_precision: str

    def applies_to(self, testimony: Testimony) -> bool:
        return (testimony.public_place_levels_up, testimony.public_date_precision) == (
            self.place_levels_up,
            self.date_precision,
        )


MONTH, YEAR = PublicDatePrecision.MONTH, PublicDatePrecision.YEAR
# In the order of what they take away from readers, least first.
GENERALISATIONS = {
    g.key: g
    for g in (
        Generalisation("recorded", _("As recorded"), 0, ""),
        Generalisation("month", _("Dates widened to the month"), 0, MONTH),
        Generalisation("place", _("Place raised to the next larger one"), 1, ""),
        Generalisation("year", _("Dates widened to the year"), 0, YEAR),
        Generalisation(
            "place_month", _("Place raised and dates widened to the month"), 1, MONTH
        ),
        Generalisation(
            "place_year", _("Place raised and dates widened to the year"), 1, YEAR
        ),
    )
}
AS_RECORDED = GENERALISATIONS["recorded"]


def generalisation_of(testimony: Testimony) -> Generalisation | None:
    """The offered generalisation a testimony's public view uses, if any."""
    return next((g for g in GENERALISATIONS.values() if g.applies_to(testimony)), None)


def age_band(birth_year: int | None, on_year: int | None) -> str:
    if birth_year is None or on_year is None or birth_year > on_year:
        return UNKNOWN
    age = on_year - birth_year
    return next(label for lowest, label in AGE_BANDS if age >= lowest)


@dataclass(frozen=True)
class QuasiIdentifiers:
    places: tuple[str, ...]  # gazetteer paths of the smallest places shown
    communities: tuple[str, ...]  # slugs, sorted
    month: tuple[int, int | None] | None  # (year, month or None), None: unknown
    gender: str
    age_band: str

    def covers(self, other: "QuasiIdentifiers") -> bool:
        """Does `other`, described at this one's granularity, give the same
        values? (Only an `other` at least as precise can.)"""
        return (
            (self.communities, self.gender, self.age_band)
            == (other.communities, other.gender, other.age_band)
            and _month_covers(self.month, other.month)
            and _places_cover(self.places, other.places)
        )


def _month_covers(mine, other) -> bool:
    if mine is None or other is None:
        return mine == other
    year, month = mine
    return other[0] == year and (month is None or other[1] == month)


def _places_cover(mine: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Each of the other's places lies in one of mine, and every one of mine
    holds one of the other's: the same set of places at my granularity."""
    held = set()
    for path in other:
        container = next((p for p in mine if path.startswith(p)), None)
        if container is None:
            return False
        held.add(container)
    return held == set(mine)


def _incident_month(dates) -> tuple[int, int | None] | None:
    if not dates.start:
        return None
    month = None if dates.precision == YEAR else dates.start.month
    return (dates.start.year, month)


def quasi_identifiers(
    testimony: Testimony, *, identity, place_levels_up: int, date_precision: str
) -> QuasiIdentifiers:
    """A testimony's quasi-identifiers under a public view. `identity` is the
    witness's (identity_read), or None; the places and communities are read
    from the testimony (prefetch them)."""
    dates = testimony.incident.widened(date_precision)
    on = testimony.incident_start or testimony.recorded_on
    return QuasiIdentifiers(
        places=tuple(
            generalised_paths(
                [place.path for place in testimony.places.all()], place_levels_up
            )
        ),
        communities=tuple(sorted(c.slug for c in testimony.communities.all())),
        month=_incident_month(dates),
        gender=(identity.gender if identity else "") or UNKNOWN,
        age_band=age_band(
            identity.birth_year if identity else None, on.year if on else None
        ),
    )


@dataclass(frozen=True)
class GroupSize:
    generalisation: Generalisation
    size: int
    below_k: bool


@dataclass(frozen=True)
class ReidentificationCheck:
    k: int
    public_count: int  # testimonies the public sees now, this one aside
    recorded: GroupSize  # the testimony as recorded
    options: list[GroupSize]  # each generalisation that changes the public view

    @property
    def below_k(self) -> bool:
        return self.recorded.below_k

    @property
    def group_size(self) -> int:
        return self.recorded.size

    def suggested(self, testimony: Testimony) -> Generalisation:
        """The view to preselect: a generalisation chosen before, if it is
        offered; else as recorded when that is safe; else the least
        generalisation that reaches k, or the widest one when none does."""
        offered = [option.generalisation for option in self.options]
        chosen = generalisation_of(testimony)
        if chosen is not AS_RECORDED and chosen in offered:
            return chosen
        if not self.below_k:
            return AS_RECORDED
        safe = [o.generalisation for o in self.options if not o.below_k]
        return safe[0] if safe else offered[-1]


def _public_testimonies(exclude_pk, on):
    public = policy.visible_testimonies(Testimony.objects.all(), AnonymousUser(), on=on)
    return (
        public.exclude(pk=exclude_pk)
        .select_related("witness")
        .prefetch_related("places", "communities")
    )


def reidentification_check(
    *, testimony: Testimony, k: int | None = None, on: datetime.date | None = None
) -> ReidentificationCheck:
    """How many witnesses in public would share the quasi-identifiers of
    `testimony` if it were published, as recorded and under each offered
    generalisation (those that would change nothing are left out). Counted
    over what the public sees now (archive.policy.visible_testimonies for an
    anonymous visitor) plus this testimony; `k` defaults to
    settings.ARCHIVE_REID_K, `on` to today. One query for the public testimonies; each
    witness's identity is read once."""
    k = k or settings.ARCHIVE_REID_K
    identities = {}

    def identity_of(row):
        if row.witness_id not in identities:
            identities[row.witness_id] = identity_read(witness=row.witness)
        return identities[row.witness_id]

    public = list(_public_testimonies(testimony.pk, on))
    others = [
        (
            row.witness_id,
            quasi_identifiers(
                row,
                identity=identity_of(row),
                place_levels_up=row.public_place_levels_up,
                date_precision=row.public_date_precision,
            ),
        )
        for row in public
    ]
    identity = identity_of(testimony)
    sizes, seen_views = [], set()
    for generalisation in GENERALISATIONS.values():
        mine = quasi_identifiers(
            testimony,
            identity=identity,
            place_levels_up=generalisation.place_levels_up,
            date_precision=generalisation.date_precision,
        )
        # What the page would show; an option showing the same as an earlier
        # one is no choice.
        view = (mine.places, testimony.incident.widened(generalisation.date_precision))
        if view in seen_views:
            continue
        seen_views.add(view)
        witnesses = {testimony.witness_id}
        witnesses.update(w for w, theirs in others if mine.covers(theirs))
        size = len(witnesses)
        sizes.append(GroupSize(generalisation, size, size < k))
    return ReidentificationCheck(
        k=k, public_count=len(public), recorded=sizes[0], options=sizes
    )
