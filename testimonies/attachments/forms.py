"""Forms of the attachment pages: the upload, and the areas to blur."""

from django import forms
from django.utils.translation import gettext_lazy as _

from testimonies.attachments.blur_regions import MAX_BLUR_REGIONS


class AttachmentForm(forms.Form):
    """One file and its description. `next` (where to go after a successful
    upload) is checked by the view before it is followed."""

    # Before the file in the form, so that it is read even when the file is
    # refused midway for its size (testimonies.attachments.uploads).
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Photo, PDF document or audio recording"),
        help_text=_(
            "JPEG, PNG, WebP or GIF photos, PDF documents, MP3, Ogg/Opus, WAV, "
            "M4A or WebM recordings. Photos are shown without their hidden "
            "data (location, camera); the original is kept sealed."
        ),
        allow_empty_file=False,
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What the file shows. It may name people: it is kept sealed and "
            "shown only to the recording documenter and moderators."
        ),
    )

    def __init__(self, *args, **kwargs):
        # Ids of their own: the form is shown inside other pages' forms'
        # pages (the recording wizard), whose fields may share these names.
        kwargs.setdefault("auto_id", "attachment_%s")
        super().__init__(*args, **kwargs)

    def refuse_file(self, error) -> None:
        """Make `error` the file field's only error: a file refused before
        its body was read, which the form itself never saw."""
        self.full_clean()
        self.errors["file"] = self.error_class(error.messages)


class BlurRegionForm(forms.Form):
    """One rectangle, in percent of the photo (the no-script way to draw)."""

    x = forms.FloatField(label=_("From the left (%)"), min_value=0, max_value=100)
    y = forms.FloatField(label=_("From the top (%)"), min_value=0, max_value=100)
    w = forms.FloatField(label=_("Width (%)"), min_value=0.1, max_value=100)
    h = forms.FloatField(label=_("Height (%)"), min_value=0.1, max_value=100)

    def clean(self):
        data = super().clean()
        if {"x", "y", "w", "h"} <= set(data):
            if data["x"] + data["w"] > 100 or data["y"] + data["h"] > 100:
                raise forms.ValidationError(
                    _("This area goes beyond the edge of the photo."),
                    code="outside",
                )
        return data

    def region(self) -> dict:
        return {key: round(self.cleaned_data[key], 3) for key in "xywh"}


BlurRegionFormSet = forms.formset_factory(
    BlurRegionForm,
    extra=3,
    can_delete=True,
    max_num=MAX_BLUR_REGIONS,
    absolute_max=MAX_BLUR_REGIONS,
    validate_max=True,
)


def blur_regions_from(formset) -> list[dict]:
    """The rectangles of a valid formset: rows left empty or marked for
    deletion are not areas."""
    return [
        form.region()
        for form in formset.forms
        if form.has_changed()
        and form.cleaned_data
        and not form.cleaned_data.get("DELETE")
    ]
