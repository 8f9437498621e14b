from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import SearchForm
from .presentation import facet_groups, page_url, year_url
from .selectors import testimony_search
from .serializers import outcome_json


@require_GET
@never_cache
def search_page(request):
    form = SearchForm(request.GET)
    outcome = None
    if form.is_valid():
        outcome = testimony_search(params=form.cleaned_data, user=request.user)
    cleaned = getattr(form, "cleaned_data", {})
    context = {
        "form": form,
        "outcome": outcome,
        "facet_groups": facet_groups(outcome, cleaned),
    }
    if outcome:
        context["years"] = [
            {**year, "url": year_url(request.GET, year["value"])}
            for year in outcome.facets["year"]
        ]
        if outcome.page > 1:
            context["previous_url"] = page_url(request.GET, outcome.page - 1)
        if outcome.page < outcome.pages:
            context["next_url"] = page_url(request.GET, outcome.page + 1)
    return render(request, "search/search.html", context)


def _error(message, fields):
    return JsonResponse({"error": message, "fields": fields}, status=400)


@require_GET
@never_cache
def search_api(request):
    form = SearchForm(request.GET)
    unknown = form.unknown_parameters()
    if unknown:
        return _error(
            _("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)},
            {name: [_("Unknown parameter.")] for name in unknown},
        )
    if not form.is_valid():
        return _error(
            _("Invalid search parameters."),
            {
                name: [str(m) for m in messages]
                for name, messages in form.errors.items()
            },
        )
    outcome = testimony_search(params=form.cleaned_data, user=request.user)
    return JsonResponse(
        outcome_json(outcome), json_dumps_params={"ensure_ascii": False}
    )
