"""Forms behind the redaction editor: the marks, and the decisions on flagged
words. They validate and hand off to testimonies.redaction.marking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from testimonies.redaction.marks import (
    MAX_SPELLING_LENGTH,
    WITNESS,
    marks_edited,
    spelling_key,
)


class RedactionMarksForm(forms.Form):
    """Unmark spellings and mark new words, in one save (testimonies.redaction.marks).

    Whether the words occur in the text is checked by the service, whose
    errors the view shows beside `add`."""

    remove = forms.MultipleChoiceField(
        label=_("Unmark"), required=False, widget=forms.CheckboxSelectMultiple
    )
    add = forms.CharField(
        label=_("Words to mark"),
        required=False,
        max_length=MAX_SPELLING_LENGTH,
        help_text=_(
            "As they appear in the text: a name, a nickname, the name of a house. "
            "Every occurrence is replaced, whatever the case, diacritics or "
            "attached و ف ب ك ل. Mark each script's spelling."
        ),
    )
    person = forms.ChoiceField(label=_("Whose words are they?"), required=False)

    def __init__(self, *args, marks, persons_count, people, **kwargs):
        kwargs.setdefault("prefix", "marks")
        super().__init__(*args, **kwargs)
        self.marks, self.persons_count = marks, persons_count
        self.fields["remove"].choices = [
            (spelling, spelling) for mark in marks for spelling in mark["spellings"]
        ]
        self.fields["person"].choices = [(p.value, p.label) for p in people]
        # Typed in either script: let the browser set the direction.
        self.fields["add"].widget.attrs["dir"] = "auto"

    def clean_add(self):
        add = " ".join(self.cleaned_data["add"].split())
        marked = {spelling_key(s) for mark in self.marks for s in mark["spellings"]}
        if add and spelling_key(add) in marked:
            raise forms.ValidationError(
                _("These words are marked already."), code="already_marked"
            )
        return add

    def clean_person(self):
        person = self.cleaned_data["person"]
        if not person:
            return None
        return person if person == WITNESS else int(person)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("add") and not cleaned.get("remove"):
            raise forms.ValidationError(
                _("Type the words to mark, or tick a mark to remove."),
                code="nothing_to_change",
            )
        return cleaned

    def edited_marks(self) -> list[dict]:
        return marks_edited(
            self.marks,
            persons_count=self.persons_count,
            remove=self.cleaned_data["remove"],
            add=self.cleaned_data["add"],
            person=self.cleaned_data["person"],
        )


class WordDecisionForm(forms.Form):
    """A decision on one or more flagged words (testimonies.redaction.redactor):
    their occurrence keys, and what to do with them."""

    REDACT, KEEP, UNDO = "redact", "keep", "undo"
    DECISIONS = {REDACT: True, KEEP: False, UNDO: None}

    key = forms.MultipleChoiceField()
    decide_words = forms.ChoiceField(
        choices=[
            (REDACT, _("Replace")),
            (KEEP, _("Keep as written")),
            (UNDO, _("Decide again")),
        ]
    )

    def __init__(self, *args, keys, **kwargs):
        super().__init__(*args, **kwargs)
        # A key no longer flagged is refused here, before the service.
        self.fields["key"].choices = [(key, key) for key in keys]
        self.fields["key"].error_messages["invalid_choice"] = _(
            "These words are no longer flagged as they were: the text has "
            "changed. Look at the list again."
        )

    def redact(self) -> bool | None:
        return self.DECISIONS[self.cleaned_data["decide_words"]]
