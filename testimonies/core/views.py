from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from archive.access import role_required, second_factor_first
from archive.ratelimit import rate_limited
from archive.redirects import same_site_or
from archive.roles import Role
from search.selectors import testimony_similar
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import consent_capture
from testimonies.consent.services.review import testimony_submit
from testimonies.forms import ConsentForm
from testimonies.models import ConsentRecord
from testimonies.selectors import (
    TestimonyNotVisible,
    consent_page,
    testimonies_mine,
    testimony_for_submission,
    testimony_tombstone,
)
from testimonies.selectors import testimony_detail as select_detail


# Never cached anywhere: a withdrawal must take effect on the next request.
@never_cache
@rate_limited("search")
def testimony_detail(request, public_id):
    """One testimony as the requesting user may see it; 404 otherwise.
    Moderators see what is left of an erased testimony: its tombstone."""
    try:
        page = select_detail(
            public_id=public_id,
            user=request.user,
            show_original=request.GET.get("original") == "1",
        )
    except TestimonyNotVisible:
        try:
            erasure = testimony_tombstone(public_id=public_id, user=request.user)
        except TestimonyNotVisible:
            raise Http404 from None
        return render(request, "testimonies/erasure_detail.html", {"erasure": erasure})
    similar = testimony_similar(testimony=page.testimony, user=request.user)
    return render(
        request,
        "testimonies/testimony_detail.html",
        {"page": page, "similar": similar},
    )


@never_cache
@role_required(Role.DOCUMENTER)
def mine(request):
    """The documenter's own testimonies: state, the last review's comment,
    and what can be done next."""
    return render(
        request,
        "testimonies/testimony_mine.html",
        {"testimonies": testimonies_mine(user=request.user)},
    )


@never_cache
@second_factor_first
def consent(request, public_id):
    """Record a new consent event. For the recording documenter and
    moderators; a 404 for anyone else, as for a testimony that is not there."""
    try:
        page = consent_page(public_id=public_id, user=request.user)
    except TestimonyNotVisible:
        raise Http404 from None
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
    try:
        testimony = testimony_for_submission(public_id=public_id, user=request.user)
    except TestimonyNotVisible:
        raise Http404 from None
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
