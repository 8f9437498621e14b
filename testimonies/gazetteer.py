"""The gazetteer: loading places and finding a place by any of its names.

A place name typed by a documenter or found in an import file may be the
English name, the Arabic name or any known spelling variant, written with or
without diacritics and in any Arabic letter variant.
"""

import secrets
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .gazetteer_sources import CURATED_FILES, gazetteer_rows
from .models import Place, PlaceKind
from .textnorm import fold

# Sent after a gazetteer load created places (in bulk, without post_save).
places_loaded = Signal()

# What is built from every name of every place (search's place names, the
# public view's place lexicon) is built once per process and gazetteer
# version: reading and folding them costs tens of milliseconds, and places
# change rarely. The version lives in the shared cache, so a change made by
# one process (an import, the admin) reaches every other.
_VERSION_KEY = "testimonies:gazetteer-version"
_memo: dict = {}
_memo_lock = threading.Lock()


def gazetteer_memo(name: str, build):
    """`build()`, made again only when the gazetteer changed since."""
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(_VERSION_KEY)
    with _memo_lock:
        held = _memo.get(name)
        if held is None or held[0] != version or version is None:
            held = _memo[name] = (version, build())
        return held[1]


def gazetteer_changed(**kwargs):
    """A place was saved, deleted or loaded: what gazetteer_memo holds is
    built again. Bumped now (this process reads its own uncommitted change)
    and after the commit (so no process keeps names read before it)."""

    def bump():
        cache.set(_VERSION_KEY, secrets.token_hex(8), timeout=None)

    bump()
    transaction.on_commit(bump)


class PlaceLookupError(ValueError):
    pass


def place_path(parent, slug: str) -> str:
    return f"{parent.path if parent else '/'}{slug}/"


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        text = _("%(created)d created, %(unchanged)d unchanged, %(updated)d updated")
        return text % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _row_values(row: dict, parent) -> dict:
    return {
        "kind": row["kind"],
        "name": row["name"],
        "name_ar": row.get("name_ar") or "",
        "variants": row.get("variants") or [],
        "parent_id": parent.pk if parent else None,
        "latitude": row.get("lat"),
        "longitude": row.get("lon"),
        "external_code": row.get("code") or "",
        "geonames_id": row.get("geonames"),
        "population": row.get("population"),
    }


@transaction.atomic
def gazetteer_load(rows: list[dict], *, place_model=Place) -> LoadCounts:
    """Create or update places from gazetteer rows (parents first).

    A row is the place with its GeoNames id if it has one, else the place
    with its slug: the slug of an existing place never changes, so links,
    tests and seeds that name it keep working. Places that no row names
    (added by documenters: neighbourhoods, villages) are left as they are and
    stay under their parent, whose primary key never changes; where a
    refresh moves a place, its whole subtree moves with it. A row whose
    values are already stored is not written. New places are inserted level
    by level in bulk (nothing is tagged with them yet, so no signal is
    needed); changed ones are saved one by one, so that the testimonies
    tagged with them are indexed again. `place_model` lets a data migration
    pass its own."""
    counts = LoadCounts()
    existing = list(place_model.objects.all())
    by_slug = {p.slug: p for p in existing}
    by_geonames = {p.geonames_id: p for p in existing if p.geonames_id}
    loaded = {}  # row slug -> place
    depth = {}
    for row in rows:
        depth[row["slug"]] = depth.get(row.get("parent"), -1) + 1
    for level in sorted(set(depth.values())):
        new = []
        for row in (r for r in rows if depth[r["slug"]] == level):
            place = _load_row(row, loaded, by_slug, by_geonames, counts, place_model)
            if place.pk is None:
                new.append(place)
            loaded[row["slug"]] = place
        place_model.objects.bulk_create(new)
    if counts.created:
        # A bulk insert sends no post_save: one notice for all of them.
        places_loaded.send(sender=place_model, created=counts.created)
    return counts


def _load_row(row, loaded, by_slug, by_geonames, counts, place_model):
    """The place for `row`: an unsaved new one, or the stored one brought up
    to date."""
    parent = loaded.get(row.get("parent")) or (
        by_slug.get(row["parent"]) if row.get("parent") else None
    )
    if row.get("parent") and parent is None:
        raise PlaceLookupError(
            _("gazetteer row %(slug)s: unknown parent %(parent)s")
            % {"slug": row["slug"], "parent": row["parent"]}
        )
    values = _row_values(row, parent)
    place = by_geonames.get(row.get("geonames")) or by_slug.get(row["slug"])
    if place is None:
        slug = row["slug"]
        if slug in by_slug:  # taken by another place (a documenter's)
            slug = f"{slug}-{row.get('geonames') or secrets.token_hex(3)}"
        place = place_model(slug=slug, **values)
        place.path = place_path(parent, slug)
        # Uniqueness is kept by by_slug / by_geonames (and the database).
        place.full_clean(validate_unique=False)
        by_slug[slug] = place
        if place.geonames_id:
            by_geonames[place.geonames_id] = place
        counts.created += 1
        return place
    values["path"] = place_path(parent, place.slug)
    changed = {k: v for k, v in values.items() if getattr(place, k) != v}
    if not changed:
        counts.unchanged += 1
        return place
    old_path = place.path
    for key, value in changed.items():
        setattr(place, key, value)
    place.full_clean()
    place.save(update_fields=[*changed])
    if "path" in changed:
        moved = _move_subtree(place_model, old_path, place.path, place.pk)
        for child in moved:  # the copies read before the move
            if child.slug in by_slug:
                by_slug[child.slug].path = child.path
    counts.updated += 1
    return place


def _move_subtree(place_model, old_path: str, new_path: str, pk) -> list:
    children = list(
        place_model.objects.filter(path__startswith=old_path).exclude(pk=pk)
    )
    for child in children:
        child.path = new_path + child.path[len(old_path) :]
        child.save(update_fields=["path"])
    return children


def gazetteer_load_country(code: str) -> LoadCounts:
    """Load (or refresh) the country's gazetteer from its curated file,
    ISO 3166-2 and GeoNames (testimonies.gazetteer_sources)."""
    if code.upper() not in CURATED_FILES:
        raise PlaceLookupError(
            _("No gazetteer for country %(code)s.") % {"code": code}
        ) from None
    return gazetteer_load(gazetteer_rows(code))


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

    def candidates(self, name: str) -> list[Place]:
        """The places `name` may mean, after the town rule (prefer_town)."""
        candidates = self._by_name.get(fold(name.strip()), [])
        if len(candidates) > 1:
            candidates = self.prefer_town(candidates)
        return candidates

    def resolve(self, name: str) -> Place:
        candidates = self.candidates(name)
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
    def prefer_town(candidates):
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
