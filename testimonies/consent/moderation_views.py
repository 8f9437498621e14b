"""The moderators' queue and review page (URL namespace `moderation`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from archive.access import moderator_required
from testimonies.consent.forms import PublicReleaseForm, ReviewDecisionForm
from testimonies.consent.selectors import (
    review_page,
    testimony_for_review,
)
from testimonies.consent.services.public_holds import testimony_public_release
from testimonies.consent.services.review import testimony_approve, testimony_send_back
from testimonies.core.services import original_reading_record
from testimonies.incidents.selectors import testimony_incidents
from testimonies.incidents.suggestions import incidents_suggested
from testimonies.models import ReviewDecision, TestimonyStatus
from testimonies.redaction.views import (
    DECIDE_WORDS,
    SAVE_MARKS,
    marks_form,
    marks_save,
    words_decide,
)

# The submit button of the release form (a held testimony's review page).
RELEASE = "release_public"


def _release(request, public_id):
    """Release a testimony held back from the public with the view chosen."""
    testimony = testimony_for_review(public_id=public_id, user=request.user)
    form = PublicReleaseForm(request.POST)
    if form.is_valid():
        try:
            testimony_public_release(
                testimony=testimony,
                reviewer=request.user,
                generalisation=form.cleaned_data["public_view"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(_("Released to the public.")))
            return redirect("moderation:queue")
    return redirect("moderation:review", public_id=public_id)


DECIDE = {
    ReviewDecision.APPROVED: testimony_approve,
    ReviewDecision.SENT_BACK: testimony_send_back,
}
DONE = {
    ReviewDecision.APPROVED: _("Approved."),
    ReviewDecision.SENT_BACK: _("Sent back to the documenter."),
}


@require_http_methods(["GET", "POST"])
@never_cache
@moderator_required
def review(request, public_id):
    """One testimony under review, its original and redacted texts side by
    side with the words marked for redaction and the flagged words to
    decide, and the decision on it. The page posts a decision, a change of
    the marks (SAVE_MARKS) or decisions on flagged words (DECIDE_WORDS)."""
    if request.method == "POST" and DECIDE_WORDS in request.POST:
        testimony = testimony_for_review(public_id=public_id, user=request.user)
        words_decide(request, testimony)
        return redirect(
            reverse("moderation:review", args=[public_id]) + "#words-to-decide"
        )
    saving_marks = request.method == "POST" and SAVE_MARKS in request.POST
    if request.method == "POST" and RELEASE in request.POST:
        return _release(request, public_id)
    edited_marks = None
    if saving_marks:
        testimony = testimony_for_review(public_id=public_id, user=request.user)
        edited_marks = marks_save(request, testimony)
        if edited_marks is None:
            return redirect("moderation:review", public_id=public_id)
    form = ReviewDecisionForm(None if saving_marks else (request.POST or None))
    if request.method == "POST" and not saving_marks and form.is_valid():
        testimony = testimony_for_review(public_id=public_id, user=request.user)
        decision = form.cleaned_data["decision"]
        choice = {}
        if decision == ReviewDecision.APPROVED:
            choice["generalisation"] = form.cleaned_data["public_view"]
        try:
            DECIDE[decision](
                testimony=testimony,
                reviewer=request.user,
                comment=form.cleaned_data["comment"],
                **choice,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, str(DONE[decision]))
            return redirect("moderation:queue")
    page = review_page(public_id=public_id, user=request.user)
    original_reading_record(testimony=page.testimony, user=request.user, page="review")
    check = page.reidentification
    return render(
        request,
        "testimonies/review_detail.html",
        {
            "page": page,
            "form": form,
            "marks_form": edited_marks or marks_form(page.testimony),
            "waiting": page.testimony.status == TestimonyStatus.SUBMITTED,
            # The public view to tick: the one just posted, else the check's.
            "public_view": check
            and (form["public_view"].value() or check.suggested(page.testimony).key),
            # The incidents it is linked to, and those it may describe.
            "incidents": testimony_incidents(
                testimony=page.testimony, user=request.user
            ),
            "incident_suggestions": incidents_suggested(
                testimony=page.testimony, user=request.user
            ),
        },
    )
