"""A moderator's decisions on a testimony, and what each decision was about.

The decision (who, when, approved or sent back) is evidence and is kept for
good: Review is append-only. What was reviewed (the text, the names, the
tags) and the moderator's comment, which routinely quotes that text, live
apart in ReviewedVersion, an ordinary table that erasure can empty.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel
from testimonies.core.models import IncidentPrecision, Testimony
from testimonies.vault.sealed import SealedContent, sealed_attribute


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back for changes")


class Review(AppendOnlyModel):
    """One decision on a submitted testimony."""

    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=ReviewDecision.choices
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["testimony", "pk"]
        get_latest_by = "pk"

    def __str__(self):
        return f"{self.get_decision_display()} ({self.testimony_id})"


def testimony_content(testimony) -> dict:
    """What a review looks at, in the shape a ReviewedVersion keeps it. Tags
    are slugs, sorted, so that two versions compare as they read."""
    return {
        "narrative": testimony.narrative,
        "translations": dict(testimony.translations),
        "summary": testimony.summary,
        "persons_named": list(testimony.persons_named),
        "redaction_marks": list(testimony.redaction_marks),
        "places": sorted(place.slug for place in testimony.places.all()),
        "communities": sorted(c.slug for c in testimony.communities.all()),
        "event_types": sorted(e.slug for e in testimony.event_types.all()),
        "incident_start": testimony.incident_start,
        "incident_end": testimony.incident_end,
        "incident_precision": testimony.incident_precision,
    }


class ReviewedVersion(SealedContent):
    """The testimony as it stood when a review decided on it, with the
    reviewer's comment. Deletable: erasure removes these with the content."""

    review = models.OneToOneField(
        Review,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="version",
    )
    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="reviewed_versions",
    )
    # The reviewer's comment (which may quote the account) and the text as
    # reviewed: sealed, like the testimony's own (models/sealed.py).
    SEALED_FIELDS = {"comment": str, "narrative": str, "translations": dict,
                     "summary": str, "persons_named": list,
                     "redaction_marks": list}  # fmt: skip
    comment = sealed_attribute("comment")
    narrative = sealed_attribute("narrative")
    translations = sealed_attribute("translations")
    summary = sealed_attribute("summary")
    persons_named = sealed_attribute("persons_named")
    redaction_marks = sealed_attribute("redaction_marks")
    places = models.JSONField(_("places"), default=list, blank=True)
    communities = models.JSONField(_("communities"), default=list, blank=True)
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    incident_start = models.DateField(_("incident start"), null=True, blank=True)
    incident_end = models.DateField(_("incident end"), null=True, blank=True)
    incident_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=IncidentPrecision.choices,
        default=IncidentPrecision.DAY,
    )

    class Meta:
        verbose_name = _("reviewed version")
        verbose_name_plural = _("reviewed versions")
        ordering = ["testimony", "pk"]

    def __str__(self):
        return f"version reviewed in {self.review_id}"

    def sealing_witness_id(self) -> int:
        return Testimony.objects.values_list("witness_id", flat=True).get(
            pk=self.testimony_id
        )

    def sealing_purpose(self) -> str:
        return f"reviewed-version:{self.review_id}"

    @property
    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


CONTENT_FIELDS = (
    "narrative", "translations", "summary", "persons_named", "redaction_marks",
    "places", "communities", "event_types", "incident_start", "incident_end",
    "incident_precision",
)  # fmt: skip
