"""The moderators' page of witness key conflicts (URL `moderation:witness-keys`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from archive.access import moderator_required
from testimonies.witnesses.forms import KeyConflictDecisionForm
from testimonies.witnesses.selectors import witness_key_conflicts
from testimonies.witnesses.services import witness_key_conflict_resolve

DECIDED_SHOWN = 20


@never_cache
@require_http_methods(["GET", "POST"])
@moderator_required
def witness_keys(request):
    """Open conflicts, each with both witnesses' testimonies, and a decision
    for each; the latest decided below."""
    if request.method == "POST":
        form = KeyConflictDecisionForm(request.POST)
        if form.is_valid():
            same = form.cleaned_data["decision"] == "same"
            try:
                witness_key_conflict_resolve(
                    conflict=form.cleaned_data["conflict"],
                    same_person=same,
                    by=request.user,
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("Joined: the accounts are now one witness's.")
                    if same
                    else _("Kept apart: they stay two witnesses."),
                )
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect("moderation:witness-keys")
    return render(
        request,
        "testimonies/witness_key_conflicts.html",
        {
            "open": witness_key_conflicts(decided=False),
            "decided": witness_key_conflicts(decided=True)[:DECIDED_SHOWN],
        },
    )
