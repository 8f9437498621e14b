"""Withdrawing consent and erasing a testimony: the two ways a witness's
account leaves the archive, in part or for good."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from archive.access import second_factor_first
from archive.bidi import isolated
from testimonies import policy
from testimonies.consent.forms import ErasureForm, WithdrawalForm
from testimonies.consent.models.consent import IMAGES
from testimonies.consent.selectors import (
    testimony_for_erasure,
    testimony_for_withdrawal,
)
from testimonies.consent.services import erasure
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import ConsentScope, ImagesShown
from testimonies.policy import Action


@require_http_methods(["GET", "POST"])
@never_cache
@second_factor_first
def testimony_withdraw(request, public_id):
    """Record a withdrawal of consent, scope by scope or all of it. For the
    recording documenter and moderators; 404 for anyone else."""
    testimony = testimony_for_withdrawal(public_id=public_id, user=request.user)
    consent = testimony.current_consent()
    granted = consent.granted_scopes if consent else []
    if consent is not None and consent.images in (
        ImagesShown.RESEARCHERS,
        ImagesShown.PUBLIC,
    ):
        granted.append(IMAGES)
    form = WithdrawalForm(
        request.POST if request.method == "POST" else None,
        granted=granted,
        initial={"obtained_by": request.user.get_full_name() or request.user.username},
    )
    if form.is_bound and form.is_valid():
        try:
            record = consent_withdraw(
                testimony=testimony,
                scopes=form.withdrawn_scopes,
                reason=form.cleaned_data["reason"],
                obtained_by=form.cleaned_data["obtained_by"],
                recorded_by=request.user,
            )
        except ValidationError as error:  # erased meanwhile, say
            form.add_error(None, error)
            return _withdraw_page(request, testimony, form, consent)
        left = [str(ConsentScope(s).label) for s in record.granted_scopes]
        messages.success(
            request,
            _("Consent withdrawn. Still granted: %(scopes)s.")
            % {"scopes": ", ".join(left) or _("nothing")},
        )
        if policy.allows(request.user, Action.VIEW, testimony):
            return redirect(testimony)
        return redirect("home")
    return _withdraw_page(request, testimony, form, consent)


def _withdraw_page(request, testimony, form, consent):
    return render(
        request,
        "testimonies/testimony_withdraw.html",
        {"testimony": testimony, "form": form, "consent": consent},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@second_factor_first
def testimony_erase(request, public_id):
    """Erase a testimony for good, after typing its public id. Moderators
    with a second factor only; for anyone else the page does not exist
    (404, as for every testimony page they may not use)."""
    testimony = testimony_for_erasure(public_id=public_id, user=request.user)
    data = request.POST if request.method == "POST" else None
    form = ErasureForm(data, public_id=testimony.public_id)
    erasure_record = None
    if form.is_bound and form.is_valid():
        try:
            erasure_record = erasure.testimony_erase(
                testimony=testimony,
                reason=form.cleaned_data["reason"],
                erased_by=request.user,
            )
        except ValidationError as error:  # erased by someone else meanwhile
            form.add_error(None, error)
    if erasure_record:
        messages.success(
            request,
            _("Testimony %(id)s erased. SHA-256 of what was erased: %(digest)s")
            % {
                "id": isolated(testimony.public_id),
                "digest": isolated(erasure_record.content_sha256),
            },
        )
        return redirect(
            reverse("testimonies:detail", kwargs={"public_id": testimony.public_id})
        )
    return render(
        request,
        "testimonies/testimony_erase.html",
        {"testimony": testimony, "form": form},
    )
