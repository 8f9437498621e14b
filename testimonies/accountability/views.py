"""The package page (moderators) and the archive's public signing key
(everyone)."""

import shutil

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from archive.access import moderator_required
from archive.ratelimit import rate_limited
from search.exports import QUERY_PARAMETERS, export_query
from search.forms import SearchForm
from search.selectors import testimony_public_ids
from testimonies import policy
from testimonies.accountability import signing
from testimonies.accountability.forms import PackageForm
from testimonies.accountability.services import (
    PackageRefused,
    package_export,
    package_folder_name,
    package_zip,
    web_staging_folder,
)
from testimonies.policy import Action

KEY_FILE_NAME = "archive-signing-key.pem"


def _search_filters(query_dict) -> QueryDict:
    """The search's filters among the parameters (from the search page's
    link, then carried in the form), without the order, which a package
    does not keep."""
    data = QueryDict(mutable=True)
    for name in QUERY_PARAMETERS:
        values = [v for v in query_dict.getlist(name) if v.strip()]
        if values and name != "sort":
            data.setlist(name, values)
    return data


def _package_response(result) -> FileResponse:
    """The package as a zip, streamed; its files are gone from the disk
    once sent (the open file is all that remains until then)."""
    archive = package_zip(result)
    handle = archive.open("rb")
    shutil.rmtree(archive.parent, ignore_errors=True)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=archive.name,
        content_type="application/zip",
    )
    response["X-Package-SHA256"] = result.digest
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@rate_limited("export")
@moderator_required
def package(request):
    """Make an accountability package for one body: the testimonies given
    by public id, linked to an incident, or matching the search's filters.
    Only what witnesses consented to give accountability bodies goes; the
    page says what was left out and why."""
    if not policy.allows(request.user, Action.EXPORT_PACKAGE):
        raise Http404
    form = PackageForm(
        request.POST or None,
        initial={"incident_id": request.GET.get("incident_id", "")},
    )
    given = _search_filters(request.POST if request.method == "POST" else request.GET)
    filters = SearchForm(given or None, user=request.user)
    refused = None
    if request.method == "POST" and form.is_valid():
        ids, query = form.cleaned_data["ids"], None
        incident_id = form.cleaned_data["incident_id"]
        if filters.data and filters.is_valid() and not incident_id:
            query = export_query(filters.cleaned_data)
            ids = ids or testimony_public_ids(
                params=filters.cleaned_data,
                user=request.user,
                limit=settings.ARCHIVE_EXPORT_MAX_ROWS,
            )
        if incident_id and filters.data:
            form.add_error(None, _("Give an incident or search filters, not both."))
        elif filters.data and not filters.is_valid():
            form.add_error(None, _("The search filters are not valid."))
        elif not ids and not incident_id:
            form.add_error("ids", _("Give public ids, an incident or search filters."))
        else:
            folder = web_staging_folder()
            try:
                result = package_export(
                    recipient=form.cleaned_data["recipient"],
                    public_ids=ids,
                    destination=folder
                    / package_folder_name(
                        form.cleaned_data["recipient"], policy.today()
                    ),
                    actor=request.user,
                    query=query,
                    incident_id=incident_id,
                )
            except PackageRefused as error:
                shutil.rmtree(folder, ignore_errors=True)
                refused = (error.params or {}).get("selection")
                form.add_error(None, error.messages[0])
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            else:
                return _package_response(result)
    return render(
        request,
        "accountability/package_form.html",
        {
            "form": form,
            "filters": filters,
            # Filters from the search page travel as hidden fields.
            "carried": [
                (name, value)
                for name, values in given.lists()
                if name not in ("q", "date_from", "date_to")
                for value in values
            ],
            "refused": refused,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def signing_key(request):
    """The archive's public signing key and its fingerprint, for anyone who
    received a package (and anyone who wants to check one)."""
    if not signing.signing_configured():
        raise Http404
    fingerprint = signing.fingerprint()
    return render(
        request,
        "accountability/signing_key.html",
        {
            "pem": signing.public_key_pem(),
            "fingerprint": fingerprint,
            "fingerprint_grouped": signing.fingerprint_grouped(fingerprint),
            "key_file_name": KEY_FILE_NAME,
        },
    )


@require_safe
def signing_key_file(request):
    """The public key as a PEM file (`openssl pkey -pubin -in ...` reads it)."""
    if not signing.signing_configured():
        raise Http404
    response = HttpResponse(
        signing.public_key_pem(), content_type="application/x-pem-file"
    )
    response["Content-Disposition"] = f'attachment; filename="{KEY_FILE_NAME}"'
    return response
