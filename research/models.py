"""What a reader keeps for their own work: saved searches, private notes on
testimonies, and collections of testimonies.

Each belongs to one account and is shown to that account only: not to
moderators, not in exports, not in the search index, not in the admin. They
name testimonies by reference, never by copying a testimony's text or
facts; whether a referenced testimony is still there for its owner is
asked of testimonies.policy each time it is shown (research.selectors), so
a withdrawal hides it from all of these at once. Their keys are random, so
one account cannot reach another's by counting.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from testimonies.core.keys import random_key
from testimonies.core.models import new_public_id


class SavedSearch(models.Model):
    """A search (its words and filters) kept under a name."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("name"), max_length=120)
    # The search page's query string (words and filters, no page number).
    query = models.CharField(_("query"), max_length=2000, blank=True)
    # The public ids the search matched, as its owner saw them, when it was
    # last opened: "new" is what matches now and was not among them. Ids
    # only, never a count: a count kept from before could hold a testimony
    # withdrawn since.
    seen_ids = models.JSONField(_("matches last seen"), default=list, blank=True)
    last_seen_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Note(models.Model):
    """A reader's private note on one testimony."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="research_notes",
    )
    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.public_id


class Collection(models.Model):
    """A named list of testimonies kept by one reader."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="collections",
    )
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    testimonies = models.ManyToManyField(
        "testimonies.Testimony",
        verbose_name=_("testimonies"),
        through="CollectionItem",
        related_name="+",
    )

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "testimony"], name="collection_item_once"
            )
        ]

    def __str__(self):
        return f"{self.collection_id}: {self.testimony_id}"
