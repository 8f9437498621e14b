"""Forms of the researchers' tools: each validates and hands off to a
service."""

from django import forms
from django.utils.translation import gettext_lazy as _


class NameForm(forms.Form):
    """A saved search's or a collection's name."""

    name = forms.CharField(label=_("Name"), max_length=120, strip=True)


class SavedSearchForm(NameForm):
    """Save the search in `query` (the search page's query string)."""

    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your private note"),
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_(
            "Only you will see it: not moderators, not exports, not the search."
        ),
    )


class CollectionPickForm(forms.Form):
    """Add a testimony to one of the user's collections, or to a new one."""

    collection = forms.ChoiceField(label=_("Collection"), required=False)
    # A collection of the user's of that name if there is one, else a new one.
    new_name = forms.CharField(
        label=_("Or a new collection named"),
        max_length=120,
        required=False,
        strip=True,
    )

    def __init__(self, data=None, *, collections):
        super().__init__(data)
        self.fields["collection"].choices = [("", "—")] + [
            (c.public_id, c.name) for c in collections
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("collection") and not cleaned.get("new_name"):
            raise forms.ValidationError(
                _("Choose a collection or name a new one."), "required"
            )
        return cleaned
