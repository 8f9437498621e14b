"""The testimony page, and a documenter's own testimonies."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.access import role_required
from archive.ratelimit import rate_limited
from archive.roles import Role
from search.selectors import testimony_similar
from testimonies import policy
from testimonies.core.citation import testimony_citation
from testimonies.core.panels import testimony_panels
from testimonies.core.selectors import (
    TestimonyNotVisible,
    mine_places,
    testimonies_mine_page,
    testimony_tombstone,
)
from testimonies.core.selectors import testimony_detail as select_detail
from testimonies.core.services import original_reading_record
from testimonies.incidents.selectors import testimony_incidents
from testimonies.moderation.forms import WorklistFilterForm
from testimonies.moderation.views import query_without_page


# Never cached anywhere: a withdrawal must take effect on the next request.
@require_safe
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
        erasure = testimony_tombstone(public_id=public_id, user=request.user)
        return render(request, "testimonies/erasure_detail.html", {"erasure": erasure})
    if page.showing_original:
        original_reading_record(testimony=page.testimony, user=request.user)
    similar = testimony_similar(
        testimony=page.testimony, user=request.user, readable=page.readable
    )
    citation = testimony_citation(
        testimony=page.testimony,
        url=request.build_absolute_uri(page.testimony.get_absolute_url()),
        accessed_on=policy.today(),
    )
    return render(
        request,
        "testimonies/testimony_detail.html",
        {
            "page": page,
            "similar": similar,
            "citation": citation,
            "panels": testimony_panels(testimony=page.testimony, user=request.user),
            "incidents": testimony_incidents(
                testimony=page.testimony, user=request.user
            ),
        },
    )


@require_safe
@never_cache
@role_required(Role.DOCUMENTER)
def mine(request):
    """The documenter's own testimonies: state, the last review's comment,
    and what can be done next; filtered, ordered and paged from the URL."""
    form = WorklistFilterForm(request.GET, places=mine_places(user=request.user))
    mine_page = testimonies_mine_page(
        user=request.user, filters=form.filters(), page_number=request.GET.get("page")
    )
    return render(
        request,
        "testimonies/testimony_mine.html",
        {
            "form": form,
            "rows": mine_page.rows,
            "page": mine_page.page,
            "query": query_without_page(request),
            # Whether the documenter has recorded anything at all, filters aside.
            "filtered": bool(query_without_page(request)),
        },
    )
