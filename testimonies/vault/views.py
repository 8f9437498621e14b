"""The one page that shows who a witness is.

The identity is rendered in the response to the POST that asked for it and
nowhere else: no redirect to a page that shows it, nothing in the URL, the
title, the messages framework or the logs; the response may not be stored
by any cache nor send a referrer onwards.
"""

import functools

from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from archive.access import second_factor_first
from testimonies.vault.forms import IdentityRevealForm
from testimonies.vault.reveal import witness_reveal
from testimonies.vault.sealed_pages import sealed_page_answer, sealed_page_render
from testimonies.vault.selectors import testimony_for_reveal


def _page(request, testimony, form, *, shown=None, locked=False, status=200):
    return sealed_page_render(
        request,
        "testimonies/witness_identity.html",
        {"testimony": testimony, "form": form, "identity": shown, "locked": locked},
        status=status,
    )


@never_cache
@sensitive_post_parameters("reason", "password")
@require_http_methods(["GET", "POST"])
@second_factor_first
def testimony_identity(request, public_id):
    """Reveal the witness's identity after a reason and the user's password;
    404 for anyone the policy refuses (Action.REVEAL_IDENTITY)."""
    testimony = testimony_for_reveal(public_id=public_id, user=request.user)
    return sealed_page_answer(
        request,
        form_class=IdentityRevealForm,
        page=functools.partial(_page, request, testimony),
        open_sealed=lambda reason: witness_reveal(
            testimony=testimony, user=request.user, reason=reason
        ),
    )
