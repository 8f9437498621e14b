import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..marks import marks_check
from .consent import ConsentRecord, ConsentScope
from .keys import random_key

PUBLIC_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_public_id() -> str:
    """About 64 bits of randomness: public ids cannot be guessed or enumerated."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(13))


def person_spellings(entry) -> list[str]:
    """The spellings of one entry of persons_named: a name, or a list of one
    person's spellings (Latin and Arabic, say). ValueError for any other
    shape. The one definition the model, the import and redaction share."""
    spellings = [entry] if isinstance(entry, str) else entry
    if (
        not isinstance(spellings, list)
        or not spellings
        or not all(isinstance(name, str) for name in spellings)
    ):
        raise ValueError("a name or a list of names")
    return spellings


class TestimonyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    SENT_BACK = "sent_back", _("Sent back for changes")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ERASED = "erased", _("Erased")


class IncidentPrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    KURDISH = "ku", _("Kurdish")


class TestimonyQuerySet(models.QuerySet):
    def with_current_consent(self):
        """Annotate `consent_<scope>` and `consent_embargo_until` from the
        latest consent record, the only place current consent comes from."""
        latest = ConsentRecord.objects.filter(testimony=OuterRef("pk")).order_by("-pk")
        fields = [f"{scope}" for scope in ConsentScope.values] + ["embargo_until"]
        return self.annotate(
            **{
                f"consent_{field}": Subquery(latest.values(field)[:1])
                for field in fields
            }
        )

    def visible_to(self, user):
        """What this user may see, decided by the archive's access policy."""
        from archive import policy

        return policy.visible_testimonies(self, user)

    def not_erased(self):
        return self.exclude(status=TestimonyStatus.ERASED)

    def indexable(self):
        """What may enter the search index at all: reviewed or under review,
        with consent to be archived. Never an erased testimony, whatever
        the list of statuses becomes."""
        return (
            self.not_erased()
            .with_current_consent()
            .filter(
                status__in=[TestimonyStatus.SUBMITTED, TestimonyStatus.APPROVED],
                consent_archive=True,
            )
            .exclude(witness__isnull=True)
        )


class Testimony(models.Model):
    """One account given by one witness."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)

    public_id = models.CharField(
        _("public id"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The documenting organisation's own reference, used by imports."),
    )
    witness = models.ForeignKey(
        "testimonies.Witness",
        verbose_name=_("witness"),
        on_delete=models.PROTECT,
        related_name="testimonies",
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # Blank only once erased (see clean()).
    narrative = models.TextField(
        _("narrative"), blank=True, help_text=_("The account as recorded.")
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_("Translations of the narrative, by language code."),
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_testimonies",
    )
    incident_start = models.DateField(_("incident start"), null=True, blank=True)
    incident_end = models.DateField(_("incident end"), null=True, blank=True)
    incident_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=IncidentPrecision.choices,
        default=IncidentPrecision.DAY,
    )
    places = models.ManyToManyField(
        "testimonies.Place", verbose_name=_("places"), blank=True
    )
    communities = models.ManyToManyField(
        "testimonies.Community",
        verbose_name=_("communities concerned"),
        blank=True,
    )
    event_types = models.ManyToManyField(
        "testimonies.EventType", verbose_name=_("event types"), blank=True
    )
    persons_named = models.JSONField(
        _("persons named"),
        default=list,
        blank=True,
        help_text=_(
            "Other people named in the narrative; always redacted. One entry a "
            "person: a name, or a list of its spellings (e.g. Latin and Arabic)."
        ),
    )
    # Shape and meaning: testimonies.marks. Set through
    # services.redaction_marks_set, which checks each mark against the text.
    redaction_marks = models.JSONField(
        _("words marked for redaction"),
        default=list,
        blank=True,
        help_text=_(
            "Names and other identifying words marked in the text; always "
            "redacted, each person with one placeholder throughout."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TestimonyStatus.choices,
        default=TestimonyStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(
        _("submitted"),
        null=True,
        blank=True,
        help_text=_("When it was last submitted for review."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TestimonyQuerySet.as_manager()

    class Meta:
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        ordering = ["-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incident_start__isnull=True)
                | models.Q(incident_end__isnull=True)
                | models.Q(incident_start__lte=models.F("incident_end")),
                name="incident_start_before_end",
            )
        ]

    def __str__(self):
        return self.public_id

    def get_absolute_url(self):
        return reverse("testimonies:detail", kwargs={"public_id": self.public_id})

    # What testimony_erase blanks; an erased testimony holds none of it.
    ERASED_FIELDS = (
        "narrative", "translations", "summary", "persons_named",
        "redaction_marks", "incident_start", "incident_end",
    )  # fmt: skip

    def clean(self):
        self._clean_erasure()
        if (
            self.incident_start
            and self.incident_end
            and self.incident_start > self.incident_end
        ):
            raise ValidationError(
                {
                    "incident_end": ValidationError(
                        _("The incident cannot end before it starts."),
                        code="incident_order",
                    )
                }
            )
        if not isinstance(self.translations, dict) or not all(
            isinstance(k, str) and isinstance(v, str)
            for k, v in self.translations.items()
        ):
            raise ValidationError(
                {
                    "translations": ValidationError(
                        _("Translations map a language code to a text."),
                        code="translations_shape",
                    )
                }
            )
        try:
            if not isinstance(self.persons_named, list):
                raise ValueError("a list")
            for person in self.persons_named:
                person_spellings(person)
        except ValueError:
            raise ValidationError(
                {
                    "persons_named": ValidationError(
                        _("Persons named must be a list of names."),
                        code="persons_named_shape",
                    )
                }
            ) from None
        try:
            marks_check(self.redaction_marks)
        except ValueError:
            raise ValidationError(
                {
                    "redaction_marks": ValidationError(
                        _("The marks are not in the shape the archive keeps them."),
                        code="redaction_marks_shape",
                    )
                }
            ) from None

    def _clean_erasure(self):
        if self.status != TestimonyStatus.ERASED:
            if not self.narrative.strip():
                raise ValidationError(
                    {
                        "narrative": ValidationError(
                            _("A testimony needs its narrative."), code="required"
                        )
                    }
                )
            return
        # Erasure goes through services.testimony_erase only: it leaves a
        # tombstone and removes every copy. Setting the status by hand would
        # leave the text in place behind an "erased" label.
        tombstone = Testimony.objects.filter(pk=self.pk, erasure__isnull=False)
        if any(getattr(self, name) for name in self.ERASED_FIELDS) or not (
            tombstone.exists()
        ):
            raise ValidationError(
                _("A testimony is erased with the erase page, never by editing it."),
                code="erase_by_service",
            )

    @property
    def is_erased(self) -> bool:
        return self.status == TestimonyStatus.ERASED

    @property
    def incident_label(self) -> str:
        """The incident's dates, no more precise than they are known."""
        if not self.incident_start:
            return ""
        start, end = self.incident_start, self.incident_end or self.incident_start
        pattern = {"day": "j F Y", "month": "F Y", "year": "Y"}[self.incident_precision]
        first, last = date_format(start, pattern), date_format(end, pattern)
        return first if first == last else f"{first} – {last}"

    def current_consent(self):
        """The latest consent record, or None when none was ever recorded."""
        return self.consent_records.order_by("-pk").first()
