from django.db import models
from django.utils.translation import gettext_lazy as _

from testimonies.core.bilingual import BilingualNameMixin


class Vocabulary(BilingualNameMixin, models.Model):
    """A controlled term: a stable slug with English and Arabic names."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("English name"), max_length=120)
    name_ar = models.CharField(_("Arabic name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(Vocabulary):
    """A sect or ethnoreligious group concerned by a testimony."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("community")
        verbose_name_plural = _("communities")


class EventType(Vocabulary):
    """What happened, from the archive's controlled vocabulary."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
