"""Incidents: one event (a massacre, a shelling) that several testimonies
describe, and the links that say which testimony speaks of which incident.

Not to be confused with a testimony's own incident dates
(Testimony.incident, IncidentDates): those say when what one witness saw
happened; an Incident is the archive's record of the event itself, built by
documenters and moderators from many accounts. Who sees an incident, and
which of its links, is the access policy's business
(testimonies.policy.visible_incidents, links_shown).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from testimonies.core.keys import random_key
from testimonies.core.models import IncidentDates, IncidentPrecision, new_public_id


class IncidentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")


class LinkRole(models.TextChoices):
    """What a testimony does with an incident: a witness who describes it
    (saw it, lived it: counted in corroboration) or one who only mentions it
    (heard of it, refers to it: listed, never counted)."""

    DESCRIBES = "describes", _("Describes")
    MENTIONS = "mentions", _("Mentions")


class IncidentQuerySet(models.QuerySet):
    def current(self):
        """Incidents not merged into another (a merged one only redirects)."""
        return self.filter(merged_into__isnull=True)


class Incident(models.Model):
    """One event, as the archive records it from the testimonies that
    describe it."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    title = models.CharField(_("English title"), max_length=200)
    title_ar = models.CharField(_("Arabic title"), max_length=200)
    summary = models.TextField(
        _("English summary"),
        blank=True,
        max_length=5000,
        help_text=_("What is known of the event, without naming any witness."),
    )
    summary_ar = models.TextField(_("Arabic summary"), blank=True, max_length=5000)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=IncidentPrecision.choices,
        default=IncidentPrecision.DAY,
    )
    places = models.ManyToManyField(
        "testimonies.Place",
        verbose_name=_("places"),
        blank=True,
        related_name="incidents",
    )
    event_types = models.ManyToManyField(
        "testimonies.EventType",
        verbose_name=_("event types"),
        blank=True,
        related_name="incidents",
    )
    communities = models.ManyToManyField(
        "testimonies.Community",
        verbose_name=_("communities concerned"),
        blank=True,
        related_name="incidents",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.PROPOSED,
    )
    # Set by incident_merge only: the incident this one was found to be.
    # Its links moved there; its address redirects there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    # Used as the reference of an import's `incidents` list; never shown.
    key = models.SlugField(
        _("import key"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The documenting organisation's own reference, used by imports."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents_proposed",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents_confirmed",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(start__lte=models.F("end")),
                name="incident_record_start_before_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="incident_not_merged_into_itself",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("incidents:detail", kwargs={"public_id": self.public_id})

    def clean(self):
        if self.start and self.end and self.start > self.end:
            raise ValidationError(
                {
                    "end": ValidationError(
                        _("The incident cannot end before it starts."),
                        code="incident_order",
                    )
                }
            )
        if self.end and not self.start:
            raise ValidationError(
                {
                    "start": ValidationError(
                        _("Give the first day before the last."),
                        code="start_missing",
                    )
                }
            )

    @property
    def dates(self) -> IncidentDates:
        """The event's date range, no more precise than it is known."""
        return IncidentDates(self.start, self.end, self.precision)

    @property
    def label(self) -> str:
        """The title in the reader's language (English when no Arabic)."""
        language = (get_language() or "en").split("-")[0]
        return (self.title_ar or self.title) if language == "ar" else self.title

    @property
    def summary_label(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return (self.summary_ar or self.summary) if language == "ar" else self.summary

    @property
    def is_confirmed(self) -> bool:
        return self.status == IncidentStatus.CONFIRMED


class IncidentLink(models.Model):
    """One testimony's link to one incident, with its role."""

    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="incident_links",
    )
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=LinkRole.choices,
        default=LinkRole.DESCRIBES,
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident link")
        verbose_name_plural = _("incident links")
        ordering = ["incident", "linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["testimony", "incident"], name="one_link_per_testimony_incident"
            )
        ]

    def __str__(self):
        return f"{self.testimony_id} → {self.incident_id} ({self.role})"
