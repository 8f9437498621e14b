"""The map and the timeline pages, and their data in the API (docs/maps.md).

Open to every role: each counts only what the asking user may see, with
places and dates as the public sees them."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.ratelimit import rate_limited
from search.forms import SearchForm
from search.overview.selectors import (
    MAP_LEVELS,
    map_points,
    timeline_counts,
)
from search.overview.serializers import (
    map_json,
    timeline_columns,
    timeline_json,
    timeline_rows,
)
from search.presentation import facet_groups, filters_applied, year_url
from search.selectors import testimony_search
from testimonies.models import PlaceKind


def _filters_context(request, form) -> dict:
    """The search's filter panel for these parameters, with the search's
    facet counts (what the user may see): the map and the timeline are
    narrowed by the same filters, in the same words. None when a parameter
    is wrong (the page says so, and draws nothing)."""
    if not form.is_valid():
        return {"form": form, "facet_groups": facet_groups(None, {})}
    cleaned = form.cleaned_data
    outcome = testimony_search(
        params={**cleaned, "page": 1, "page_size": 1}, user=request.user
    )
    groups = facet_groups(outcome, cleaned)
    return {
        "form": form,
        "outcome": outcome,
        "facet_groups": groups,
        "filters_applied": filters_applied(groups, cleaned),
        "years": [
            {**year, "url": year_url(request.GET, year["value"])}
            for year in outcome.facets["year"]
        ],
    }


def _error(problem):
    message, fields = problem
    return JsonResponse({"error": message, "fields": fields}, status=400)


@require_safe
@never_cache
@rate_limited("search")
def map_page(request):
    """Syria with its governorates and the search's testimonies in
    clusters by governorate, district and town, and the same counts as
    tables."""
    form = SearchForm(request.GET, user=request.user)
    context = _filters_context(request, form)
    if form.is_valid():
        outcome = map_points(params=form.cleaned_data, user=request.user)
        data = map_json(outcome, request.GET)
        context["map"] = outcome
        context["map_data"] = data
        # The tables: the same entries the map draws.
        context["levels"] = [
            (
                level,
                level.label,
                [
                    {**entry, "kind_label": PlaceKind(entry["kind"]).label}
                    for entry in data["levels"][level]
                ],
            )
            for level in MAP_LEVELS
        ]
    return render(request, "search/map.html", context)


@require_safe
@never_cache
@rate_limited("search", answer="json")
def map_api(request):
    form = SearchForm(request.GET, user=request.user)
    problem = form.problem()
    if problem:
        return _error(problem)
    outcome = map_points(params=form.cleaned_data, user=request.user)
    return JsonResponse(
        map_json(outcome, request.GET), json_dumps_params={"ensure_ascii": False}
    )


@require_safe
@never_cache
@rate_limited("search")
def timeline_page(request):
    """The search's testimonies per month, stacked by event type, with the
    dates known only over longer spans in bands of their own, and the same
    counts as a table."""
    form = SearchForm(request.GET, user=request.user)
    context = _filters_context(request, form)
    if form.is_valid():
        outcome = timeline_counts(params=form.cleaned_data, user=request.user)
        columns = timeline_columns(outcome)
        context.update(
            timeline=outcome,
            timeline_data=timeline_json(outcome, request.GET),
            timeline_rows=timeline_rows(outcome, request.GET),
            no_type_column="" in columns,
            timeline_columns=len(columns) + 3,
        )
    return render(request, "search/timeline.html", context)


@require_safe
@never_cache
@rate_limited("search", answer="json")
def timeline_api(request):
    form = SearchForm(request.GET, user=request.user)
    problem = form.problem()
    if problem:
        return _error(problem)
    outcome = timeline_counts(params=form.cleaned_data, user=request.user)
    return JsonResponse(
        timeline_json(outcome, request.GET), json_dumps_params={"ensure_ascii": False}
    )
