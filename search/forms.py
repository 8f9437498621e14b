"""The search parameters of /search/ and /api/search/ (docs/api.md)."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive.forms import check_date_order
from search.places import PlaceFilterError, place_filter_slugs
from testimonies.incidents.selectors import incidents_visible_to
from testimonies.models import Community, EventType


class SlugListField(forms.MultipleChoiceField):
    """Repeated slug parameters, each of which must exist in `model`."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(required=False, **kwargs)

    def valid_value(self, value):
        return True  # checked against the database in validate()

    def validate(self, value):
        super().validate(value)
        known = set(
            self.model.objects.filter(slug__in=value).values_list("slug", flat=True)
        )
        unknown = [slug for slug in value if slug not in known]
        if unknown:
            raise ValidationError(
                _("Unknown value: %(values)s."),
                code="unknown_value",
                params={"values": ", ".join(unknown)},
            )


class IncidentListField(forms.MultipleChoiceField):
    """Repeated incident parameters, each the public id of an incident the
    user may see (an incident they may not see is as unknown as one that
    never existed)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.user = None  # whose incidents: set by SearchForm

    def valid_value(self, value):
        return True  # checked against the database in validate()

    def validate(self, value):
        super().validate(value)
        if not value:
            return  # asks the policy nothing: most searches name no incident
        known = set(
            incidents_visible_to(self.user)
            .filter(public_id__in=value)
            .values_list("public_id", flat=True)
        )
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValidationError(
                _("Unknown value: %(values)s."),
                code="unknown_value",
                params={"values": ", ".join(unknown)},
            )


class PlaceListField(forms.MultipleChoiceField):
    """Repeated place parameters, each a slug or any known name of exactly
    one place (search.places.place_filter_slugs); cleaned to slugs."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.user = None  # whose places: set by SearchForm

    def valid_value(self, value):
        return True  # resolved against the gazetteer in clean()

    def clean(self, value):
        value = [v.strip() for v in super().clean(value) if v.strip()]
        try:
            return place_filter_slugs(value, self.user)
        except PlaceFilterError as error:
            code = "ambiguous_place" if error.candidates else "unknown_place"
            raise ValidationError(str(error), code=code) from None


# Incident dates a search may ask about: beyond them a date is a typing
# mistake (0001-01-01), and the index's date fields cannot hold it.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def _within_dates(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("A date must be between 1900 and 2100."), code="date_out_of_range"
        )
    return value


SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("incident-newest", _("Incident date, newest first")),
    ("incident-oldest", _("Incident date, oldest first")),
    ("recorded-newest", _("Recording date, newest first")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=300, strip=True)
    place = PlaceListField(label=_("Place"))
    community = SlugListField(model=Community, label=_("Community"))
    event_type = SlugListField(model=EventType, label=_("Event type"))
    incident = IncidentListField(label=_("Incident"))
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=["%Y-%m-%d"]
    )
    date_to = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=100)

    def clean_date_from(self):
        return _within_dates(self.cleaned_data.get("date_from"))

    def clean_date_to(self):
        return _within_dates(self.cleaned_data.get("date_to"))

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        # Places a documenter added are known only to some users.
        self.fields["place"].user = user
        self.fields["incident"].user = user

    def clean(self):
        cleaned = check_date_order(super().clean())
        cleaned["page"] = cleaned.get("page") or 1
        cleaned["page_size"] = cleaned.get("page_size") or 20
        return cleaned

    def problem(self) -> tuple[str, dict] | None:
        """What is wrong with the parameters (message, field errors), if
        anything, as the API answers it. An unknown parameter is an error:
        a misspelt filter would otherwise silently widen the result."""
        unknown = self.unknown_parameters()
        if unknown:
            return (
                gettext("Unknown parameter: %(names)s.")
                % {"names": ", ".join(unknown)},
                {name: [gettext("Unknown parameter.")] for name in unknown},
            )
        if not self.is_valid():
            return (
                gettext("Invalid search parameters."),
                {
                    name: [str(m) for m in messages]
                    for name, messages in self.errors.items()
                },
            )
        return None

    def unknown_parameters(self) -> list[str]:
        return sorted(set(self.data) - set(self.fields))

    def invalid_parameters(self) -> set[str]:
        """The parameters this (bound, invalid) form refuses: a range that
        ends before it starts is both of its dates."""
        invalid = {name for name in self.errors if name in self.fields}
        if self.has_error(NON_FIELD_ERRORS, "date_order"):
            invalid |= {"date_from", "date_to"}
        return invalid | set(self.unknown_parameters())

    def without_invalid(self) -> "SearchForm | None":
        """The same search less every parameter this form refuses: what the
        page can still answer. None when that is still invalid."""
        data = self.data.copy()
        for name in self.invalid_parameters():
            data.pop(name, None)
        narrower = type(self)(data, user=self.fields["place"].user)
        return narrower if narrower.is_valid() else None
