"""The researchers' tools (URL namespace `research`): saved searches, private
notes and collections. Thin views: the selectors find the user's own objects
(another's is a 404) and ask the policy about every testimony they name."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive.access import role_required
from archive.ratelimit import rate_limited
from archive.redirects import same_site_or
from research.access import research_required
from research.forms import CollectionPickForm, NameForm, NoteForm, SavedSearchForm
from research.panels import research_panel_context
from research.selectors import (
    collection_export,
    collection_named,
    collection_owned,
    collection_page,
    collections_of,
    note_owned,
    saved_search_owned,
    saved_search_query,
    saved_search_url,
    saved_searches_with_news,
    testimony_for_research,
    testimony_research,
)
from research.services import (
    collection_add,
    collection_create,
    collection_delete,
    collection_remove,
    note_create,
    note_delete,
    saved_search_create,
    saved_search_delete,
    saved_search_mark_seen,
)
from search.exports import export_csv, export_filename, export_xlsx
from search.services import export_log
from testimonies import policy


# Each view runs the saved searches again: limited as searches are.
@never_cache
@require_GET
@rate_limited("search")
@research_required
def research_home(request):
    """The user's saved searches (with what is new in each) and collections."""
    return render(
        request,
        "research/research_home.html",
        {
            "saved_searches": saved_searches_with_news(user=request.user),
            "collections": collections_of(user=request.user),
            "collection_form": NameForm(),
        },
    )


# Saved searches


@never_cache
@require_POST
@research_required
def saved_search_save(request):
    """Keep the search the user is looking at under a name."""
    form = SavedSearchForm(request.POST)
    query = saved_search_query(QueryDict(request.POST.get("query", "")))
    if form.is_valid():
        saved = saved_search_create(
            owner=request.user, name=form.cleaned_data["name"], query=query
        )
        messages.success(request, _("Search saved. It is listed on your home page."))
        return redirect(saved_search_url(saved))
    if "query" in form.errors:
        messages.error(request, _("This search is too long to be saved."))
    else:
        messages.error(request, _("Give the search a name to save it."))
    search = reverse("search:page")
    return redirect(f"{search}?{query}" if query else search)


@never_cache
@require_POST
@rate_limited("search")
@research_required
def saved_search_open(request, public_id):
    """Open a saved search: what it matches now counts as seen."""
    saved = saved_search_owned(public_id=public_id, user=request.user)
    saved_search_mark_seen(saved=saved, user=request.user)
    return redirect(saved_search_url(saved))


@never_cache
@require_POST
@research_required
def saved_search_remove(request, public_id):
    saved = saved_search_owned(public_id=public_id, user=request.user)
    saved_search_delete(saved=saved)
    messages.success(request, _("Saved search deleted."))
    return redirect("research:home")


# One testimony: the user's notes on it and collections holding it

ADD_NOTE = "add_note"
ADD_TO_COLLECTION = "add_to_collection"
REMOVE_FROM_COLLECTION = "remove_from_collection"


@require_http_methods(["GET", "POST"])
@never_cache
@research_required
def testimony_notes(request, public_id):
    """The user's private notes on one testimony and their collections
    around it (the testimony page's panel, on a page of its own). Posts a
    note, an addition to a collection (an existing one or a new one) or a
    removal, and goes back to `next` (the testimony page, or this one)."""
    here = reverse("research:testimony", args=[public_id])
    back = same_site_or(request, request.POST.get("next", ""), here)
    note_form = pick_form = None
    if request.method == "POST":
        testimony = testimony_for_research(public_id=public_id, user=request.user)
        if ADD_NOTE in request.POST:
            note_form = NoteForm(request.POST)
            if note_form.is_valid():
                note_create(
                    author=request.user,
                    testimony=testimony,
                    text=note_form.cleaned_data["text"],
                )
                messages.success(request, _("Note saved. Only you can read it."))
                return redirect(back)
        elif ADD_TO_COLLECTION in request.POST:
            pick_form = CollectionPickForm(
                request.POST, collections=collections_of_user(request.user)
            )
            if pick_form.is_valid():
                _collect(request, testimony, pick_form.cleaned_data)
                return redirect(back)
        elif REMOVE_FROM_COLLECTION in request.POST:
            collection = collection_owned(
                public_id=request.POST.get("collection", ""), user=request.user
            )
            collection_remove(collection=collection, testimony_public_id=public_id)
            messages.success(request, _("Removed from the collection."))
            return redirect(back)
    research = testimony_research(public_id=public_id, user=request.user)
    return render(
        request,
        "research/testimony_research.html",
        {
            "card": research.card,
            "panel": research_panel_context(
                research.kept, next_url=here, note_form=note_form, pick_form=pick_form
            ),
        },
    )


def collections_of_user(user):
    return [row.collection for row in collections_of(user=user)]


def _collect(request, testimony, cleaned):
    if cleaned.get("collection"):
        collection = collection_owned(
            public_id=cleaned["collection"], user=request.user
        )
    else:
        collection = collection_named(
            name=cleaned["new_name"], user=request.user
        ) or collection_create(owner=request.user, name=cleaned["new_name"])
    collection_add(collection=collection, testimony=testimony)
    messages.success(
        request,
        _("Added to the collection “%(name)s”.") % {"name": collection.name},
    )


@never_cache
@require_POST
@research_required
def note_remove(request, public_id):
    note = note_owned(public_id=public_id, user=request.user)
    here = reverse("research:testimony", args=[note.testimony.public_id])
    note_delete(note=note)
    messages.success(request, _("Note deleted."))
    return redirect(same_site_or(request, request.POST.get("next", ""), here))


# Collections


@never_cache
@require_POST
@research_required
def collection_new(request):
    form = NameForm(request.POST)
    if form.is_valid():
        collection = collection_create(
            owner=request.user, name=form.cleaned_data["name"]
        )
        return redirect("research:collection", public_id=collection.public_id)
    messages.error(request, _("Give the collection a name."))
    return redirect("research:home")


REMOVE = "remove"
DELETE_COLLECTION = "delete_collection"


@require_http_methods(["GET", "POST"])
@never_cache
@research_required
def collection_detail(request, public_id):
    """One collection: the testimonies in it the owner may see now. Posts a
    removal, or the deletion of the collection."""
    if request.method == "POST":
        collection = collection_owned(public_id=public_id, user=request.user)
        if DELETE_COLLECTION in request.POST:
            collection_delete(collection=collection)
            messages.success(request, _("Collection deleted."))
            return redirect("research:home")
        collection_remove(
            collection=collection, testimony_public_id=request.POST.get(REMOVE, "")
        )
        messages.success(request, _("Removed from the collection."))
        return redirect("research:collection", public_id=public_id)
    return render(
        request,
        "research/collection_detail.html",
        {"page": collection_page(public_id=public_id, user=request.user)},
    )


EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
@never_cache
@rate_limited("export", answer="json")
@role_required(*policy.EXPORT_ROLES)
def collection_export_view(request, public_id, export_format):
    """A collection as a search's export: the same columns and rules, only
    what the user may export now; the rest left out and counted (the
    X-Export-Unavailable header, and the XLSX's About sheet). Logged in the
    audit chain before it is sent, by public ids only."""
    max_rows = settings.ARCHIVE_EXPORT_MAX_ROWS
    export = collection_export(public_id=public_id, user=request.user, limit=max_rows)
    outcome = export.outcome
    query = {"collection": public_id, "no_longer_available": export.unavailable}
    exported_on = policy.today()
    absolute_url = request.build_absolute_uri
    if export_format == "xlsx":
        body = export_xlsx(
            outcome,
            query=query,
            max_rows=max_rows,
            exported_on=exported_on,
            absolute_url=absolute_url,
        )
    else:
        body = export_csv(outcome, absolute_url=absolute_url, exported_on=exported_on)
    export_log(
        user=request.user, export_format=export_format, query=query, outcome=outcome
    )
    response = HttpResponse(body, content_type=EXPORT_CONTENT_TYPES[export_format])
    filename = export_filename(export_format, exported_on)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Export-Count"] = str(outcome.count)
    response["X-Export-Rows"] = str(len(outcome.rows))
    response["X-Export-Unavailable"] = str(export.unavailable)
    return response
