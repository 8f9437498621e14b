"""The review queue at volume (URL namespace `moderation`): filtered, ordered
and paged from the URL, with batch actions on the testimonies ticked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from archive.access import moderator_required
from archive.redirects import same_site_or
from testimonies.consent.selectors import testimonies_held_from_public
from testimonies.moderation.forms import (
    ASSIGN,
    SEND_BACK,
    QueueBatchForm,
    WorklistFilterForm,
)
from testimonies.moderation.selectors import (
    moderators_usernames,
    queue_documenters,
    queue_places,
    review_queue_page,
)
from testimonies.moderation.services import testimonies_assign, testimonies_send_back
from testimonies.witnesses.selectors import witness_key_conflicts_waiting


def query_without_page(request) -> str:
    """The request's filters as a query string, its page left out (for the
    pager's links and for coming back after a batch action)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@never_cache
@moderator_required
def queue(request):
    """The review queue, as the filters in the URL narrow and order it."""
    moderators = moderators_usernames()
    form = WorklistFilterForm(
        request.GET,
        places=queue_places(user=request.user),
        documenters=queue_documenters(user=request.user),
        moderators=moderators,
    )
    queue_page = review_queue_page(
        user=request.user, filters=form.filters(), page_number=request.GET.get("page")
    )
    return render(
        request,
        "testimonies/review_queue.html",
        {
            "form": form,
            "queue": queue_page.entries,
            "page": queue_page.page,
            "query": query_without_page(request),
            "batch_form": QueueBatchForm(moderators=moderators, user=request.user),
            "key_conflicts": witness_key_conflicts_waiting(),
            "held": testimonies_held_from_public(),
        },
    )


def _back_to_queue(request):
    """Back to the queue (with its filters) or a review page: nowhere else."""
    queue = reverse("moderation:queue")
    back = same_site_or(request, request.POST.get("next", ""), queue)
    return redirect(back if back.startswith(queue) else queue)


def _done(action, count) -> str:
    if action == SEND_BACK:
        message = ngettext(
            "%(count)d testimony sent back.", "%(count)d testimonies sent back.", count
        )
    else:
        message = ngettext(
            "%(count)d assignment changed.", "%(count)d assignments changed.", count
        )
    return message % {"count": count}


def _report(request, outcome, action):
    """Say what the batch did, and name each testimony it could not act on
    (by pseudonym) with the reason."""
    if outcome.done:
        messages.success(request, _done(action, len(outcome.done)))
    for testimony, reason in outcome.refused:
        messages.error(
            request,
            _("Testimony of %(pseudonym)s: %(reason)s")
            % {"pseudonym": testimony.witness.pseudonym, "reason": reason},
        )
    if outcome.unknown:
        messages.error(
            request,
            ngettext(
                "%(count)d testimony ticked is no longer in the queue.",
                "%(count)d testimonies ticked are no longer in the queue.",
                outcome.unknown,
            )
            % {"count": outcome.unknown},
        )


@never_cache
@require_POST
@moderator_required
def queue_batch(request):
    """One action on the testimonies ticked in the queue: send back with one
    comment, assign, or take the assignment back. Each testimony is checked
    and written on its own (testimonies.moderation.services)."""
    form = QueueBatchForm(
        request.POST, moderators=moderators_usernames(), user=request.user
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_queue(request)
    data = form.cleaned_data
    try:
        if data["action"] == SEND_BACK:
            outcome = testimonies_send_back(
                public_ids=data["testimonies"],
                reviewer=request.user,
                comment=data["comment"],
            )
        else:
            outcome = testimonies_assign(
                public_ids=data["testimonies"],
                moderator=form.moderator_account()
                if data["action"] == ASSIGN
                else None,
                user=request.user,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _report(request, outcome, data["action"])
    return _back_to_queue(request)
