from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from archive.access import role_required
from archive.ratelimit import rate_limited
from search.engine import search_engine
from search.exports import (
    export_csv,
    export_csv_metadata,
    export_filename,
    export_json,
    export_query,
    export_xlsx,
)
from search.forms import SearchForm
from search.presentation import (
    export_querystring,
    facet_groups,
    filters_applied,
    page_url,
    place_suggestions,
    suggestion_url,
    year_url,
)
from search.selectors import testimony_export, testimony_search
from search.serializers import outcome_json
from search.services import export_log
from testimonies import policy
from testimonies.policy import Action


# GET and HEAD (monitors and proxies ask with HEAD); exports stay GET only,
# since each one is written to the audit log.
@require_safe
@never_cache
@rate_limited("search")
def search_page(request):
    """The search page. Where a parameter is wrong it says so beside the
    form and answers what it can: the same search without that parameter;
    past the last page, the last page, with a note."""
    form = SearchForm(request.GET, user=request.user)
    usable = form if form.is_valid() else form.without_invalid()
    outcome, notes = None, []
    if usable is not None:
        if usable is not form:
            notes.append(_("These results leave out what could not be used."))
        params = usable.cleaned_data
        outcome = testimony_search(params=params, user=request.user)
        if outcome.query_note:
            notes.append(outcome.query_note)
        if outcome.past_last:
            notes.append(
                _("There is no page %(asked)s; this is the last one.")
                % {"asked": number_format(params["page"])}
            )
            params = {**params, "page": outcome.pages}
            outcome = testimony_search(params=params, user=request.user)
    cleaned = usable.cleaned_data if usable is not None else {}
    groups = facet_groups(outcome, cleaned)
    context = {
        "form": form,
        "outcome": outcome,
        "notes": notes,
        "facet_groups": groups,
        "filters_applied": filters_applied(groups, cleaned),
        "corrects_from_index": search_engine().corrects_from_index,
    }
    if outcome:
        # The same search on the map and the timeline.
        context["overview_query"] = export_querystring(request.GET)
        context["place_suggestions"] = place_suggestions(request.GET, outcome)
        if outcome.suggestion:
            context["suggestion"] = {
                "query": outcome.suggestion,
                "url": suggestion_url(request.GET, outcome.suggestion),
            }
        context["years"] = [
            {**year, "url": year_url(request.GET, year["value"])}
            for year in outcome.facets["year"]
        ]
        if outcome.page > 1:
            context["previous_url"] = page_url(request.GET, outcome.page - 1)
        if outcome.page < outcome.pages:
            context["next_url"] = page_url(request.GET, outcome.page + 1)
        if policy.allows(request.user, Action.EXPORT):
            context["export"] = {
                "query": export_querystring(request.GET),
                "max_rows": settings.ARCHIVE_EXPORT_MAX_ROWS,
                "capped": outcome.count > settings.ARCHIVE_EXPORT_MAX_ROWS,
                # Moderators may also make an accountability package of it.
                "package": policy.allows(request.user, Action.EXPORT_PACKAGE),
            }
    return render(request, "search/search.html", context)


def api_bad_parameters(message, fields) -> JsonResponse:
    """The API's answer to parameters it cannot use (SearchForm.problem):
    400, with the message and the fields at fault. Every API that takes the
    search's parameters answers so."""
    return JsonResponse({"error": message, "fields": fields}, status=400)


def api_page_past_last(outcome) -> JsonResponse:
    """The API's answer to a page past the last of `outcome` (a search or
    a list, with `page` and `pages`): 404, with the last page's number."""
    return JsonResponse(
        {
            "error": _("There is no page %(asked)d; the last is %(last)d.")
            % {"asked": outcome.page, "last": outcome.pages},
            "pages": outcome.pages,
        },
        status=404,
    )


@require_safe
@never_cache
@rate_limited("search", answer="json")
def search_api(request):
    form = SearchForm(request.GET, user=request.user)
    problem = form.problem()
    if problem:
        return api_bad_parameters(*problem)
    outcome = testimony_search(params=form.cleaned_data, user=request.user)
    if outcome.past_last:
        return api_page_past_last(outcome)
    return JsonResponse(
        outcome_json(outcome), json_dumps_params={"ensure_ascii": False}
    )


EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export(request, export_format):
    """The current search as a file: only what the policy lets leave, at
    most ARCHIVE_EXPORT_MAX_ROWS testimonies, logged before it is sent."""
    form = SearchForm(request.GET, user=request.user)
    problem = form.problem()
    if problem:
        if export_format in ("json", "csv-metadata"):
            return api_bad_parameters(*problem)
        message, fields = problem
        lines = [message, *(f"{n}: {m}" for n, ms in fields.items() for m in ms)]
        return HttpResponse(
            "\n".join(lines), status=400, content_type="text/plain; charset=utf-8"
        )
    max_rows = settings.ARCHIVE_EXPORT_MAX_ROWS
    outcome = testimony_export(
        params=form.cleaned_data, user=request.user, limit=max_rows
    )
    query = export_query(form.cleaned_data)
    exported_on = policy.today()
    absolute_url = request.build_absolute_uri
    if export_format == "json":
        body = export_json(
            outcome,
            query=query,
            max_rows=max_rows,
            exported_on=exported_on,
            absolute_url=absolute_url,
        )
    elif export_format == "xlsx":
        body = export_xlsx(
            outcome,
            query=query,
            max_rows=max_rows,
            exported_on=exported_on,
            absolute_url=absolute_url,
        )
    elif export_format == "csv-metadata":
        # The CSV's sidecar: what the CSV of this search holds, no content.
        csv_url = absolute_url(
            reverse("search-api:export-csv") + "?" + export_querystring(request.GET)
        ).rstrip("?")
        body = export_csv_metadata(
            outcome,
            query=query,
            max_rows=max_rows,
            exported_on=exported_on,
            csv_url=csv_url,
        )
        response = HttpResponse(body, content_type=EXPORT_CONTENT_TYPES["json"])
        filename = export_filename("csv", exported_on) + "-metadata.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    else:
        body = export_csv(outcome, absolute_url=absolute_url, exported_on=exported_on)
    export_log(
        user=request.user, export_format=export_format, query=query, outcome=outcome
    )
    response = HttpResponse(body, content_type=EXPORT_CONTENT_TYPES[export_format])
    filename = export_filename(export_format, exported_on)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # For CSV, whose body has no room for it, the only word on truncation.
    response["X-Export-Count"] = str(outcome.count)
    response["X-Export-Rows"] = str(len(outcome.rows))
    response["X-Export-Truncated"] = "true" if outcome.truncated else "false"
    return response


@require_GET
@never_cache
@rate_limited("export", answer="json")
@role_required(*policy.EXPORT_ROLES)
def export_csv_view(request):
    """The current search as CSV (researchers and moderators)."""
    return _export(request, "csv")


@require_GET
@never_cache
@rate_limited("export", answer="json")
@role_required(*policy.EXPORT_ROLES)
def export_json_view(request):
    """The current search as JSON (researchers and moderators)."""
    return _export(request, "json")


@require_GET
@never_cache
@rate_limited("export", answer="json")
@role_required(*policy.EXPORT_ROLES)
def export_xlsx_view(request):
    """The current search as an Excel workbook (researchers and moderators)."""
    return _export(request, "xlsx")


@require_GET
@never_cache
@rate_limited("export", answer="json")
@role_required(*policy.EXPORT_ROLES)
def export_csv_metadata_view(request):
    """The metadata of the CSV of the current search (its sidecar)."""
    return _export(request, "csv-metadata")
