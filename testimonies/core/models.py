import calendar
import datetime
import secrets
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from testimonies.consent.models.consent import ConsentRecord, ConsentScope
from testimonies.core.keys import random_key
from testimonies.places.models import Place, generalised_paths, path_slugs
from testimonies.redaction.marks import decisions_check, marks_check
from testimonies.vault.sealed import SealedContent, sealed_attribute

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


# Withdrawn or erased: nothing may be added to such a testimony any more, and
# nobody but moderators sees it (erased: not even they, only its tombstone).
CLOSED_STATUSES = (TestimonyStatus.WITHDRAWN, TestimonyStatus.ERASED)


class PublicHold(models.TextChoices):
    """Why an approved testimony is held back from the public (only), until
    a moderator looks at the re-identification check again
    (testimonies.redaction.reidentification)."""

    NONE = "", _("Not held")
    CONSENT_WIDENED = (
        "consent_widened",
        _(
            "Consent to publish came after approval, and fewer than k witnesses "
            "in public share its details"
        ),
    )
    GROUP_SHRANK = (
        "group_shrank",
        _(
            "Other testimonies left the public, and fewer than k witnesses in "
            "public now share its details"
        ),
    )


class IncidentPrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class PublicDatePrecision(models.TextChoices):
    """How far the public view widens the incident dates (re-identification
    check, testimonies.redaction.reidentification)."""

    AS_RECORDED = "", _("As recorded")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


# The named date format (archive/formats/<language>) for each precision.
_PRECISION_FORMATS = {"day": "DATE_FORMAT", "month": "YEAR_MONTH_FORMAT", "year": "Y"}

# Coarser precisions come later: widening never narrows.
PRECISION_ORDER = ("day", "month", "year")

# How many levels of the gazetteer a public view may raise a place.
MAX_PLACE_LEVELS_UP = 3

# The longest texts a testimony holds, in characters, whatever the door
# (recording, import, admin): about 15,000 words for an account or each of
# its translations. Every search that shows a testimony redacts and cuts an
# excerpt from its whole text: one text of megabytes slowed every search.
NARRATIVE_MAX_CHARS = 100_000
TRANSLATION_MAX_CHARS = 100_000
SUMMARY_MAX_CHARS = 10_000


@dataclass(frozen=True)
class IncidentDates:
    """An incident's date range and how precisely it is known."""

    start: datetime.date | None
    end: datetime.date | None
    precision: str

    @property
    def label(self) -> str:
        """The dates, no more precise than they are known, in the active
        language's formats (archive/formats): "7 March 2025", "March 2025",
        "2025"; a range as "first – last". Templates show it through the
        `incident_dates` filter (archive/templatetags/localised.py)."""
        if not self.start:
            return ""
        start, end = self.start, self.end or self.start
        pattern = _PRECISION_FORMATS[self.precision]
        first, last = date_format(start, pattern), date_format(end, pattern)
        return first if first == last else f"{first} – {last}"

    def widened(self, precision: str) -> "IncidentDates":
        """The same range widened to whole months or whole years (never
        narrowed: a date known to the year stays a year). A blank
        `precision` changes nothing."""
        if not self.start or not precision:
            return self
        precision = max(precision, self.precision, key=PRECISION_ORDER.index)
        start, end = self.start, self.end or self.start
        if precision == "month":
            last_day = calendar.monthrange(end.year, end.month)[1]
            return IncidentDates(
                start.replace(day=1), end.replace(day=last_day), "month"
            )
        if precision == "year":
            return IncidentDates(
                datetime.date(start.year, 1, 1), datetime.date(end.year, 12, 31), "year"
            )
        return self


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    KURDISH = "ku", _("Kurdish")


@cache
def _current_consent_annotations() -> dict[str, Subquery]:
    """The subqueries that read the latest consent record, built once: every
    visibility check uses them, and building them cost Django more than
    compiling them. Each queryset that uses them resolves its own copy."""
    latest = ConsentRecord.objects.filter(testimony=OuterRef("pk")).order_by("-pk")
    fields = [*ConsentScope.values, "embargo_until"]
    return {f"consent_{field}": Subquery(latest.values(field)[:1]) for field in fields}


class TestimonyQuerySet(models.QuerySet):
    def with_current_consent(self, *fields):
        """Annotate `consent_<field>` for each of `fields` (scopes, and
        "embargo_until"; all of them if none is named) from the latest
        consent record, the only place current consent comes from. Each is a
        subquery Django compiles again for every query: a filter names the
        ones it reads."""
        annotations = _current_consent_annotations()
        if fields:
            annotations = {f"consent_{f}": annotations[f"consent_{f}"] for f in fields}
        return self.annotate(**annotations)

    @staticmethod
    def released_on(day: datetime.date) -> Q:
        """The condition a released testimony meets on `day`: approved, the
        witness consented to it being archived, and any embargo passed. For
        a queryset annotated with_current_consent. Which audiences it is
        released to (the consent's scopes) is the access policy's business:
        testimonies.policy.visible_testimonies builds on this."""
        return Q(status=TestimonyStatus.APPROVED, consent_archive=True) & (
            Q(consent_embargo_until__isnull=True) | Q(consent_embargo_until__lte=day)
        )

    def not_erased(self):
        return self.exclude(status=TestimonyStatus.ERASED)

    def indexable(self):
        """What may enter the search index at all: reviewed or under review,
        with consent to be archived. Never an erased testimony, whatever
        the list of statuses becomes."""
        return (
            self.not_erased()
            .with_current_consent("archive")
            .filter(
                status__in=[TestimonyStatus.SUBMITTED, TestimonyStatus.APPROVED],
                consent_archive=True,
            )
            .exclude(witness__isnull=True)
        )


class Testimony(SealedContent):
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
    # The account as recorded, its translations (by language code), the
    # documenter's summary and the persons named: sealed (models/sealed.py).
    # The narrative is blank only once erased (see clean()).
    # Marked words (shape: testimonies.redaction.marks; set through
    # services.redaction_marks_set) are sealed too: they are names. So are
    # the decisions on words redaction flagged (shape: testimonies.redaction.marks;
    # set through services.redaction_candidates_decide): each names the
    # words it is about.
    SEALED_FIELDS = {"narrative": str, "translations": dict, "summary": str,
                     "persons_named": list, "redaction_marks": list,
                     "redaction_decisions": list}  # fmt: skip
    narrative = sealed_attribute("narrative")
    translations = sealed_attribute("translations")
    summary = sealed_attribute("summary")
    persons_named = sealed_attribute("persons_named")
    redaction_marks = sealed_attribute("redaction_marks")
    redaction_decisions = sealed_attribute("redaction_decisions")
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
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TestimonyStatus.choices,
        default=TestimonyStatus.DRAFT,
    )
    # The public view chosen at approval after the re-identification check
    # (testimonies.redaction.reidentification): set by services.testimony_approve only.
    public_place_levels_up = models.PositiveSmallIntegerField(
        _("public place raised by"),
        default=0,
        validators=[MaxValueValidator(MAX_PLACE_LEVELS_UP)],
        help_text=_(
            "Levels of the gazetteer the smallest places are raised for the "
            "public, chosen at approval."
        ),
    )
    public_date_precision = models.CharField(
        _("public date precision"),
        max_length=10,
        choices=PublicDatePrecision.choices,
        blank=True,
        default=PublicDatePrecision.AS_RECORDED,
        help_text=_("How far the incident dates are widened for the public."),
    )
    # Set by testimonies.consent.services.public_holds, cleared by a moderator's
    # release (or a new approval): while set, the public does not see it.
    public_hold = models.CharField(
        _("held back from the public"),
        max_length=30,
        choices=PublicHold.choices,
        blank=True,
        default=PublicHold.NONE,
    )
    public_hold_since = models.DateTimeField(
        _("held back since"), null=True, blank=True
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

    def sealing_witness_id(self) -> int:
        return self.witness_id

    @classmethod
    def sealed_by_as_loaded(cls, instance) -> int | None:
        return instance.__dict__.get("witness_id")

    def sealing_purpose(self) -> str:
        return f"testimony:{self.pk}"

    def get_absolute_url(self):
        return reverse("testimonies:detail", kwargs={"public_id": self.public_id})

    # What testimony_erase blanks; an erased testimony holds none of it.
    ERASED_FIELDS = (
        "narrative", "translations", "summary", "persons_named",
        "redaction_marks", "redaction_decisions", "incident_start", "incident_end",
    )  # fmt: skip

    def clean(self):
        self._clean_erasure()
        self._clean_lengths()
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
            decisions_check(self.redaction_decisions)
        except ValueError:
            raise ValidationError(
                {
                    "redaction_decisions": ValidationError(
                        _("The decisions are not in the shape the archive keeps them."),
                        code="redaction_decisions_shape",
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

    def _clean_lengths(self):
        texts = [
            ("narrative", self.narrative, NARRATIVE_MAX_CHARS),
            ("summary", self.summary, SUMMARY_MAX_CHARS),
            *(
                ("translations", text, TRANSLATION_MAX_CHARS)
                for text in (
                    self.translations.values()
                    if isinstance(self.translations, dict)
                    else ()  # refused for its shape below
                )
            ),
        ]
        for name, text, limit in texts:
            if isinstance(text, str) and len(text) > limit:
                raise ValidationError(
                    {
                        name: ValidationError(
                            _("At most %(limit)s characters."),
                            code="too_long",
                            params={"limit": f"{limit:,}"},
                        )
                    }
                )

    def _clean_erasure(self):
        if self.status != TestimonyStatus.ERASED:
            # A draft is saved from the recording's first step, before the
            # account is written; submission asks for it (testimony_submit).
            if self.status != TestimonyStatus.DRAFT and not self.narrative.strip():
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
    def is_editable(self) -> bool:
        """The lifecycle rule: a draft, or a testimony sent back, may still be
        changed by the documenter who recorded it (its steps, marks and
        attachments) and submitted. Once submitted a moderator has read, or
        is reading, what was sent: it changes only through a review."""
        return self.status in (TestimonyStatus.DRAFT, TestimonyStatus.SENT_BACK)

    @property
    def is_closed(self) -> bool:
        """Withdrawn or erased (CLOSED_STATUSES)."""
        return self.status in CLOSED_STATUSES

    @property
    def incident(self) -> IncidentDates:
        """The incident's dates as recorded."""
        return IncidentDates(
            self.incident_start, self.incident_end, self.incident_precision
        )

    @property
    def incident_label(self) -> str:
        """The incident's dates, no more precise than they are known."""
        return self.incident.label

    @property
    def public_incident(self) -> IncidentDates:
        """The incident's dates as the public sees them: widened to the
        month or the year when the approval chose so."""
        return self.incident.widened(self.public_date_precision)

    def public_place_paths(self) -> list[str]:
        """Gazetteer paths of the smallest places as the public sees them:
        the smallest tagged places, each raised `public_place_levels_up`
        levels when the approval chose so. Reads the (prefetched) places."""
        return generalised_paths(
            [place.path for place in self.places.all()], self.public_place_levels_up
        )

    def public_place_slugs(self) -> list[str] | None:
        """Slugs of the places the public is shown, or None when the places
        are shown as tagged (no place was raised)."""
        if not self.public_place_levels_up:
            return None
        return [path_slugs(path)[-1] for path in self.public_place_paths()]

    def public_places(self) -> list[Place]:
        """The places as the public sees them: as tagged, or the raised ones
        (one query) when the approval chose to raise them."""
        slugs = self.public_place_slugs()
        if slugs is None:
            return list(self.places.all())
        return list(Place.objects.filter(slug__in=slugs).order_by("path"))

    def current_consent(self):
        """The latest consent record, or None when none was ever recorded."""
        return self.consent_records.order_by("-pk").first()
