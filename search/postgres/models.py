"""The PostgreSQL engine's index: one row per search document.

A row holds what a Whoosh document holds (search.search_indexes), the
same fields under the same names, so that the role filter of
testimonies.policy.search_filter, the facets and the date filters read the
same values whichever engine answers. The table exists only on PostgreSQL
(`required_db_vendor`): on SQLite its migration does nothing and nothing
reads it (search.checks refuses the engine there).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


def _values():
    return ArrayField(models.CharField(max_length=200), default=list, blank=True)


class SearchDocument(models.Model):
    """A testimony's search document (haystack's identifier as key)."""

    identifier = models.CharField(_("identifier"), max_length=255, primary_key=True)
    django_ct = models.CharField(_("content type"), max_length=100)
    django_id = models.BigIntegerField(_("object id"))
    # The stored document as haystack renders it (redacted texts, then the
    # pseudonym, places and vocabularies: search.documents).
    text = models.TextField(_("text"))
    # Its words folded as the archive's analysis folds them, as PostgreSQL
    # is given them (search.postgres.analysis), one space apart: what the
    # text-search vector is made from, and the vocabulary "did you mean"
    # reads.
    analysed = models.TextField(_("analysed text"))
    # Snowball Arabic and Snowball English of `analysed`, concatenated.
    search_vector = SearchVectorField(_("search vector"), null=True)
    public_id = models.CharField(_("public id"), max_length=64, blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    places = _values()
    communities = _values()
    event_types = _values()
    years = _values()
    audiences = _values()
    # Public ids of the incidents linked as the public may be shown them.
    incidents = _values()
    incident_start = models.DateField(_("incident start"), null=True)
    incident_end = models.DateField(_("incident end"), null=True)
    recorded_on = models.DateField(_("recorded on"), null=True)
    visible_from = models.DateField(_("visible from"))
    owner = models.BigIntegerField(_("owner"), null=True)
    sources = models.CharField(_("sources digest"), max_length=64, blank=True)

    class Meta:
        app_label = "search"
        required_db_vendor = "postgresql"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["django_ct", "django_id"], name="search_document_object"
            )
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="search_document_vector"),
            GinIndex(fields=["audiences"], name="search_document_audiences"),
            GinIndex(fields=["places"], name="search_document_places"),
        ]

    def __str__(self):
        return self.identifier


class SearchDocumentChange(models.Model):
    """A write to the index's table, kept a while for the replicas
    (search.postgres.routers): the transaction that wrote the testimony's
    document (`xid`, PostgreSQL's txid_current()). A search on a replica
    that has not yet replayed that transaction leaves the testimony out of
    its results, counts and facets: a withdrawal committed on the primary
    is never counted on a replica that lags behind it."""

    testimony_pk = models.BigIntegerField(_("testimony"))
    xid = models.BigIntegerField(_("transaction"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        app_label = "search"
        required_db_vendor = "postgresql"
        verbose_name = _("search document change")
        verbose_name_plural = _("search document changes")

    def __str__(self):
        return f"index write of {self.testimony_pk} in {self.xid}"
