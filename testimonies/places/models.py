from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from testimonies.core.bilingual import BilingualNameMixin


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    GOVERNORATE = "governorate", _("Governorate")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    TOWN = "town", _("Town or village")
    # A village named as one (the gazetteer's towns may be villages too:
    # GeoNames does not tell them apart). It ranks with towns everywhere.
    VILLAGE = "village", _("Village")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")


# Kinds of places people live in: a neighbourhood is under one of them, and
# a plain name shared with the units named after it means one of them.
SETTLEMENT_KINDS = (PlaceKind.TOWN, PlaceKind.VILLAGE)


class PlaceQuerySet(models.QuerySet):
    def within(self, place):
        """The place itself and every place under it, at any depth."""
        return self.filter(path__startswith=place.path)

    def added_by_documenters(self):
        """Places documenters added (private until shown, see Place)."""
        return self.filter(added_by_documenter=True)


class Place(BilingualNameMixin, models.Model):
    """A node of the gazetteer: country > governorate > ... > neighbourhood.

    `path` is the chain of slugs from the root ("/sy/tartus-governorate/...")
    so that all descendants of a place are one indexed prefix query away.
    It is set by testimonies.places.gazetteer, which creates and moves places.
    """

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("English name"), max_length=200)
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True)
    variants = models.JSONField(
        _("spelling variants"),
        default=list,
        blank=True,
        help_text=_("Other spellings, Latin or Arabic, that mean this place."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=1000, db_index=True, editable=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    external_code = models.CharField(
        _("external code"),
        max_length=50,
        blank=True,
        help_text=_("ISO 3166-2 code of a governorate or country."),
    )
    geonames_id = models.PositiveIntegerField(
        _("GeoNames id"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("The place's id in GeoNames, where it comes from there."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # A place a documenter added for a testimony (a neighbourhood, a farm)
    # rather than one of the gazetteer's. Such a place is private: nobody
    # is shown it, offered it or told it exists unless they may see a
    # testimony that shows it (testimonies.policy.places_visible). Its names
    # were redacted with that testimony's redactor when it was added.
    added_by_documenter = models.BooleanField(
        _("added by a documenter"),
        default=False,
        editable=False,
        help_text=_(
            "Private until a testimony that shows it is visible; removed when "
            "the last testimony using it is erased."
        ),
    )
    added_for = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("added for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="places_added",
        help_text=_("The testimony the place was added for."),
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("search:page") + f"?place={self.slug}"

    @property
    def ancestor_slugs(self) -> list[str]:
        """Slugs from the root down to this place, itself included."""
        return [slug for slug in self.path.split("/") if slug]


def path_slugs(path: str) -> list[str]:
    """The slugs of a gazetteer path, from the root down."""
    return [slug for slug in path.split("/") if slug]


def smallest_paths(paths) -> list[str]:
    """The paths that no other path lies under: the smallest places, sorted.
    A place on the chain of another tagged place adds nothing to it."""
    paths = set(paths)
    return sorted(
        path
        for path in paths
        if not any(other != path and other.startswith(path) for other in paths)
    )


def raised_path(path: str, levels: int) -> str:
    """The path of the place `levels` above, never above the root."""
    slugs = path_slugs(path)
    kept = slugs[: max(1, len(slugs) - levels)]
    return "/" + "".join(f"{slug}/" for slug in kept)


def generalised_paths(paths, levels: int) -> list[str]:
    """The smallest places among `paths`, each raised `levels` levels; where
    raised places now nest, only the smallest is kept."""
    return smallest_paths(raised_path(path, levels) for path in smallest_paths(paths))
