"""Incident pages and API (docs/incidents.md). Thin: the selectors decide
what a user sees (through the access policy), the services write."""

import functools

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from archive.access import role_required, second_factor_first
from archive.ratelimit import rate_limited
from archive.redirects import same_site_or
from archive.roles import Role
from search.presentation import facet_groups, filters_applied, page_url, year_url
from search.views import api_bad_parameters, api_page_past_last
from testimonies import policy
from testimonies.core.citation import incident_citation
from testimonies.core.selectors import TestimonyNotVisible, testimony_allowed
from testimonies.incidents import services
from testimonies.incidents.forms import (
    IncidentListForm,
    IncidentProposeForm,
    LinkForm,
    MergeForm,
    SplitForm,
    UnlinkForm,
    WitnessCommunitiesForm,
)
from testimonies.incidents.selectors import (
    IncidentNotVisible,
    incident_detail,
    incident_list,
    incident_resolve,
)
from testimonies.incidents.serializers import incident_detail_json, incident_list_json
from testimonies.incidents.suggestions import testimonies_suggested
from testimonies.policy import Action
from testimonies.vault.sealed_pages import sealed_page_answer, sealed_page_render


@require_safe
@never_cache
@rate_limited("search")
def incidents_page(request):
    """The incidents the user may see, filtered and faceted as the search
    is. A wrong parameter is named beside the form and the rest answered."""
    form = IncidentListForm(request.GET, user=request.user)
    usable = form if form.is_valid() else form.without_invalid()
    outcome, notes = None, []
    if usable is not None:
        if usable is not form:
            notes.append(_("These results leave out what could not be used."))
        params = usable.cleaned_data
        outcome = incident_list(params=params, user=request.user)
        if outcome.past_last:
            notes.append(
                _("There is no page %(asked)s; this is the last one.")
                % {"asked": number_format(params["page"])}
            )
            params = {**params, "page": outcome.pages}
            outcome = incident_list(params=params, user=request.user)
    cleaned = usable.cleaned_data if usable is not None else {}
    # The search's facets but its incident one (these are the incidents).
    groups = [g for g in facet_groups(outcome, cleaned) if g["name"] != "incident"]
    context = {
        "form": form,
        "outcome": outcome,
        "notes": notes,
        "facet_groups": groups,
        "filters_applied": filters_applied(groups, cleaned),
        "may_propose": policy.allows(request.user, Action.PROPOSE_INCIDENT),
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
    return render(request, "incidents/incident_list.html", context)


@require_safe
@never_cache
@rate_limited("search")
def incident_page(request, public_id):
    """One incident as the user may see it; 404 otherwise. A merged
    incident's address redirects to the incident it became."""
    incident = incident_resolve(public_id=public_id, user=request.user)
    if incident.public_id != public_id:
        return redirect(incident)
    page = incident_detail(incident=incident, user=request.user)
    may_moderate = policy.allows(request.user, Action.MODERATE_INCIDENT, incident)
    may_link = policy.allows(request.user, Action.PROPOSE_INCIDENT)
    context = {
        "page": page,
        "citation": incident_citation(
            incident=incident,
            url=request.build_absolute_uri(incident.get_absolute_url()),
            accessed_on=policy.today(),
        ),
        "may_moderate": may_moderate,
        "may_link": may_link,
        "unlinkable": {
            row.card.testimony.public_id
            for row in page.linked
            if policy.allows(request.user, Action.LINK_INCIDENT, row.card.testimony)
        },
    }
    if may_link:
        context["suggestions"] = testimonies_suggested(
            incident=incident, user=request.user
        )
        context["link_form"] = LinkForm()
    context["may_read_witness_communities"] = policy.allows(
        request.user, Action.READ_WITNESS_COMMUNITIES, incident
    )
    if may_moderate:
        context["merge_form"] = MergeForm()
        context["split_form"] = SplitForm(linked=page.linked)
    return render(request, "incidents/incident_detail.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
@role_required(Role.DOCUMENTER, Role.MODERATOR)
def incident_propose(request):
    """A documenter or moderator records a new incident (proposed)."""
    form = IncidentProposeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        incident = services.incident_propose(user=request.user, **form.cleaned_data)
        return redirect(incident)
    return render(request, "incidents/incident_propose.html", {"form": form})


def _back(request, incident):
    return redirect(
        same_site_or(request, request.POST.get("next", ""), incident.get_absolute_url())
    )


@require_POST
@never_cache
@second_factor_first
def incident_link(request, public_id):
    """Link a testimony (by its public id) to the incident: the recording
    documenter or a moderator, on a testimony and incident they may see."""
    incident = incident_resolve(public_id=public_id, user=request.user)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise TestimonyNotVisible
    testimony = testimony_allowed(
        public_id=form.cleaned_data["testimony"],
        user=request.user,
        action=Action.LINK_INCIDENT,
    )
    services.incident_link(
        user=request.user,
        incident=incident,
        testimony=testimony,
        role=form.cleaned_data["role"],
    )
    return _back(request, incident)


@require_POST
@never_cache
@second_factor_first
def incident_unlink(request, public_id):
    incident = incident_resolve(public_id=public_id, user=request.user)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        raise TestimonyNotVisible
    testimony = testimony_allowed(
        public_id=form.cleaned_data["testimony"],
        user=request.user,
        action=Action.LINK_INCIDENT,
    )
    services.incident_unlink(user=request.user, incident=incident, testimony=testimony)
    return _back(request, incident)


@require_POST
@never_cache
@role_required(Role.MODERATOR)
def incident_confirm(request, public_id):
    incident = incident_resolve(public_id=public_id, user=request.user)
    services.incident_confirm(user=request.user, incident=incident)
    return redirect(incident)


@require_POST
@never_cache
@role_required(Role.MODERATOR)
def incident_merge(request, public_id):
    """Merge this incident into another (by its id); its address then
    redirects there."""
    incident = incident_resolve(public_id=public_id, user=request.user)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return redirect(incident)
    into = incident_resolve(public_id=form.cleaned_data["into"], user=request.user)
    if into.pk == incident.pk:
        return redirect(incident)
    services.incident_merge(user=request.user, incident=incident, into=into)
    return redirect(into)


@require_POST
@never_cache
@role_required(Role.MODERATOR)
def incident_split(request, public_id):
    """Move the chosen testimonies' links to a new incident."""
    incident = incident_resolve(public_id=public_id, user=request.user)
    page = incident_detail(incident=incident, user=request.user)
    form = SplitForm(request.POST, linked=page.linked)
    if not form.is_valid():
        return redirect(incident)
    chosen = set(form.cleaned_data["testimonies"])
    new = services.incident_split(
        user=request.user,
        incident=incident,
        testimonies=[
            row.card.testimony
            for row in page.linked
            if row.card.testimony.public_id in chosen
        ],
        title=form.cleaned_data["title"],
        title_ar=form.cleaned_data["title_ar"],
    )
    return redirect(new)


@require_safe
@never_cache
@rate_limited("search", answer="json")
def incidents_api(request):
    form = IncidentListForm(request.GET, user=request.user)
    problem = form.problem()
    if problem:
        return api_bad_parameters(*problem)
    outcome = incident_list(params=form.cleaned_data, user=request.user)
    if outcome.past_last:
        return api_page_past_last(outcome)
    return JsonResponse(
        incident_list_json(outcome), json_dumps_params={"ensure_ascii": False}
    )


@require_safe
@never_cache
@rate_limited("search", answer="json")
def incident_api(request, public_id):
    """One incident; 404 JSON when the user may not see it. A merged
    incident's id answers with the incident it became (its `id` says so)."""
    if request.GET:
        names = sorted(request.GET)
        return api_bad_parameters(
            _("Unknown parameter: %(names)s.") % {"names": ", ".join(names)},
            {name: [_("Unknown parameter.")] for name in names},
        )
    try:
        incident = incident_resolve(public_id=public_id, user=request.user)
    except Http404:
        return JsonResponse({"error": _("Not found.")}, status=404)
    page = incident_detail(incident=incident, user=request.user)
    return JsonResponse(
        incident_detail_json(page), json_dumps_params={"ensure_ascii": False}
    )


def _witness_communities_page(
    request, incident, form, *, shown=None, locked=False, status=200
):
    return sealed_page_render(
        request,
        "incidents/incident_witness_communities.html",
        {"incident": incident, "form": form, "groups": shown, "locked": locked},
        status=status,
    )


@never_cache
@sensitive_post_parameters("reason", "password")
@require_http_methods(["GET", "POST"])
@second_factor_first
def incident_witness_communities(request, public_id):
    """The moderators' breakdown of an incident's describing witnesses by
    their own communities, opened on purpose as the identity reveal page
    is: a reason and the password again (wrong ones counted with the
    reveal page's), each reading audited. 404 for anyone the policy
    refuses (Action.READ_WITNESS_COMMUNITIES)."""
    user = request.user
    incident = incident_resolve(public_id=public_id, user=user)
    if not policy.allows(user, Action.READ_WITNESS_COMMUNITIES, incident):
        raise IncidentNotVisible
    if incident.public_id != public_id:
        return redirect("incidents:witness-communities", incident.public_id)
    return sealed_page_answer(
        request,
        form_class=WitnessCommunitiesForm,
        page=functools.partial(_witness_communities_page, request, incident),
        open_sealed=lambda reason: services.witness_communities_read(
            user=user, incident=incident, reason=reason
        ),
    )
