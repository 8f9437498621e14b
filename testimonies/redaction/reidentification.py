"""The re-identification check before public release.

A witness can be picked out of a public archive by what the page shows about
the account even with every name removed: the neighbourhood, the day, the
community, and what a neighbour knows of the witness (gender, age). Before a
testimony is approved for the public, its moderator sees how many witnesses
in public share its quasi-identifiers:

- the smallest tagged place(s) (the deepest in the gazetteer),
- the communities concerned,
- the incident month (the year only, when only the year is known or shown),
- the witness's gender and age band at the incident (from the identity vault,
  read through testimonies.vault.identity, and never shown: only counted).

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
person are still one person. And what one witness's accounts disclose is
counted together: the public reads them under one pseudonym, so it learns
the union of their places, communities and months (Disclosure), for the
candidate and for every witness it is compared with.

The check runs again after approval (testimonies.consent.services.public_holds):
- when consent to publish arrives for an approved testimony (a testimony
  approved for researchers only, consent widened later): if its group under
  its public view is below k, it is held back from the public;
- when testimonies leave the public (consent withdrawn, erasure): any other
  witness whose group counted that witness and now falls below k (from k or
  more) has its public testimonies held back from the public.
A testimony held back stays visible to researchers; it is listed in the
moderators' queue, and a moderator releases it with a public view chosen
after seeing the check again (or leaves it held).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from testimonies import policy
from testimonies.models import PublicDatePrecision, Testimony
from testimonies.places.models import generalised_paths, smallest_paths
from testimonies.vault.identity import identity_read

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
class Disclosure:
    """What the public learns of one witness from testimonies it reads under
    the witness's one pseudonym: the union of what each of them discloses.
    The witness's gender and age band come from the identity vault and are
    read only when needed (Group)."""

    places: tuple[str, ...]  # gazetteer paths of the smallest places shown
    communities: tuple[str, ...]  # slugs, sorted
    # (year, month or None) of each incident; None: a testimony without dates
    months: tuple
    years: tuple  # the year of each incident (or recording): the age bands

    def joined(self, other: "Disclosure | None") -> "Disclosure":
        if other is None:
            return self
        return Disclosure(
            places=tuple(smallest_paths(self.places + other.places)),
            communities=tuple(sorted(set(self.communities + other.communities))),
            months=_finest_months(self.months + other.months),
            years=tuple(sorted(set(self.years + other.years), key=str)),
        )

    def covers(self, other: "Disclosure") -> bool:
        """Does `other`, described at this one's granularity, give the same
        places, communities and months? (Only an `other` at least as
        precise can.)"""
        return (
            self.communities == other.communities
            and _cover(self.months, other.months, _month_holds)
            and _cover(self.places, other.places, _path_holds)
        )


def _finest_months(months) -> tuple:
    """A set of months without the years that a month of them already
    names: "March 2025" says all that "2025" does."""
    months = set(months)
    named = {m[0] for m in months if m is not None and m[1] is not None}
    kept = {m for m in months if m is None or m[1] is not None or m[0] not in named}
    return tuple(sorted(kept, key=_month_order))


def _month_order(month) -> tuple[int, int]:
    return (-1, 0) if month is None else (month[0], month[1] or 0)


def _month_holds(mine, other) -> bool:
    if mine is None or other is None:
        return mine == other
    year, month = mine
    return other[0] == year and (month is None or other[1] == month)


def _path_holds(mine: str, other: str) -> bool:
    return other.startswith(mine)


def _cover(mine: tuple, other: tuple, holds) -> bool:
    """Each of the other's values lies in one of mine, and every one of mine
    holds one of the other's: the same set at my granularity."""
    held = set()
    for value in other:
        container = next((m for m in mine if holds(m, value)), None)
        if container is None:
            return False
        held.add(container)
    return held == set(mine)


def _incident_month(dates) -> tuple[int, int | None] | None:
    if not dates.start:
        return None
    month = None if dates.precision == YEAR else dates.start.month
    return (dates.start.year, month)


def disclosure(
    testimony: Testimony, *, place_levels_up: int, date_precision: str
) -> Disclosure:
    """What one testimony discloses under a public view (places and
    communities prefetched)."""
    dates = testimony.incident.widened(date_precision)
    on = testimony.incident_start or testimony.recorded_on
    return Disclosure(
        places=tuple(
            generalised_paths(
                [place.path for place in testimony.places.all()], place_levels_up
            )
        ),
        communities=tuple(sorted(c.slug for c in testimony.communities.all())),
        months=(_incident_month(dates),),
        years=(on.year if on else None,),
    )


def published_disclosure(testimony: Testimony) -> Disclosure:
    """What a testimony discloses as the public reads it (its own view)."""
    return disclosure(
        testimony,
        place_levels_up=testimony.public_place_levels_up,
        date_precision=testimony.public_date_precision,
    )


class _Public:
    """The public archive as one read: each witness's disclosure, the union
    over the testimonies the public reads under the witness's pseudonym,
    and (read on demand, once per witness) gender and age bands."""

    def __init__(self, testimonies):
        self.testimonies = list(testimonies)
        self.disclosures: dict[int, Disclosure] = {}
        self.witnesses = {}
        for row in self.testimonies:
            self.witnesses[row.witness_id] = row.witness
            self.disclosures[row.witness_id] = published_disclosure(row).joined(
                self.disclosures.get(row.witness_id)
            )
        self._identities = {}

    def person(self, witness, years) -> tuple[str, tuple[str, ...]]:
        """Gender and the age bands at these years, from the vault."""
        if witness.pk not in self._identities:
            self._identities[witness.pk] = identity_read(witness=witness)
        identity = self._identities[witness.pk]
        birth_year = identity.birth_year if identity else None
        return (
            (identity.gender if identity else "") or UNKNOWN,
            tuple(sorted({age_band(birth_year, year) for year in years})),
        )

    def group(self, witness, mine: Disclosure, *, without=()) -> int:
        """How many witnesses (`witness` included) the public cannot tell
        apart from `witness` disclosing `mine`; witnesses in `without` are
        left out."""
        person = self.person(witness, mine.years)
        others = sum(
            1
            for other_id, theirs in self.disclosures.items()
            if other_id != witness.pk
            and other_id not in without
            and mine.covers(theirs)
            and self.person(self.witnesses[other_id], theirs.years) == person
        )
        return 1 + others


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
    over what the public sees now (testimonies.policy.visible_testimonies for an
    anonymous visitor) plus this testimony; `k` defaults to
    settings.ARCHIVE_REID_K, `on` to today.

    The witness's other testimonies in public count with it: one pseudonym
    links them, so the public learns the union of what they disclose
    (Disclosure), and so does every other witness's. One query for the
    public testimonies; an identity is read only for a witness whose places,
    communities and months already match, once."""
    k = k or settings.ARCHIVE_REID_K
    public = _Public(_public_testimonies(testimony.pk, on))
    own = public.disclosures.pop(testimony.witness_id, None)
    sizes, seen_views = [], set()
    for generalisation in GENERALISATIONS.values():
        alone = disclosure(
            testimony,
            place_levels_up=generalisation.place_levels_up,
            date_precision=generalisation.date_precision,
        )
        # What the page would show; an option showing the same as an earlier
        # one is no choice.
        view = (alone.places, testimony.incident.widened(generalisation.date_precision))
        if view in seen_views:
            continue
        seen_views.add(view)
        size = public.group(testimony.witness, alone.joined(own))
        sizes.append(GroupSize(generalisation, size, size < k))
    return ReidentificationCheck(
        k=k, public_count=len(public.testimonies), recorded=sizes[0], options=sizes
    )


def public_group_size(testimony: Testimony, *, on: datetime.date | None = None) -> int:
    """The group of `testimony` under the public view it has now, counted
    as reidentification_check counts (the witness's other public testimonies
    joined)."""
    public = _Public(_public_testimonies(testimony.pk, on))
    own = public.disclosures.pop(testimony.witness_id, None)
    return public.group(testimony.witness, published_disclosure(testimony).joined(own))


def witnesses_fallen_below_k(
    *, witness, left: Disclosure, k: int | None = None, on=None
) -> list[int]:
    """After testimonies of `witness` that disclosed `left` (as published)
    left the public: the other witnesses whose group counted this witness
    and, without it, fell below k (from k or more). A group the moderator
    accepted below k at approval is not reported again.

    Run with the departure already written (in the same transaction): the
    public read here is the public after it."""
    k = k or settings.ARCHIVE_REID_K
    public = _Public(_public_testimonies(None, on))
    after = public.disclosures.pop(witness.pk, None)
    before = left.joined(after)
    fallen = []
    for other_id, theirs in public.disclosures.items():
        # Places, communities and months first: identities are read only for
        # the few witnesses whose group the departed one could have been in.
        if not theirs.covers(before):
            continue
        other = public.witnesses[other_id]
        person = public.person(other, theirs.years)
        if public.person(witness, before.years) != person:
            continue  # never in their group
        if (
            after is not None
            and theirs.covers(after)
            and public.person(witness, after.years) == person
        ):
            continue  # still in their group
        size_after = public.group(other, theirs)
        if size_after < k <= size_after + 1:
            fallen.append(other_id)
    return fallen
