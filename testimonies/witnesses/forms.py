from django import forms
from django.utils.translation import gettext_lazy as _

from testimonies.models import WitnessKeyConflict


class KeyConflictDecisionForm(forms.Form):
    """A moderator's decision on one open conflict (named in the body,
    never in a URL)."""

    conflict = forms.ModelChoiceField(
        queryset=WitnessKeyConflict.objects.filter(resolution=""),
        error_messages={"invalid_choice": _("That conflict is not open any more.")},
    )
    decision = forms.ChoiceField(
        choices=[
            ("same", _("The same person: join them")),
            ("different", _("Different people: keep them apart")),
        ]
    )
