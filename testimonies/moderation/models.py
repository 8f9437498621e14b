"""Who among the moderators takes a testimony in the review queue.

An assignment is a working note between moderators, not a decision: it
gives nobody a right the policy does not already give, and is replaced or
taken back at will (each change in the audit chain). It lives beside the
testimony rather than on it, so that the testimony's own row says only
what was recorded and decided.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewAssignment(models.Model):
    """The moderator who takes one testimony's review."""

    testimony = models.OneToOneField(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="review_assignment",
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "pk"]

    def __str__(self):
        return f"{self.testimony_id} → {self.moderator_id}"
