"""The search parameters of /search/ and /api/search/ (CONTRACTS.md, 4)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archive.forms import check_date_order
from testimonies.models import Community, EventType

from .places import PlaceFilterError, place_filter_slugs


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
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=["%Y-%m-%d"]
    )
    date_to = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=100)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        # Places a documenter added are known only to some users.
        self.fields["place"].user = user

    def clean(self):
        cleaned = check_date_order(super().clean())
        cleaned["page"] = cleaned.get("page") or 1
        cleaned["page_size"] = cleaned.get("page_size") or 20
        return cleaned

    def unknown_parameters(self) -> list[str]:
        return sorted(set(self.data) - set(self.fields))
