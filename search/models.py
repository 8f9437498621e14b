"""What the search app keeps in the database: the index changes that a
committed transaction still owes the search index."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The PostgreSQL engine's table (on PostgreSQL only), one of this app's models.
from search.postgres.models import SearchDocument, SearchDocumentChange

__all__ = ["PendingIndexChange", "SearchDocument", "SearchDocumentChange"]


class PendingIndexChange(models.Model):
    """A testimony whose search document may not match the database yet.

    Written in the same transaction as the change (search.indexing): when
    that transaction commits, so does the promise to bring the index in
    line. The process that made the change writes the index after its
    commit and deletes the row; if it dies first (killed while it waited
    for the index's lock, or inside the index write), the row stays, every
    search leaves the testimony out until the index has caught up, and the
    next process to search or to start replays the change.
    """

    testimony_pk = models.BigIntegerField(_("testimony"), db_index=True)
    # An erasure: the document must leave the index's files too.
    purge = models.BooleanField(_("purge"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("pending index change")
        verbose_name_plural = _("pending index changes")
        ordering = ["pk"]

    def __str__(self):
        return f"index change of {self.testimony_pk}"
