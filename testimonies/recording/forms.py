"""Forms of the recording steps. They validate and hand off to
testimonies.recording.services; consent is the consent page's own
ConsentForm (testimonies.consent.forms).

Each form can be bound `partial`: a draft saved by Back, by "Save" or by
the autosave keeps what was typed even where a required field is still
empty; Next asks for everything.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from testimonies import policy
from testimonies.core.models import (
    NARRATIVE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TRANSLATION_MAX_CHARS,
    Language,
)
from testimonies.models import (
    Community,
    EventType,
    Gender,
    IncidentDates,
    IncidentPrecision,
    Place,
)
from testimonies.places.gazetteer import PlaceLookupError, PlaceResolver
from testimonies.places.models import SETTLEMENT_KINDS
from testimonies.recording.services import NewNeighbourhood, WitnessDetails

# Eastern Arabic and Persian digits, as typed on Arabic keyboards.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")
# Several spellings of one person on one line: Latin and Arabic semicolons.
_SPELLINGS = re.compile(r"[;؛]")
_PLACES = re.compile(r"[;؛\n]")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_error_summary(form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for each error of `form`, in the fields'
    order, for the summary at the top of a step; the anchor is the input
    (the first option of a group) the message is about."""
    summary = [("", "", str(message)) for message in form.non_field_errors()]
    for bound in form:
        for message in bound.errors:
            anchor = bound.auto_id
            if isinstance(
                bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                anchor = f"{bound.auto_id}_0"
            summary.append((anchor, str(bound.label), str(message)))
    return summary


class RecordingForm(forms.Form):
    """Errors linked to their fields for assistive technology, and the
    error summary shown at the top of each step."""

    def __init__(self, *args, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.partial = partial
        if partial:
            for field in self.fields.values():
                field.required = False
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea | forms.TextInput):
                # Typed in Arabic or English: the browser sets the direction.
                field.widget.attrs.setdefault("dir", "auto")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join(described)
            attrs["aria-invalid"] = "true"

    def error_summary(self) -> list[tuple[str, str, str]]:
        return form_error_summary(self)

    def errors_as_json(self) -> dict[str, list[str]]:
        return {
            name: [str(m) for m in messages] for name, messages in self.errors.items()
        }


class VocabularyChoiceField(forms.ModelMultipleChoiceField):
    """Terms of a vocabulary, named in the interface's language."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.label


class VocabularyTermField(forms.ModelChoiceField):
    """One term of a vocabulary, named in the interface's language (a
    drop-down: the witness's own community)."""

    def label_from_instance(self, obj):
        return obj.label


# A witness's name: given, or declined (an explicit choice, never a blank).
NAME_GIVEN, NAME_DECLINED = "given", "declined"


class WitnessForm(RecordingForm):
    """Step 1. The identity is sent to the vault and never shown back: once
    kept, the fields stay empty and a blank name keeps it as it is. A
    witness may decline to give a name: then none is stored, and the
    archive knows them by their pseudonym only."""

    name_given = forms.ChoiceField(
        label=_("The witness's name"),
        choices=[
            (NAME_GIVEN, _("The witness gave their name")),
            (NAME_DECLINED, _("The witness declined to give a name")),
        ],
        initial=NAME_GIVEN,
        # Not sent (an older form): the name was given.
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "If they declined, no name is stored: the archive knows them by a "
            "pseudonym only. A way to reach them may still be kept."
        ),
    )
    name = forms.CharField(
        label=_("Witness's full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name_variants = forms.CharField(
        label=_("Other spellings of the name"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_(
            "One a line, in Latin or Arabic letters. Every spelling is taken "
            "out of what others read."
        ),
    )
    contact = forms.CharField(
        label=_("How to reach the witness"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("A telephone number or an address. Kept in the vault only."),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        initial=Gender.UNKNOWN,
        widget=forms.RadioSelect,
    )
    community = VocabularyTermField(
        label=_("The witness's own community"),
        queryset=Community.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Not said"),
    )
    witness_key = forms.CharField(
        label=_("Witness key"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Optional: the same key on several testimonies groups them as one "
            "person's. Never the witness's name. Kept only as a keyed digest."
        ),
    )

    def __init__(
        self, *args, has_identity: bool = False, name_declined: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.has_identity = has_identity
        self.name_declined = name_declined
        if name_declined:
            self.fields["name_given"].initial = NAME_DECLINED
        # Only the choice tells a declined name from a forgotten one.
        self.fields["name"].required = False
        this_year = timezone.localdate().year
        self.fields["birth_year"].validators.append(MaxValueValidator(this_year))
        self.fields["birth_year"].widget.attrs["max"] = this_year
        if has_identity:
            self.fields["name"].required = False
            self.fields["name"].help_text = _(
                "The identity is kept in the vault and is not shown here. Leave "
                "these fields empty to keep it; to correct it, enter it again "
                "in full."
            )
            self.fields["gender"].required = False
            self.fields["gender"].initial = None

    def clean_name_variants(self):
        return tuple(_lines(self.cleaned_data["name_variants"]))

    def clean(self):
        cleaned = super().clean()
        identity_typed = any(
            cleaned.get(name)
            for name in ("name_variants", "contact", "birth_year", "community")
        )
        declined = cleaned.get("name_given") == NAME_DECLINED
        name = cleaned.get("name", "").strip()
        if declined:
            for field in ("name", "name_variants"):
                if cleaned.get(field):
                    self.add_error(
                        field,
                        forms.ValidationError(
                            _(
                                "The witness declined to give a name: leave it "
                                "empty, or choose that they gave it."
                            ),
                            code="name_declined",
                        ),
                    )
            return cleaned
        if not name and not self.partial and not self.has_identity:
            self.add_error(
                "name",
                forms.ValidationError(
                    _(
                        "Enter the witness's name, or choose that they declined "
                        "to give one."
                    ),
                    code="required",
                ),
            )
        if self.has_identity and not name and identity_typed:
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Enter the name too: an identity is saved whole, never in part."),
                    code="identity_partial",
                ),
            )
        return cleaned

    def details(self) -> WitnessDetails:
        data = self.cleaned_data
        return WitnessDetails(
            name_declined=data.get("name_given") == NAME_DECLINED,
            name=data["name"].strip(),
            name_variants=data["name_variants"],
            contact=data["contact"].strip(),
            birth_year=data["birth_year"],
            gender=data["gender"] or Gender.UNKNOWN,
            community=data["community"],
            witness_key=data["witness_key"].strip(),
        )


class AccountForm(RecordingForm):
    """Step 2: the account as told, its translations and a summary."""

    language = forms.ChoiceField(
        label=_("Language of the account"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )
    recorded_on = forms.DateField(
        label=_("Recorded on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the witness gave the account."),
    )
    narrative = forms.CharField(
        label=_("The account, as the witness told it"),
        max_length=NARRATIVE_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your own short summary of what the account says."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, language in Language.choices:
            field = forms.CharField(
                label=_("Translation into %(language)s") % {"language": language},
                required=False,
                max_length=TRANSLATION_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
            )
            self.fields[f"translation_{code}"] = field

    @staticmethod
    def initial_for(testimony) -> dict:
        return {
            "language": testimony.language,
            "recorded_on": testimony.recorded_on,
            "narrative": testimony.narrative,
            "summary": testimony.summary,
            **{
                f"translation_{code}": text
                for code, text in testimony.translations.items()
            },
        }

    def translation_fields(self):
        return [self[f"translation_{code}"] for code in Language.values]

    def clean_recorded_on(self):
        recorded_on = self.cleaned_data["recorded_on"]
        if recorded_on and recorded_on > timezone.localdate():
            raise forms.ValidationError(
                _("An account cannot have been recorded in the future."),
                code="future",
            )
        return recorded_on

    def clean(self):
        cleaned = super().clean()
        own = cleaned.get("language")
        if own and cleaned.get(f"translation_{own}", "").strip():
            self.add_error(
                f"translation_{own}",
                forms.ValidationError(
                    _("The account is in this language already: write it above."),
                    code="translation_same_language",
                ),
            )
        return cleaned

    def service_terms(self) -> dict:
        data = self.cleaned_data
        return {
            "language": data["language"],
            "recorded_on": data["recorded_on"],
            "narrative": data["narrative"],
            "summary": data["summary"],
            "translations": {
                code: data[f"translation_{code}"]
                for code in Language.values
                if code != data["language"]
            },
        }


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None
    day: int | None

    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> datetime.date:
        month = self.month or 12
        return datetime.date(
            self.year, month, self.day or calendar.monthrange(self.year, month)[1]
        )


class PartialDateField(forms.CharField):
    """A date known to the day (2025-03-07), the month (2025-03) or the year
    (2025), in Latin or Arabic digits."""

    def to_python(self, value):
        value = super().to_python(value).translate(_DIGITS).strip()
        if not value:
            return None
        match = _PARTIAL_DATE.match(value)
        try:
            if not match:
                raise ValueError(value)
            year, month, day = (int(part) if part else None for part in match.groups())
            date = PartialDate(year, month, day)
            date.first_day()  # a real day of a real month
        except ValueError:
            raise forms.ValidationError(
                _("Write the date as YYYY-MM-DD, or YYYY-MM or YYYY."),
                code="invalid",
            ) from None
        return date


def date_as_typed(date: datetime.date | None, precision: str) -> str:
    """A stored incident date written back as precisely as it is known."""
    if date is None:
        return ""
    return date.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[precision])


# What a date field shows while empty: the shape of a date, never a date,
# which a documenter could take for one already filled in.
DATE_HINT = _("YYYY-MM-DD")


class WhenWhereForm(RecordingForm):
    """Step 3: the incident's dates and the places it happened in."""

    incident_precision = forms.ChoiceField(
        label=_("How precisely are the dates known?"),
        choices=IncidentPrecision.choices,
        initial=IncidentPrecision.DAY,
        widget=forms.RadioSelect,
    )
    incident_start = PartialDateField(
        label=_("Incident started"),
        required=False,
        help_text=_(
            "YYYY-MM-DD; YYYY-MM or YYYY when only the month or year is known."
        ),
        widget=forms.TextInput(attrs={"placeholder": DATE_HINT, "dir": "ltr"}),
    )
    incident_end = PartialDateField(
        label=_("Incident ended"),
        required=False,
        help_text=_("Leave empty for a single day, month or year."),
        widget=forms.TextInput(attrs={"placeholder": DATE_HINT, "dir": "ltr"}),
    )
    places = forms.ModelMultipleChoiceField(
        label=_("Places chosen"),
        queryset=Place.objects.all(),
        to_field_name="slug",
        required=False,
    )
    place_query = forms.CharField(
        label=_("Add a place"),
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Town, village or neighbourhood, in English or Arabic or any usual "
            "spelling. Separate several with ;"
        ),
    )
    neighbourhood_name = forms.CharField(
        label=_("New neighbourhood (English name)"),
        required=False,
        max_length=200,
        help_text=_("Only if the gazetteer does not have it."),
    )
    neighbourhood_name_ar = forms.CharField(
        label=_("New neighbourhood (Arabic name)"), required=False, max_length=200
    )
    neighbourhood_parent = forms.ModelChoiceField(
        label=_("In the town or village"),
        queryset=Place.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Choose a town or village saved above"),
    )

    def __init__(self, *args, testimony, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A neighbourhood is added under a town already saved on this draft.
        towns = testimony.places.filter(kind__in=SETTLEMENT_KINDS)
        self.fields["neighbourhood_parent"].queryset = towns
        self.fields["neighbourhood_parent"].label_from_instance = lambda p: p.label
        self.testimony = testimony
        self.user = user

    def _known(self, places) -> list[Place]:
        """The places this user may choose: those they may know
        (testimonies.policy.places_visible) and those the draft already has."""
        tagged = set(self.testimony.places.values_list("pk", flat=True))
        visible = {p.pk for p in policy.places_visible(places, self.user)}
        return [p for p in places if p.pk in visible or p.pk in tagged]

    def clean_places(self):
        places = list(self.cleaned_data["places"])
        unknown = [p for p in places if p not in self._known(places)]
        if unknown:
            # Worded as for a slug that names no place at all.
            raise forms.ValidationError(
                self.fields["places"].error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": unknown[0].slug},
            )
        return places

    @staticmethod
    def initial_for(testimony) -> dict:
        precision = testimony.incident_precision
        return {
            "incident_precision": precision,
            "incident_start": date_as_typed(testimony.incident_start, precision),
            "incident_end": (
                ""
                if testimony.incident_end == testimony.incident_start
                else date_as_typed(testimony.incident_end, precision)
            ),
            "places": list(testimony.places.order_by("path")),
        }

    def chosen_places(self) -> list[Place]:
        """The places to show as chosen: as posted, or as saved."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return list(self.cleaned_data.get("places") or []) + list(
                self.cleaned_data.get("place_query") or []
            )
        return list(self.initial.get("places", []))

    def clean_place_query(self):
        resolver, found, problems = PlaceResolver(), [], []
        for name in _PLACES.split(self.cleaned_data["place_query"]):
            name = name.strip()
            if not name:
                continue
            place = next(iter(self._known(Place.objects.filter(slug=name))), None)
            if place is None:
                try:
                    place = resolver.resolve(name, among=self._known)
                except PlaceLookupError as error:
                    problems.append(str(error))
                    continue
            found.append(place)
        if problems:
            raise forms.ValidationError(problems, code="place_unknown")
        return found

    def _dates(self, cleaned):
        precision = cleaned.get("incident_precision") or IncidentPrecision.DAY
        start, end = cleaned.get("incident_start"), cleaned.get("incident_end")
        if end and not start:
            self.add_error(
                "incident_start",
                forms.ValidationError(
                    _("Give the start too, or only the start."), code="start_missing"
                ),
            )
            return None, None
        needs = {
            "day": (
                "day",
                _("Give the day too (YYYY-MM-DD), or choose a coarser precision."),
            ),
            "month": (
                "month",
                _("Give the month too (YYYY-MM), or choose the year."),
            ),
        }
        if precision in needs:
            part, message = needs[precision]
            for name, date in (("incident_start", start), ("incident_end", end)):
                if date and getattr(date, part) is None:
                    self.add_error(
                        name, forms.ValidationError(message, code="imprecise")
                    )
                    return None, None
        if not start:
            return None, None
        first, last = start.first_day(), (end or start).last_day()
        if last < first:
            self.add_error(
                "incident_end",
                forms.ValidationError(
                    _("The incident cannot end before it starts."),
                    code="incident_order",
                ),
            )
            return None, None
        widened = IncidentDates(first, last, IncidentPrecision.DAY).widened(precision)
        return widened.start, widened.end

    def clean(self):
        cleaned = super().clean()
        cleaned["start_date"], cleaned["end_date"] = self._dates(cleaned)
        name = cleaned.get("neighbourhood_name", "").strip()
        if name and not cleaned.get("neighbourhood_parent"):
            self.add_error(
                "neighbourhood_parent",
                forms.ValidationError(
                    _("Choose the town the neighbourhood is in."), code="required"
                ),
            )
        if cleaned.get("neighbourhood_name_ar", "").strip() and not name:
            self.add_error(
                "neighbourhood_name",
                forms.ValidationError(_("Give the English name too."), code="required"),
            )
        return cleaned

    def service_terms(self) -> dict:
        data = self.cleaned_data
        name = data["neighbourhood_name"].strip()
        return {
            "incident_start": data["start_date"],
            "incident_end": data["end_date"],
            "incident_precision": data["incident_precision"] or IncidentPrecision.DAY,
            "places": [*data["places"], *data["place_query"]],
            "neighbourhood": NewNeighbourhood(
                name=name,
                name_ar=data["neighbourhood_name_ar"].strip(),
                parent=data["neighbourhood_parent"],
            )
            if name
            else None,
        }


class WhatForm(RecordingForm):
    """Step 4: what happened, to whom, and who else the account names."""

    event_types = VocabularyChoiceField(
        label=_("What happened"),
        queryset=EventType.objects.order_by("name"),
        to_field_name="slug",
    )
    communities = VocabularyChoiceField(
        label=_("Communities concerned"),
        queryset=Community.objects.order_by("name"),
        to_field_name="slug",
        required=False,
    )
    persons_named = forms.CharField(
        label=_("Other persons named in the account"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        help_text=_(
            "One person a line. Write other spellings of the same person on "
            "the same line, separated by ; (Samir; سمير). Their names are "
            "taken out of what others read."
        ),
    )

    @staticmethod
    def initial_for(testimony) -> dict:
        return {
            "event_types": list(testimony.event_types.all()),
            "communities": list(testimony.communities.all()),
            "persons_named": "\n".join(
                person if isinstance(person, str) else "; ".join(person)
                for person in testimony.persons_named
            ),
        }

    def clean_persons_named(self):
        persons = []
        for line in _lines(self.cleaned_data["persons_named"]):
            spellings = [s.strip() for s in _SPELLINGS.split(line) if s.strip()]
            if spellings:
                persons.append(spellings[0] if len(spellings) == 1 else spellings)
        return persons

    def service_terms(self) -> dict:
        data = self.cleaned_data
        return {
            "event_types": list(data["event_types"]),
            "communities": list(data["communities"]),
            "persons_named": data["persons_named"],
        }
