"""Forms of the incident pages. They validate; services do the work."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from search.forms import SearchForm
from search.places import PlaceFilterError, place_filter_slugs
from testimonies.core.models import IncidentPrecision
from testimonies.core.vocabularies import Community, EventType
from testimonies.incidents.models import LinkRole
from testimonies.places.models import Place
from testimonies.recording.forms import VocabularyChoiceField
from testimonies.vault.forms import IdentityRevealForm


class IncidentListForm(SearchForm):
    """The parameters of /incidents/ and /api/incidents/: the search's
    (docs/api.md), less its sort (incidents come newest first)."""

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        del self.fields["sort"]
        del self.fields["incident"]


class IncidentProposeForm(forms.Form):
    title = forms.CharField(label=_("Title in English"), max_length=200)
    title_ar = forms.CharField(label=_("Title in Arabic"), max_length=200)
    summary = forms.CharField(
        label=_("Summary in English"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("What is known of the event, without naming any witness."),
    )
    summary_ar = forms.CharField(
        label=_("Summary in Arabic"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
    )
    start = forms.DateField(
        label=_("First day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    precision = forms.ChoiceField(
        label=_("The dates are known to the"),
        choices=IncidentPrecision.choices,
        initial=IncidentPrecision.DAY,
    )
    places = forms.CharField(
        label=_("Places"),
        required=False,
        max_length=1000,
        help_text=_("Names from the gazetteer, separated by commas: Banias, Jableh."),
    )
    event_types = VocabularyChoiceField(
        label=_("What happened"), queryset=EventType.objects.all(), required=False
    )
    communities = VocabularyChoiceField(
        label=_("Communities concerned"),
        queryset=Community.objects.all(),
        required=False,
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["title_ar"].widget.attrs.update(dir="rtl", lang="ar")
        self.fields["title"].widget.attrs.update(dir="auto")
        self.fields["places"].widget.attrs.update(dir="auto")

    def clean_places(self):
        names = [n.strip() for n in self.cleaned_data["places"].split(",")]
        names = [n for n in names if n]
        try:
            slugs = place_filter_slugs(names, self.user)
        except PlaceFilterError as error:
            raise ValidationError(str(error), code="unknown_place") from None
        return list(Place.objects.filter(slug__in=slugs))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if end and not start:
            self.add_error(
                "start",
                ValidationError(_("Give the first day too."), code="start_missing"),
            )
        elif start and end and end < start:
            self.add_error(
                "end",
                ValidationError(
                    _("The incident cannot end before it starts."),
                    code="incident_order",
                ),
            )
        return cleaned


class LinkForm(forms.Form):
    """Link one testimony, named by its public id, with a role."""

    testimony = forms.SlugField(label=_("Testimony id"), max_length=20)
    role = forms.ChoiceField(
        label=_("Role"), choices=LinkRole.choices, initial=LinkRole.DESCRIBES
    )


class UnlinkForm(forms.Form):
    testimony = forms.SlugField(max_length=20)


class MergeForm(forms.Form):
    into = forms.SlugField(
        label=_("Merge into the incident with id"),
        max_length=20,
        help_text=_("Its links move there and this incident's address redirects."),
    )


class SplitForm(forms.Form):
    testimonies = forms.MultipleChoiceField(
        label=_("Testimonies to move"), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Title in English"), max_length=200)
    title_ar = forms.CharField(label=_("Title in Arabic"), max_length=200)

    def __init__(self, data=None, *, linked=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["testimonies"].choices = [
            (row.card.testimony.public_id, row.card.testimony.public_id)
            for row in linked
        ]
        self.fields["title_ar"].widget.attrs.update(dir="rtl", lang="ar")


class WitnessCommunitiesForm(IdentityRevealForm):
    """Why the breakdown of the witnesses' communities is needed, and the
    user's password again: the reveal page's form, asked the same way."""

    reason = forms.CharField(
        label=_("Why do you need the communities of these witnesses?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            "Kept in the audit log for good. Never write a witness's name, "
            "contact or birth year here."
        ),
    )
