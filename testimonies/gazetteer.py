"""The gazetteer: loading places and finding a place by any of its names.

A place name typed by a documenter or found in an import file may be the
English name, the Arabic name or any known spelling variant, written with or
without diacritics and in any Arabic letter variant.
"""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Place, PlaceKind
from .textnorm import fold

GAZETTEER_FILES = {"SY": Path(__file__).parent / "data" / "gazetteer_sy.json"}


class PlaceLookupError(ValueError):
    pass


def place_path(parent, slug: str) -> str:
    return f"{parent.path if parent else '/'}{slug}/"


@transaction.atomic
def gazetteer_load(rows: list[dict], *, place_model=Place) -> int:
    """Create or update places from gazetteer rows (parents first), keyed by
    slug. Places added by documenters are left as they are. Returns the
    number of rows read. `place_model` lets a data migration pass its own."""
    by_slug = {}
    for row in rows:
        parent = None
        if row.get("parent"):
            parent = by_slug.get(row["parent"]) or place_model.objects.get(
                slug=row["parent"]
            )
        place, _created = place_model.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "name": row["name"],
                "name_ar": row.get("name_ar") or "",
                "variants": row.get("variants") or [],
                "parent": parent,
                "path": place_path(parent, row["slug"]),
                "latitude": row.get("lat"),
                "longitude": row.get("lon"),
                "external_code": row.get("code") or "",
            },
        )
        by_slug[place.slug] = place
    return len(rows)


def gazetteer_load_country(code: str) -> int:
    try:
        path = GAZETTEER_FILES[code.upper()]
    except KeyError:
        raise PlaceLookupError(
            _("No gazetteer for country %(code)s.") % {"code": code}
        ) from None
    return gazetteer_load(json.loads(path.read_text(encoding="utf-8")))


def _names_of(place) -> set[str]:
    return {fold(n) for n in [place.name, place.name_ar, *place.variants] if n}


@dataclass
class PlaceResolver:
    """Looks places up by any name; built once per import."""

    def __post_init__(self):
        self._by_name: dict[str, list[Place]] = {}
        for place in Place.objects.all():
            self._remember(place)

    def _remember(self, place):
        for name in _names_of(place):
            self._by_name.setdefault(name, []).append(place)

    def resolve(self, name: str) -> Place:
        candidates = self._by_name.get(fold(name.strip()), [])
        if len(candidates) > 1:
            candidates = self._prefer_town(candidates)
        if not candidates:
            raise PlaceLookupError(
                _("unknown place %(name)r: not in the gazetteer") % {"name": name}
            )
        if len(candidates) > 1:
            raise PlaceLookupError(
                _("place %(name)r is ambiguous: it could be %(candidates)s")
                % {
                    "name": name,
                    "candidates": ", ".join(
                        f"{p.name} ({p.get_kind_display()}, {p.slug})"
                        for p in candidates
                    ),
                }
            )
        return candidates[0]

    @staticmethod
    def _prefer_town(candidates):
        """A plain name shared by a town and the units it gives its name to
        (Tartus, Tartus District, Tartus Governorate) means the town."""
        towns = [p for p in candidates if p.kind == PlaceKind.TOWN]
        if len(towns) == 1 and all(
            towns[0].path.startswith(p.path) for p in candidates if p is not towns[0]
        ):
            return towns
        return candidates

    def resolve_or_create(
        self, *, name, kind, parent_name="", parent=None, name_ar=""
    ) -> Place:
        """The place under `parent` (or the place called `parent_name`)
        called `name`, created if missing."""
        parent = parent or self.resolve(parent_name)
        for place in self._by_name.get(fold(name.strip()), []):
            if place.parent_id == parent.pk:
                return place
        place = Place(
            slug=self._free_slug(name, parent),
            kind=kind,
            name=name.strip(),
            name_ar=name_ar.strip(),
            parent=parent,
        )
        place.path = place_path(parent, place.slug)
        place.full_clean()
        place.save()
        self._remember(place)
        return place

    @staticmethod
    def _free_slug(name, parent) -> str:
        base = slugify(name) or f"{parent.slug}-place"
        for candidate in (base, f"{parent.slug}-{base}"):
            if not Place.objects.filter(slug=candidate).exists():
                return candidate[:120]
        return f"{base[:100]}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class PlaceMatch:
    """A place found by a search, with its trail: itself, then each place it
    lies in up to (not including) the country."""

    place: Place
    trail: list[Place]


# Exact names first, then names that start with the text, then names with a
# word that does, then names that hold it anywhere.
_EXACT, _PREFIX, _WORD, _INSIDE = range(4)


def _match_rank(names: set[str], wanted: str) -> int | None:
    ranks = []
    for name in names:
        if name == wanted:
            ranks.append(_EXACT)
        elif name.startswith(wanted):
            ranks.append(_PREFIX)
        elif any(word.startswith(wanted) for word in name.split()):
            ranks.append(_WORD)
        elif wanted in name:
            ranks.append(_INSIDE)
    return min(ranks) if ranks else None


def places_search(text: str, *, limit: int = 10) -> list[PlaceMatch]:
    """Places whose English name, Arabic name or a spelling variant matches
    `text`, folded as for every place lookup (case, diacritics, Arabic letter
    variants), best matches first, each with its trail."""
    wanted = " ".join(fold(text).split())
    if not wanted:
        return []
    ranked = []
    for place in Place.objects.only(
        "slug", "kind", "name", "name_ar", "variants", "path", "parent"
    ):
        rank = _match_rank(_names_of(place), wanted)
        if rank is not None:
            ranked.append((rank, place.path.count("/"), place.name, place))
    ranked.sort(key=lambda row: row[:3])
    found = [row[3] for row in ranked[:limit]]
    slugs = {slug for place in found for slug in place.ancestor_slugs}
    by_slug = {
        p.slug: p
        for p in Place.objects.filter(slug__in=slugs).exclude(kind=PlaceKind.COUNTRY)
    }
    return [
        PlaceMatch(
            place=place,
            trail=[by_slug[s] for s in reversed(place.ancestor_slugs) if s in by_slug],
        )
        for place in found
    ]


@transaction.atomic
def place_save(*, place: Place) -> Place:
    """Save a place edited by hand; moving it moves its whole subtree."""
    old_path = place.path
    place.path = place_path(place.parent, place.slug)
    if place.parent and place.parent.path.startswith(old_path or "\0"):
        raise PlaceLookupError(_("A place cannot be put under itself."))
    place.full_clean()
    place.save()
    if old_path and old_path != place.path:
        for child in Place.objects.filter(path__startswith=old_path).exclude(
            pk=place.pk
        ):
            child.path = place.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    return place
