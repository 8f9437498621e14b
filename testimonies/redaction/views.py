"""Marking words for redaction, with the original and redacted texts side by
side: the documenter's page (/testimonies/<id>/redaction/), and the editor
the moderators' review page shares with it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from archive.access import second_factor_first
from testimonies.core.services import original_reading_record
from testimonies.models import Testimony
from testimonies.redaction.forms import RedactionMarksForm, WordDecisionForm
from testimonies.redaction.marking import (
    redaction_candidates_decide,
    redaction_marks_set,
)
from testimonies.redaction.redactor import person_choices, redaction_candidates
from testimonies.redaction.selectors import redaction_page, testimony_for_marking

# The name of the editor's submit button: the review page tells a save of
# the marks from a decision by it.
SAVE_MARKS = "save_marks"
# The name of the buttons that decide flagged words (WordDecisionForm).
DECIDE_WORDS = "decide_words"
DECIDED = {
    True: _("Replaced; the preview shows the result."),
    False: _("Kept as written."),
    None: _("The words will be asked about again."),
}


def marks_form(testimony: Testimony, data=None) -> RedactionMarksForm:
    """The editor for the testimony's current marks."""
    return RedactionMarksForm(
        data,
        marks=list(testimony.redaction_marks),
        persons_count=len(testimony.persons_named),
        people=person_choices(testimony),
    )


def marks_save(request, testimony: Testimony) -> RedactionMarksForm | None:
    """Apply a posted edit of the marks. None once saved; else the form,
    with the service's objections beside the words typed."""
    form = marks_form(testimony, request.POST)
    if form.is_valid():
        try:
            redaction_marks_set(
                testimony=testimony, marks=form.edited_marks(), user=request.user
            )
        except ValidationError as error:
            found = (
                error.message_dict
                if hasattr(error, "error_dict")
                else {None: error.messages}
            )
            for name, texts in found.items():
                for text in texts:
                    form.add_error("add" if name == "redaction_marks" else None, text)
        else:
            messages.success(request, _("Marks saved; the preview shows the result."))
            return None
    return form


def words_decide(request, testimony: Testimony) -> None:
    """Apply a posted decision on flagged words; the outcome, or why it was
    refused, goes to the messages (the page is shown again either way)."""
    keys = [row.candidate.key for row in redaction_candidates(testimony)]
    form = WordDecisionForm(request.POST, keys=keys)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    try:
        redaction_candidates_decide(
            testimony=testimony,
            keys=form.cleaned_data["key"],
            redact=form.redact(),
            user=request.user,
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, DECIDED[form.redact()])


@require_http_methods(["GET", "POST"])
@never_cache
@second_factor_first
def redaction(request, public_id):
    """The preview and the marks editor, for the recording documenter while
    the testimony is a draft or sent back, and for moderators; a 404 for
    anyone else, as for a testimony that is not there."""
    form = None
    if request.method == "POST" and DECIDE_WORDS in request.POST:
        testimony = testimony_for_marking(public_id=public_id, user=request.user)
        words_decide(request, testimony)
        return redirect(
            reverse("testimonies:redaction", args=[public_id]) + "#words-to-decide"
        )
    if request.method == "POST" and SAVE_MARKS in request.POST:
        testimony = testimony_for_marking(public_id=public_id, user=request.user)
        form = marks_save(request, testimony)
        if form is None:
            return redirect("testimonies:redaction", public_id=public_id)
    page = redaction_page(public_id=public_id, user=request.user)
    original_reading_record(
        testimony=page.testimony, user=request.user, page="redaction"
    )
    return render(
        request,
        "testimonies/testimony_redaction.html",
        {"page": page, "marks_form": form or marks_form(page.testimony)},
    )
