"""The one page that shows who a witness is.

The identity is rendered in the response to the POST that asked for it and
nowhere else: no redirect to a page that shows it, nothing in the URL, the
title, the messages framework or the logs; the response may not be stored
by any cache nor send a referrer onwards.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from archive.access import second_factor_first
from testimonies.vault.forms import IdentityRevealForm
from testimonies.vault.reveal import witness_reveal
from testimonies.vault.reveal_throttle import (
    reveal_cool_off_minutes,
    reveal_failure,
    reveal_locked,
    reveal_reset,
)
from testimonies.vault.selectors import testimony_for_reveal


def _page(request, testimony, form, *, identity=None, locked=False, status=200):
    response = render(
        request,
        "testimonies/witness_identity.html",
        {
            "testimony": testimony,
            "form": form,
            "identity": identity,
            "locked": locked,
            "cool_off_minutes": reveal_cool_off_minutes(),
        },
        status=status,
    )
    # never_cache already says no-store; this keeps the page's address
    # (and that an identity was looked at) from any site a link leads to.
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@sensitive_post_parameters("reason", "password")
@require_http_methods(["GET", "POST"])
@second_factor_first
def testimony_identity(request, public_id):
    """Reveal the witness's identity after a reason and the user's password;
    404 for anyone the policy refuses (Action.REVEAL_IDENTITY)."""
    testimony = testimony_for_reveal(public_id=public_id, user=request.user)
    user = request.user
    if request.method != "POST":
        return _page(request, testimony, IdentityRevealForm(user=user))
    if reveal_locked(user):
        # No password is checked while locked: not even the right one.
        return _page(
            request, testimony, IdentityRevealForm(user=user), locked=True, status=429
        )
    form = IdentityRevealForm(request.POST, user=user)
    if not form.is_valid():
        if form.wrong_password and reveal_failure(user):
            return _page(
                request, testimony, IdentityRevealForm(user=user), locked=True,
                status=429,
            )  # fmt: skip
        return _page(request, testimony, form)
    reveal_reset(user)
    try:
        identity = witness_reveal(
            testimony=testimony, user=user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, testimony, form)
    return _page(request, testimony, form, identity=identity)
