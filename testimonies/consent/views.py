"""Recording consent, and sending a testimony to the moderators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from archive.access import second_factor_first
from archive.redirects import same_site_or
from testimonies.consent.forms import ConsentForm
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.selectors import consent_page, testimony_for_submission
from testimonies.consent.services.consent import consent_capture
from testimonies.consent.services.review import testimony_submit
from testimonies.models import ConsentRecord


@require_http_methods(["GET", "POST"])
@never_cache
@second_factor_first
def consent(request, public_id):
    """Record a new consent event. For the recording documenter and
    moderators; a 404 for anyone else, as for a testimony that is not there."""
    page = consent_page(public_id=public_id, user=request.user)
    blank = ConsentRecord(
        testimony=page.testimony, event=ConsentEvent.GRANT, recorded_by=request.user
    )
    if request.method == "POST":
        form = ConsentForm(request.POST, instance=blank)
        if form.is_valid():
            try:
                consent_capture(
                    testimony=page.testimony,
                    user=request.user,
                    **form.service_terms(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect("testimonies:consent", public_id=public_id)
    else:
        form = ConsentForm(
            instance=blank, initial={"obtained_by": request.user.get_username()}
        )
    return render(
        request, "testimonies/consent_form.html", {"page": page, "form": form}
    )


@require_POST
@second_factor_first
def submit(request, public_id):
    """Send a testimony to the moderators; back where the button was."""
    testimony = testimony_for_submission(public_id=public_id, user=request.user)
    try:
        testimony_submit(testimony=testimony, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Submitted for review."))
    return redirect(
        same_site_or(
            request, request.POST.get("next", ""), testimony.get_absolute_url()
        )
    )
