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

from testimonies.models import Place, PlaceKind
from testimonies.places.models import SETTLEMENT_KINDS
from testimonies.places.sources import CURATED_FILES, gazetteer_rows
from testimonies.textnorm import fold

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
        # The parent is a place this load has just written or read: asking
        # the database whether it exists was a query per row, most of the
        # load's time.
        place.full_clean(validate_unique=False, exclude=["parent"])
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
    ISO 3166-2 and GeoNames (testimonies.places.sources)."""
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

    def named(self, name: str) -> list[Place]:
        """Every place called `name`, in any of its spellings."""
        return list(self._by_name.get(fold(name.strip()), []))

    def candidates(self, name: str, among=None) -> list[Place]:
        """The places `name` may mean, after the town rule (prefer_town);
        `among(places)` first keeps only the places that may be meant (those
        the asking user may know)."""
        candidates = self.named(name)
        if among is not None:
            candidates = among(candidates)
        if len(candidates) > 1:
            candidates = self.prefer_town(candidates)
        return candidates

    def resolve(self, name: str, among=None) -> Place:
        """The one place `name` means (see candidates); PlaceLookupError
        naming the candidates when it means none or several."""
        candidates = self.candidates(name, among)
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
        towns = [p for p in candidates if p.kind in SETTLEMENT_KINDS]
        if len(towns) == 1 and all(
            towns[0].path.startswith(p.path) for p in candidates if p is not towns[0]
        ):
            return towns
        return candidates

    def resolve_or_create(
        self,
        *,
        name,
        kind,
        parent_name="",
        parent=None,
        name_ar="",
        added_for=None,
        redact=None,
    ) -> Place:
        """The place under `parent` (or the place called `parent_name`)
        called `name`, created if missing.

        A place created here is a documenter's, for the testimony
        `added_for`: private until a testimony that shows it is visible
        (testimonies.policy.places_visible). Its names go through `redact(text,
        language)`, that testimony's redaction, first: a place is often
        named after a person ("Abu Ali's farm"), and a place's name is
        shown wherever the place is. A name that needed redacting holds
        that testimony's placeholders, so only a place added for the same
        testimony is reused under it."""
        parent = parent or self.resolve(parent_name)
        name, name_ar = name.strip(), name_ar.strip()
        if redact is not None:
            redacted, redacted_ar = redact(name, "en"), redact(name_ar, "ar")
            named_someone = (redacted, redacted_ar) != (name, name_ar)
            name, name_ar = redacted, redacted_ar
        else:
            named_someone = False
        for place in self._by_name.get(fold(name), []):
            if place.parent_id != parent.pk:
                continue
            if named_someone and place.added_for_id != getattr(added_for, "pk", None):
                continue
            return place
        place = Place(
            slug=self._free_slug(name, parent),
            kind=kind,
            name=name,
            name_ar=name_ar,
            parent=parent,
            added_by_documenter=True,
            added_for=added_for,
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


def places_search(text: str, *, limit: int = 10, among=None) -> list[PlaceMatch]:
    """Places whose English name, Arabic name or a spelling variant matches
    `text`, folded as for every place lookup (case, diacritics, Arabic letter
    variants), best matches first, each with its trail. `among(places)`
    keeps only those that may be offered (the places the asking user may
    know: testimonies.policy.places_visible)."""
    wanted = " ".join(fold(text).split())
    if not wanted:
        return []
    ranked = []
    for place in Place.objects.only(
        "slug", "kind", "name", "name_ar", "variants", "path", "parent",
        "added_by_documenter",
    ):  # fmt: skip
        rank = _match_rank(_names_of(place), wanted)
        if rank is not None:
            ranked.append((rank, place.path.count("/"), place.name, place))
    ranked.sort(key=lambda row: row[:3])
    ranked = [row[3] for row in ranked]
    found, start = [], 0
    # Best first, a few at a time: `among` asks the database about the
    # private places of each stretch only.
    while len(found) < limit and start < len(ranked):
        stretch = ranked[start : start + 2 * limit]
        start += len(stretch)
        found += among(stretch) if among is not None else stretch
    found = found[:limit]
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


def places_remove_unused(places) -> int:
    """Delete the places among `places` that documenters added and that no
    testimony is tagged with any more (after an erasure), with their
    documenter-added parents that are left unused and empty in turn. The
    gazetteer's own places always stay. Returns how many were deleted."""
    candidates = {p.pk: p for p in places if p.added_by_documenter}
    deleted = 0
    while candidates:
        # Deepest first: a parent is deleted only once its children are.
        place = max(candidates.values(), key=lambda p: p.path.count("/"))
        del candidates[place.pk]
        unused = not place.testimony_set.exists() and not place.children.exists()
        if not unused:
            continue
        parent = place.parent
        place.delete()
        deleted += 1
        if parent is not None and parent.added_by_documenter:
            candidates[parent.pk] = parent
    return deleted


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
