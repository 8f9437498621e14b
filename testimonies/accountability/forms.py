"""The form behind the package page: for whom, and which testimonies (by
public id, by incident, or by the search's filters)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# Public ids are letters and digits (W-... pseudonyms are not ids).
_ID_SEPARATORS = re.compile(r"[\s,;]+")


class PackageForm(forms.Form):
    recipient = forms.CharField(
        label=_("For which body"),
        max_length=300,
        help_text=_(
            "As witnesses name it on the consent form, e.g. International, "
            "Impartial and Independent Mechanism (IIIM). The witness's identity "
            "goes only to a body named in their consent."
        ),
    )
    ids = forms.CharField(
        label=_("Testimonies (public ids)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One or more, separated by spaces or new lines."),
    )

    # Not `incident`: that is the search's incident filter, which the page
    # carries from the search page as it carries the others.
    incident_id = forms.CharField(
        label=_("Or an incident (its public id)"),
        required=False,
        max_length=20,
        help_text=_(
            "Every testimony linked to the incident that may go to this body; "
            "the incident's record goes with them."
        ),
    )

    def clean_recipient(self):
        recipient = " ".join(self.cleaned_data["recipient"].split())
        if not recipient:
            raise forms.ValidationError(_("Say whom the package is for."), "required")
        return recipient

    def clean_ids(self):
        return [i for i in _ID_SEPARATORS.split(self.cleaned_data["ids"]) if i]

    def clean_incident_id(self):
        return self.cleaned_data["incident_id"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("incident_id") and cleaned.get("ids"):
            raise forms.ValidationError(
                _("Give public ids or an incident, not both."), "ids_and_incident"
            )
        return cleaned
